//! Property tests over every parser that takes user or network input, through the library's
//! public API: arbitrary and structure-aware inputs never panic, every parse finishes within
//! a fixed bound, and what is accepted survives a round trip. The differential tests of the
//! input gate's scanners against the real YAML/JSON/TOML parsers are unit tests in
//! `src/model/input.rs` (they need its private depth counters).
//!
//! Deterministic: a fixed seed and fixed case counts (the whole file runs in a few seconds
//! in a debug build). For a longer local run: `HIVEMIND_FUZZ_CASES=100000 HIVEMIND_FUZZ_SEED=7
//! cargo test --test it fuzz::` (README "Development").

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use hivemind::health::node::Thresholds;
use hivemind::model::alert::{AlertQuery, AlertState};
use hivemind::model::input::{self, Input, MAX_DEPTH};
use hivemind::model::rule::fmt_number;
use hivemind::model::{
    AlertRule, Comparison, Matcher, PromDuration, Severity, rule::Threshold, rule_file, validate,
};
use hivemind::store::StateStore;
use hivemind::target::call::{Call, CreateRules, FileCall, Method};
use hivemind::target::inventory::InventoryStore;

/// No single parse of one input may take longer (a debug build on a shared 2-core machine;
/// the slow cases this guards against take seconds to hours).
const BOUND: Duration = Duration::from_millis(500);

fn config(cases: u32) -> Config {
    let scale = std::env::var("HIVEMIND_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok());
    let seed = std::env::var("HIVEMIND_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0x6869_7665);
    Config {
        cases: scale.unwrap_or(cases),
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

/// A regular expression may take the regex crate up to its 10 MiB compiled-size limit to
/// refuse: about 150 ms in a release build for 12 bytes of `\p{L}{1000}`, ten times that in
/// a debug build.
const REGEX_BOUND: Duration = Duration::from_secs(4);

/// Run `f` and fail when it took longer than [`BOUND`].
fn timed<T>(what: &str, input: &impl std::fmt::Debug, f: impl FnOnce() -> T) -> T {
    timed_within(BOUND, what, input, f)
}

fn timed_within<T>(
    bound: Duration,
    what: &str,
    input: &impl std::fmt::Debug,
    f: impl FnOnce() -> T,
) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(
        took < bound,
        "{what} took {took:?} on {:.200}",
        format!("{input:?}")
    );
    out
}

/// Strings near the validators' edges: the characters they treat specially, lengths around
/// their limits, Unicode, control characters.
fn edgy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z_:][a-zA-Z0-9_:]{0,8}",
        "[ -~]{0,40}",
        (0usize..3, "[a-z_]", 60usize..260).prop_map(|(k, c, n)| {
            let s = c.repeat(n);
            match k {
                0 => s,
                1 => format!("1{s}"),
                _ => format!("{s}é"),
            }
        }),
        prop::sample::select(vec![
            "",
            " ",
            "__name__",
            "_",
            ":",
            "a:b",
            "é",
            "a\u{0}",
            "a\nb",
            "a\tb",
            "\u{2028}",
            "9a",
            "a-b",
            "a.b",
            "-a",
            ".",
            "x".repeat(64).leak(),
            "x".repeat(65).leak(),
        ])
        .prop_map(str::to_string),
    ]
}

fn duration_text() -> impl Strategy<Value = String> {
    let part = (
        prop_oneof!["[0-9]{1,3}", "[0-9]{18,24}", Just("0".to_string())],
        prop::sample::select(vec!["ms", "s", "m", "h", "d", "w", "y", "M", "", "S", " m"]),
    )
        .prop_map(|(n, u)| format!("{n}{u}"));
    prop_oneof![
        prop::collection::vec(part, 0..5).prop_map(|v| v.concat()),
        any::<String>(),
        "[-+0-9.eE]{0,8}[a-z]{0,3}",
    ]
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|f| f.to_string()),
        "[-+]?[0-9]{0,400}(\\.[0-9]{0,5})?([eE][-+]?[0-9]{1,4})?",
        prop::sample::select(vec![
            "NaN", "inf", "-inf", "infinity", "1e309", "-0", "0x10", "1_000", " 1", "1 ", "+", ".",
            "1.", ".5", "1e", "90",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

/// Label matchers, including regular expressions that are expensive to compile.
fn matcher_text() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["=", "!=", "=~", "!~", "==", "~", "!"]);
    let value = prop_oneof![
        "[ -~]{0,30}",
        "(\\(|\\)|\\[|\\]|\\{[0-9]{1,4}(,[0-9]{0,4})?\\}|a|\\.|\\*|\\+|\\?|\\||\\\\)*",
        prop::sample::select(vec![
            "(a{1000}){1000}",
            "((a*)*)*b",
            "(?:x{100}){100}",
            "[[:alpha:]]{500}",
            "\\p{L}{1000}",
            "(",
            "a{4294967295}",
        ])
        .prop_map(str::to_string),
        (0usize..2000).prop_map(|n| "a".repeat(n)),
    ];
    (edgy(), op, value).prop_map(|(n, o, v)| format!("{n}{o}{v}"))
}

