//! Templates as Prometheus renders them (the end-to-end comparison with a real Prometheus and
//! Alertmanager is in tests/it/alerting.rs).

use super::*;

fn data() -> Data {
    Data {
        labels: [("instance", "web-1:9100"), ("node", "web-1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        value: 223629312.0,
        ..Data::default()
    }
}

fn render(text: &str) -> String {
    let t = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    t.check().unwrap();
    t.render(&data()).unwrap()
}

#[test]
fn prometheus_annotations() {
    assert_eq!(
        render("Agent Mesh node {{ $labels.instance }} is down"),
        "Agent Mesh node web-1:9100 is down"
    );
    assert_eq!(render("{{ $value }}"), "2.23629312e+08");
    assert_eq!(render("{{ $value | humanize }}"), "223.6M");
    assert_eq!(render("{{ humanize $value }}B"), "223.6MB");
    assert_eq!(render("{{ printf \"%.1f\" $value }}"), "223629312.0");
    assert_eq!(
        render("{{ .Labels.node }}/{{ .Value | humanize1024 }}"),
        "web-1/213.3Mi"
    );
    assert_eq!(render("{{ $labels.missing }}|"), "|");
    assert_eq!(
        render("{{ if gt $value 1e6 }}big{{ else }}small{{ end }}"),
        "big"
    );
    assert_eq!(
        render("{{ if eq $labels.node \"x\" }}x{{ else if eq $labels.node \"web-1\" }}w{{ end }}"),
        "w"
    );
    assert_eq!(render("a  {{- \"b\" -}}  c"), "abc");
    assert_eq!(render("{{/* note */}}x"), "x");
    assert_eq!(
        render("{{ $x := $labels.node }}{{ $x | toUpper }}"),
        "WEB-1"
    );
    assert_eq!(
        render("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}"),
        "instance=web-1:9100;node=web-1;"
    );
    assert_eq!(render("{{ $labels.instance | stripPort }}"), "web-1");
    assert_eq!(render("{{ 0.5 | humanizePercentage }}"), "50%");
    assert_eq!(render("{{ 3661 | humanizeDuration }}"), "1h 1m 1s");
    assert_eq!(render("{{ \"{{\" }}"), "{{");
}

#[test]
fn errors_name_the_place() {
    for (text, want) in [
        ("{{ $value | nope }}", "1:13: function \"nope\" not defined"),
        ("{{ $value ", "unclosed action"),
        ("x\n{{ if true }}y", "2:1: missing {{end}} for {{if}}"),
        ("{{ end }}", "1:1: unexpected {{end}}"),
        ("{{ \"abc }}", "1:4: unterminated quoted string"),
        ("{{ with $labels }}{{ end }}", "not supported"),
    ] {
        let e = parse(text).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
    let t = parse("{{ $nope }}").unwrap();
    assert!(
        t.check()
            .unwrap_err()
            .to_string()
            .contains("undefined variable \"$nope\"")
    );
    let t = parse("{{ .Nope }}").unwrap();
    assert!(t.render(&data()).is_err());
    assert!(expand("x", "{{ .Nope }}", &data()).starts_with("<error expanding template:"));
}
