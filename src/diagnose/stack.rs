//! `--stack`: the health endpoints of Prometheus, Alertmanager and Grafana.

use super::{List, get};
use crate::model::diagnose::Outcome;

pub(super) async fn stack_check(
    http: &reqwest::Client,
    name: &str,
    base: &str,
    path: &str,
    flag: &str,
    list: &mut List,
) {
    let url = format!("{base}{path}");
    match get(http, &url).await {
        Ok((200, body)) => {
            let detail = if name == "grafana" {
                let v =
                    crate::model::input::json_value(&body, crate::model::input::Input::PEER_ANSWER)
                        .unwrap_or_default();
                if v["database"].as_str().is_some_and(|d| d != "ok") {
                    list.add(
                        "stack",
                        name,
                        Outcome::Fail,
                        format!("{url}: database {}", v["database"]),
                        "see Grafana's log",
                    );
                    return;
                }
                format!(
                    "{url}: ok (version {})",
                    v["version"].as_str().unwrap_or("?")
                )
            } else {
                format!("{url}: healthy")
            };
            list.add("stack", name, Outcome::Pass, detail, "");
        }
        Ok((status, _)) => list.add(
            "stack",
            name,
            Outcome::Fail,
            format!("{url}: HTTP {status}"),
            format!("is {flag} the {name} base URL?"),
        ),
        Err(e) => list.add(
            "stack",
            name,
            Outcome::Fail,
            format!("{url}: {e}"),
            format!("start {name}, or give its address with {flag} URL"),
        ),
    }
}