fn url_text() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "http://", "https://", "ftp://", "HTTP://", "", "http:/",
    ]);
    let host = prop_oneof![
        "[a-z0-9.-]{0,20}",
        Just("[::1]".to_string()),
        Just("127.0.0.1:9090".to_string()),
        Just("user:pw@host".to_string()),
        Just("höst.example".to_string()),
        any::<String>(),
    ];
    let rest = prop_oneof!["(/[ -~]{0,20}){0,3}", Just(String::new()), any::<String>()];
    (scheme, host, rest).prop_map(|(s, h, r)| format!("{s}{h}{r}"))
}

/// JSON of random shape and depth (past the limit too).
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[ -~]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(8, 64, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `value` wrapped in `n` arrays or objects.
fn deepen(value: serde_json::Value, kinds: &[bool]) -> serde_json::Value {
    kinds.iter().fold(value, |v, &array| {
        if array {
            serde_json::Value::Array(vec![v])
        } else {
            serde_json::json!({ "a": v })
        }
    })
}

fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

const API_PATHS: &[&str] = &[
    "/api/info",
    "/api/health",
    "/api/config",
    "/api/config/metrics",
    "/api/config/auto-healing",
    "/api/config/tracing",
    "/api/config/logging",
    "/api/config/export",
    "/api/config/apply",
    "/api/rules",
    "/api/rules/x",
    "/api/channels",
    "/api/channels/slack",
    "/api/channels/slack/test",
    "/api/metrics",
    "/api/metrics/up",
    "/api/checks",
    "/api/checks/web",
    "/api/checks/web/run",
    "/api/traces",
    "/api/traces/0af7651916cd43dd8448eb211c80319c",
    "/api/logs",
    "/api/dashboards",
    "/api/dashboards/node",
    "/api/diagnose",
    "/api/status-page/link",
    "/api/alerts",
    "/api/alerts/412785ca4cfa6a2e",
    "/api/profile",
];

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ])
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(API_PATHS.to_vec()).prop_map(str::to_string),
        (prop::sample::select(API_PATHS.to_vec()), edgy())
            .prop_map(|(p, tail)| format!("{p}/{tail}")),
        (prop::sample::select(API_PATHS.to_vec()), edgy())
            .prop_map(|(p, name)| format!("{}/{name}", p.rsplit_once('/').map_or(p, |(h, _)| h))),
        any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "state",
        "level",
        "since",
        "text",
        "limit",
        "after",
        "cpu_percent",
        "memory_percent",
        "load_per_cpu",
        "component",
        "service",
        "x",
        "",
    ]);
    let value = prop_oneof![edgy(), number_text(), duration_text(), "[%&=+a-z0-9]{0,10}"];
    prop_oneof![
        prop::collection::vec((key, value), 0..5).prop_map(|kv| {
            kv.iter()
                .map(|(k, v)| format!("{k}={}", v.replace(['&', '#'], "")))
                .collect::<Vec<_>>()
                .join("&")
        }),
        any::<String>(),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<Vec<u8>>(),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (json_value(), prop::collection::vec(any::<bool>(), 60..70))
            .prop_map(|(v, kinds)| serde_json::to_vec(&deepen(v, &kinds)).unwrap()),
        // Deep nesting as raw text, past what serde would ever build.
        (1usize..5000).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
    ]
}

fn rule_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,20}"
}

