//! Importing the dashboards into Grafana through its HTTP API: create or update each by uid
//! (so running it again changes nothing but the version), in a folder found or created by
//! title, with a service-account token.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Dashboard;
use crate::error::{Error, Result};
use crate::model::Secret;

/// What happened to one dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Imported {
    pub uid: String,
    pub title: String,
    /// `created` or `updated`.
    pub change: String,
    /// The dashboard's address in Grafana.
    pub url: String,
    pub version: Option<u64>,
    /// The saved-object type, for Kibana (`index-pattern`, `search`, `dashboard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `import-dashboards` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportReport {
    pub target: String,
    /// Grafana's base URL, or the directory written with `--output-dir`.
    pub destination: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    pub dashboards: Vec<Imported>,
}

struct Client<'a> {
    http: reqwest::Client,
    base: String,
    token: Option<&'a Secret>,
}

impl Client<'_> {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("accept", "application/json");
        if let Some(t) = self.token {
            r = r.bearer_auth(t.expose());
        }
        r
    }

    /// Send and read a JSON answer; Grafana's `message` explains errors.
    async fn json(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(u16, serde_json::Value)> {
        let resp = req.send().await.map_err(|e| {
            Error::Remote(format!(
                "Grafana at {}: {what}: {}",
                self.base,
                crate::net::describe(&e)
            ))
        })?;
        let status = resp.status().as_u16();
        let bytes =
            crate::net::read_body(resp, crate::model::input::Input::PEER_ANSWER.max_bytes())
                .await
                .unwrap_or_default();
        let body = crate::model::input::json_value(&bytes, crate::model::input::Input::PEER_ANSWER)
            .unwrap_or(serde_json::Value::Null);
        // Grafana's text may quote what it was sent (the token, first of all).
        let message = crate::redact::redact_cut(body["message"].as_str().unwrap_or(""), 300);
        match status {
            200..=299 | 404 => Ok((status, body)),
            401 => Err(Error::Remote(format!(
                "Grafana at {} refused the request (HTTP 401{}): give a service-account token with --token-stdin",
                self.base,
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ))),
            403 => Err(Error::Remote(format!(
                "Grafana at {}: the token may not {what} (HTTP 403): the service account needs the Editor role",
                self.base
            ))),
            _ => Err(Error::Remote(format!(
                "Grafana at {}: {what}: HTTP {status}{}",
                self.base,
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ))),
        }
    }
}

/// Import every dashboard into the Grafana at `base`.
pub async fn import(
    base: &str,
    token: Option<&Secret>,
    folder: Option<&str>,
    dashboards: &[Dashboard],
) -> Result<ImportReport> {
    let client = Client {
        http: crate::net::tls::http_client()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::caused("building the HTTP client", e))?,
        base: base.trim_end_matches('/').to_string(),
        token,
    };
    let (_, health) = client
        .json(client.req(reqwest::Method::GET, "/api/health"), "checking its health")
        .await
        .map_err(|e| {
            Error::Remote(format!(
                "{e} (pass --url with Grafana's address, or write the dashboards for file provisioning with --output-dir DIR)"
            ))
        })?;
    if health["database"].as_str().is_some_and(|d| d != "ok") {
        return Err(Error::Remote(format!(
            "Grafana at {} reports its database as {}",
            client.base,
            crate::redact::redact_cut(&health["database"].to_string(), 300)
        )));
    }
    let folder_uid = match folder {
        Some(title) => Some(folder_uid(&client, title).await?),
        None => None,
    };
    let mut out = Vec::new();
    for d in dashboards {
        let (status, _) = client
            .json(
                client.req(
                    reqwest::Method::GET,
                    &format!("/api/dashboards/uid/{}", d.uid),
                ),
                "read dashboards",
            )
            .await?;
        let mut dashboard = d.json.clone();
        dashboard["id"] = serde_json::Value::Null;
        let mut body = serde_json::json!({
            "dashboard": dashboard,
            "overwrite": true,
            "message": concat!("imported by hivemind ", env!("CARGO_PKG_VERSION")),
        });
        if let Some(uid) = &folder_uid {
            body["folderUid"] = serde_json::json!(uid);
        }
        let (code, answer) = client
            .json(
                client
                    .req(reqwest::Method::POST, "/api/dashboards/db")
                    .json(&body),
                "save dashboards",
            )
            .await?;
        if code == 404 {
            return Err(Error::Remote(format!(
                "Grafana at {}: no dashboard API at /api/dashboards/db (is this Grafana?)",
                client.base
            )));
        }
        let path = crate::redact::redact(answer["url"].as_str().unwrap_or(""));
        out.push(Imported {
            uid: d.uid.to_string(),
            title: d.title.to_string(),
            change: if status == 404 { "created" } else { "updated" }.into(),
            url: format!("{}{path}", client.base),
            version: answer["version"].as_u64(),
            kind: None,
        });
    }
    Ok(ImportReport {
        target: "grafana".into(),
        destination: client.base.clone(),
        folder: folder.map(str::to_string),
        dashboards: out,
    })
}

#[derive(Deserialize)]
struct Folder {
    uid: String,
    title: String,
}

/// The uid of the folder titled `title`, created when missing.
async fn folder_uid(client: &Client<'_>, title: &str) -> Result<String> {
    let (_, list) = client
        .json(
            client.req(reqwest::Method::GET, "/api/folders?limit=1000"),
            "list folders",
        )
        .await?;
    let folders: Vec<Folder> = serde_json::from_value(list).unwrap_or_default();
    if let Some(f) = folders.into_iter().find(|f| f.title == title) {
        return Ok(f.uid);
    }
    let (_, created) = client
        .json(
            client
                .req(reqwest::Method::POST, "/api/folders")
                .json(&serde_json::json!({ "title": title })),
            "create folders",
        )
        .await?;
    created["uid"].as_str().map(str::to_string).ok_or_else(|| {
        Error::Remote(format!(
            "Grafana at {} did not return the new folder's uid",
            client.base
        ))
    })
}