fn valid_rule() -> impl Strategy<Value = AlertRule> {
    (
        rule_name(),
        "[a-zA-Z_:][a-zA-Z0-9_:]{0,20}",
        prop::sample::select(vec![
            Comparison::Gt,
            Comparison::Ge,
            Comparison::Lt,
            Comparison::Le,
            Comparison::Eq,
            Comparison::Ne,
        ]),
        -1e9f64..1e9,
        0u64..=365 * 24 * 3600,
        prop::sample::select(vec![Severity::Info, Severity::Warning, Severity::Critical]),
        "[ -~]{0,40}",
        prop::collection::vec(
            // A value cannot start with `~` after `=` in the text form (`a=~x` is a regex).
            ("[a-z][a-z0-9_]{0,8}", "([ -}][ -~]{0,11})?").prop_map(|(n, v)| Matcher {
                name: n,
                op: hivemind::model::rule::MatchOp::Equal,
                value: v,
            }),
            0..3,
        ),
    )
        .prop_map(
            |(name, metric, comparison, threshold, secs, severity, description, labels)| {
                AlertRule::from_threshold(
                    name,
                    Threshold {
                        metric,
                        comparison,
                        threshold,
                        matchers: labels,
                    },
                    PromDuration::from_secs(secs),
                    severity,
                    description,
                )
            },
        )
}

/// A rule in the seed's YAML format (JSON strings are YAML double-quoted scalars).
fn seed_yaml(r: &AlertRule) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let t = r.threshold.as_ref().unwrap();
    let labels: Vec<String> = t
        .matchers
        .iter()
        .map(|m| q(&format!("{}{}{}", m.name, m.op.as_str(), m.value)))
        .collect();
    format!(
        "name: {}\ndescription: {}\nmetric: {}\nthreshold: {:?}\nduration: {}\nseverity: {}\ncomparison: {}\nlabels: [{}]\n",
        q(&r.name),
        q(&r.description),
        q(&t.metric),
        t.threshold,
        r.duration,
        r.severity.as_str(),
        serde_json::to_value(t.comparison)
            .unwrap()
            .as_str()
            .unwrap(),
        labels.join(", ")
    )
}

/// Found by `valid_calls_survive_their_http_form`: serde_json's default float parser can be
/// one unit in the last place off, so a rule created through an agent had another threshold.
#[test]
fn thresholds_cross_the_api_bit_for_bit() {
    for t in [
        -182_124_775.984_076_98_f64,
        0.1 + 0.2,
        1.0 / 3.0,
        123_456_789.123_456_78,
    ] {
        let rule = AlertRule::from_threshold(
            "a".into(),
            Threshold {
                metric: "m".into(),
                comparison: Comparison::Gt,
                threshold: t,
                matchers: Vec::new(),
            },
            PromDuration::from_secs(0),
            Severity::Info,
            String::new(),
        );
        let call = Call::CreateRules(CreateRules {
            rules: vec![rule],
            replace: false,
        });
        let (m, p, body) = call.to_http().unwrap();
        let bytes = serde_json::to_vec(&body).unwrap();
        let Call::CreateRules(back) = Call::from_http(m, &p, "", &bytes).unwrap() else {
            panic!("not a CreateRules");
        };
        let got = back.rules[0].threshold.as_ref().unwrap().threshold;
        assert_eq!(got.to_bits(), t.to_bits(), "{t}");
    }
}

/// Found by `numbers_are_finite_or_refused`: `--threshold 1E100` was accepted, and then
/// printed as 101 digits that `--threshold` refuses.
#[test]
fn thresholds_are_accepted_only_when_their_printed_form_reads_back() {
    for t in ["1E100", "1e-300", "-1e65"] {
        assert!(validate::threshold(t).is_err(), "{t}");
    }
    for t in ["1e15", "0.5", "-90", "1e63"] {
        let v = validate::threshold(t).unwrap();
        assert_eq!(validate::threshold(&fmt_number(v)), Ok(v), "{t}");
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn durations_parse_or_refuse_and_round_trip(text in duration_text()) {
        let parsed = timed("duration", &text, || PromDuration::parse(&text));
        if let Ok(d) = parsed {
            prop_assert_eq!(PromDuration::parse(&d.to_string()), Ok(d));
            prop_assert!(d.as_std() <= Duration::from_secs(365 * 24 * 3600));
        }
        let _ = hivemind::model::duration::parse_seconds_or_duration(&text);
        let _ = hivemind::cli::parse::duration(&text);
        let _ = hivemind::cli::parse::timeout(&text);
        let _ = hivemind::cli::parse::profile_duration(&text);
    }

    #[test]
    fn every_valid_duration_formats_and_reparses(ms in 0u64..=365 * 24 * 3600 * 1000) {
        let d = PromDuration::parse(&format!("{ms}ms")).unwrap();
        prop_assert_eq!(d.as_std(), Duration::from_millis(ms));
        prop_assert_eq!(PromDuration::parse(&d.to_string()), Ok(d));
    }

    #[test]
    fn numbers_are_finite_or_refused(text in number_text()) {
        if let Ok(v) = timed("threshold", &text, || validate::threshold(&text)) {
            prop_assert!(v.is_finite());
            // What hivemind prints (tables, exports) reads back as the same number.
            prop_assert_eq!(validate::threshold(&fmt_number(v)), Ok(v));
        }
        if let Ok(p) = hivemind::cli::parse::percent(&text) {
            prop_assert!((0.0..=100.0).contains(&p));
        }
        if let Ok(l) = hivemind::cli::parse::load(&text) {
            prop_assert!(l.is_finite() && l >= 0.0);
        }
        let _ = hivemind::cli::parse::port(&text);
        let _ = hivemind::cli::parse::max_restarts(&text);
        let _ = hivemind::cli::parse::pid(&text);
    }

    #[test]
    fn names_are_what_the_validators_promise(text in edgy()) {
        if let Ok(n) = validate::metric_name(&text) {
            prop_assert_eq!(&n, &text);
            prop_assert!(n.len() <= 200 && !n.starts_with(|c: char| c.is_ascii_digit()));
            prop_assert!(n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':'));
        }
        for check in [validate::rule_name, validate::label_name] {
            if let Ok(n) = check(&text) {
                prop_assert_eq!(&n, &text);
                prop_assert!(n.len() <= 128 && !n.starts_with(|c: char| c.is_ascii_digit()));
                prop_assert!(n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            }
        }
        if let Ok(n) = validate::object_name(&text) {
            prop_assert!(n.len() <= 64 && n.starts_with(|c: char| c.is_ascii_alphanumeric()));
            prop_assert!(n.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)));
        }
        if let Ok(t) = validate::free_text(&text) {
            prop_assert!(t.len() <= 1024 && !t.contains('\n'));
        }
        let _ = validate::http_path(&text);
        let _ = validate::host(&text);
        let _ = validate::email(&text);
        let _ = validate::listen_address(&text);
        let _ = hivemind::model::alert::check_id(&text);
    }

    #[test]
    fn matchers_parse_in_bounded_time_and_round_trip(text in matcher_text()) {
        if let Ok(m) = timed_within(REGEX_BOUND, "matcher", &text, || Matcher::parse(&text)) {
            let again = format!("{}{}{}", m.name, m.op.as_str(), m.value);
            prop_assert_eq!(Matcher::parse(&again), Ok(m));
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials(text in url_text()) {
        if let Ok(u) = timed("url", &text, || validate::http_url(&text)) {
            prop_assert!(matches!(u.scheme(), "http" | "https"));
            prop_assert!(u.host_str().is_some_and(|h| !h.is_empty()));
            prop_assert!(u.username().is_empty() && u.password().is_none());
            prop_assert!(validate::http_url(u.as_str()).is_ok());
        }
    }

    #[test]
    fn rule_files_of_any_text_are_refused_or_valid(text in prop_oneof![
        any::<String>(),
        "([a-z]{1,8}: [ -~]{0,10}\n|- |  |---\n|\\[|\\]|\\{|\\}|&a |\\*a|#|'|\"){0,30}",
    ]) {
        let _ = timed("rule file", &text, || rule_file::parse(&text));
    }

    /// PromQL of any text, and text made of PromQL's pieces: parsed or refused, quickly,
    /// and what parses evaluates over a small history without a panic.
    #[test]
    fn promql_of_any_text_is_refused_or_evaluated(text in prop_oneof![
        any::<String>(),
        "(x|up|rate\\(|sum by \\(a\\) \\(|\\)|\\[5m\\]|\\{a=~\"b.*\"\\}| > | / on\\(a\\) group_left | and | or |1|-|offset 1m|histogram_quantile\\(0.5, |topk\\(2, |absent\\(|bool ){0,12}",
    ]) {
        let parsed = timed("PromQL", &text, || hivemind::model::expr::parse(&text));
        if let Ok(e) = parsed
            && hivemind::alerting::promql::node_support(&e).is_ok()
        {
            {
                let mut h = hivemind::alerting::promql::History::default();
                for t in 0..10i64 {
                    for (name, a) in [("x", "1"), ("x", "2"), ("up", "1")] {
                        let labels = [("__name__", name), ("a", a), ("le", "1")]
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect();
                        h.push(labels, t * 60_000, t as f64);
                    }
                }
                let _ = timed("PromQL evaluation", &text, || {
                    hivemind::alerting::promql::evaluate(&e, &h, 600_000)
                });
            }
        }
    }

    /// Go templates of any text, and text made of template pieces: parsed or refused, and
    /// what parses renders, quickly, without a panic.
    #[test]
    fn templates_of_any_text_are_refused_or_rendered(text in prop_oneof![
        any::<String>(),
        "(\\{\\{|\\}\\}|-| |\\$labels\\.a|\\$value|\\||humanize|printf \"%.2f\"|if |else|end|range \\$k, \\$v := \\$labels|\\(|\\)|\"x\"|1\\.5|text){0,16}",
    ]) {
        let parsed = timed("template", &text, || hivemind::alerting::template::parse(&text));
        if let Ok(t) = parsed {
            let data = hivemind::alerting::template::Data {
                labels: [("a".to_string(), "b".to_string())].into(),
                value: 1.5,
                ..Default::default()
            };
            let _ = timed("template rendering", &text, || t.render(&data));
        }
    }

    #[test]
    fn config_files_of_any_text_are_refused_or_valid(text in prop_oneof![
        any::<String>(),
        "(version: 1\n|[a-z_]{1,12}: [ -~]{0,10}\n|- |  |\\{env: [A-Z]{1,4}\\}|\\[|\\]|\\{|\\}|&a |\\*a|#|'|\"){0,30}",
        (any::<prop::sample::Index>(), "[ -~\n]{0,12}").prop_map(|(at, junk)| {
            let full = include_str!("../fixtures/config-full.yaml");
            let mut cut = at.index(full.len());
            while !full.is_char_boundary(cut) { cut -= 1; }
            format!("{}{junk}{}", &full[..cut], &full[cut..])
        }),
    ]) {
        let parsed = timed("config file", &text, || hivemind::config::parse(&text));
        // What parses writes back to a file that parses to the same.
        if let Ok(file) = parsed {
            let again = hivemind::config::parse(&hivemind::config::to_yaml(&file).unwrap());
            prop_assert_eq!(again.ok(), Some(file));
        }
    }

    #[test]
    fn rule_files_round_trip(rules in prop::collection::vec(valid_rule(), 1..4), list in any::<bool>()) {
        let text = if list {
            rules.iter().map(|r| format!("- {}", seed_yaml(r).replace('\n', "\n  ").trim_end())).collect::<Vec<_>>().join("\n")
        } else {
            rules.iter().map(seed_yaml).collect::<Vec<_>>().join("---\n")
        };
        let parsed = rule_file::parse(&text);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed, text);
        prop_assert_eq!(parsed.unwrap(), rules);
    }

    #[test]
    fn api_requests_never_panic_and_stay_bounded(
        m in method(), p in path(), q in query(), b in body()
    ) {
        let result = timed("Call::from_http", &(m, &p, &q, b.len()), || Call::from_http(m, &p, &q, &b));
        if let Err(e) = &result {
            prop_assert!(!e.to_string().contains('\n'), "{e}");
        }
        let _ = timed("FileCall::from_http", &(m, &p), || FileCall::from_http(m, &p, &b));
    }

    #[test]
    fn api_bodies_past_the_depth_limit_are_refused(
        v in json_value(), kinds in prop::collection::vec(any::<bool>(), 0..80)
    ) {
        let body = serde_json::to_vec(&serde_json::json!({ "rules": deepen(v, &kinds) })).unwrap();
        let deep = depth(&serde_json::from_slice(&body).unwrap()) > MAX_DEPTH;
        let result = Call::from_http(Method::Post, "/api/rules", "", &body);
        let refused_for_depth = matches!(&result, Err(e) if e.to_string().contains("nested deeper than 64"));
        prop_assert_eq!(refused_for_depth, deep);
    }

    #[test]
    fn valid_calls_survive_their_http_form(
        rules in prop::collection::vec(valid_rule(), 0..3),
        replace in any::<bool>(),
        name in rule_name(),
        states in prop::sample::subsequence(
            vec![AlertState::Pending, AlertState::Firing, AlertState::Resolved],
            0..=3,
        ).prop_shuffle(),
        cpu in 0.0f64..=100.0,
        load in 0.0f64..=1000.0,
    ) {
        let thresholds = Thresholds { cpu_percent: cpu, load_per_cpu: load, ..Thresholds::default() };
        for call in [
            Call::CreateRules(CreateRules { rules: rules.clone(), replace }),
            Call::DeleteRule(name.clone()),
            Call::Alerts(AlertQuery { states: states.clone() }),
            Call::Health(thresholds),
            Call::Metric(name.clone()),
        ] {
            let (m, target, body) = call.to_http().unwrap();
            let (p, q) = target.split_once('?').unwrap_or((&target, ""));
            let bytes = body.as_ref().map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
            let back = Call::from_http(m, p, q, &bytes);
            prop_assert!(back.is_ok(), "{:?} {target}: {:?}", m, back.err().map(|e| e.to_string()));
            let again = back.unwrap().to_http().unwrap();
            prop_assert_eq!(again, (m, target.clone(), body));
        }
    }

    #[test]
    fn query_strings_parse_or_refuse(q in query()) {
        let _ = timed("AlertQuery", &q, || AlertQuery::from_query(&q));
        let _ = timed("Thresholds", &q, || Thresholds::from_query(&q));
        for p in ["/api/logs", "/api/traces", "/api/diagnose", "/api/health", "/api/alerts"] {
            let _ = timed("query", &(p, &q), || Call::from_http(Method::Get, p, &q, b""));
        }
    }
}

/// A state file as hivemind writes it, with one rule.
fn state_seed(dir: &std::path::Path) -> String {
    let store = StateStore::new(dir);
    store
        .update(|s| {
            s.rules.push(AlertRule::from_threshold(
                "high_cpu".into(),
                Threshold {
                    metric: "hivemind_node_cpu_usage".into(),
                    comparison: Comparison::Gt,
                    threshold: 90.0,
                    matchers: vec![Matcher::parse("node=~web-.*").unwrap()],
                },
                PromDuration::from_secs(300),
                Severity::Warning,
                "cpu".into(),
            ));
            Ok(())
        })
        .unwrap();
    std::fs::read_to_string(store.state_path()).unwrap()
}

fn toml_pieces() -> impl Strategy<Value = Vec<(prop::sample::Index, &'static str)>> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "[",
                "]",
                "[[",
                "{",
                "}",
                "\"",
                "'",
                "\"\"\"",
                "'''",
                "\\",
                ",",
                "=",
                "\n",
                "#",
                ".",
                "a.b.c = 1\n",
                "x = [[[[1]]]]\n",
                "[rules.x]\n",
                "\u{0}",
                "é",
                "1e400",
            ]),
        ),
        0..6,
    )
}

fn mutate(seed: &str, edits: &[(prop::sample::Index, &str)]) -> String {
    let mut text = seed.to_string();
    for (at, piece) in edits {
        let mut i = at.index(text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        text.insert_str(i, piece);
    }
    text
}

proptest! {
    #![proptest_config(config(96))]

    /// State files, as written and then damaged: loading never panics, stays bounded, and
    /// never changes the file.
    #[test]
    fn state_files_load_or_are_refused_and_kept(
        edits in toml_pieces(),
        deep in prop::option::of(50usize..100),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = mutate(&state_seed(dir.path()), &edits);
        if let Some(n) = deep {
            text.push_str(&format!("\nx = {}1{}\n", "[".repeat(n), "]".repeat(n)));
        }
        let store = StateStore::new(dir.path());
        std::fs::write(store.state_path(), &text).unwrap();
        let result = timed("state", &text, || store.load());
        if let Err(e) = &result {
            prop_assert!(!e.to_string().contains('\n'), "{e}");
        }
        if deep.is_some_and(|n| n + 1 > MAX_DEPTH) {
            prop_assert!(result.is_err());
        }
        prop_assert_eq!(std::fs::read_to_string(store.state_path()).unwrap(), text);
    }

    #[test]
    fn inventories_load_or_are_refused(edits in toml_pieces(), junk in any::<String>()) {
        let dir = tempfile::tempdir().unwrap();
        let seed = "default = \"web1\"\n\n[agents.web1]\nurl = \"https://web1:9443\"\n";
        let inv = InventoryStore::new(dir.path());
        for text in [mutate(seed, &edits), junk] {
            std::fs::write(inv.path(), &text).unwrap();
            if let Err(e) = timed("inventory", &text, || inv.load()) {
                prop_assert!(!e.to_string().contains('\n'), "{e}");
            }
        }
    }

    /// The gate itself on arbitrary bytes: never panics, always linear.
    #[test]
    fn the_gate_takes_any_bytes(bytes in any::<Vec<u8>>(), text in any::<String>()) {
        let big = Input::new("test", 1 << 20);
        let _ = input::check_json(&bytes, big);
        let _ = input::check_toml(&text, big);
        let _ = input::check_yaml(&text, big);
        let _ = input::json_value(&bytes, big);
        let _ = input::query::<Vec<(String, String)>>(&text, big);
    }
}
