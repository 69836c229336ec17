//! Flame graphs: a profile's stacks, weighted by its default sample type, drawn as SVG by
//! inferno.

use super::pprof::Decoded;
use crate::error::{Error, Result};

/// An SVG flame graph of `profile`.
pub fn svg(profile: &Decoded, kind: &str) -> Result<Vec<u8>> {
    let index = profile.default_index();
    let lines = profile.folded(index);
    if lines.is_empty() {
        return Err(Error::NotFound(
            "nothing to draw: the profile has no samples (was the target idle?); \
             use --format pprof to keep the empty profile"
                .into(),
        ));
    }
    let (ty, unit) = profile
        .sample_types()
        .get(index)
        .cloned()
        .unwrap_or_default();
    let mut options = inferno::flamegraph::Options::default();
    options.title = format!("hivemind {kind} profile ({ty})");
    options.count_name = unit;
    // The same profile gives the same colours.
    options.hash = true;
    options.deterministic = true;
    let mut out = Vec::new();
    inferno::flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), &mut out)
        .map_err(|e| Error::io("drawing the flame graph", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::pprof::{Builder, decode};
    use super::*;

    #[test]
    fn draws_an_svg_with_the_frames() {
        let mut b = Builder::new(&[("cpu", "nanoseconds")]);
        let main = b.frame("main");
        let spin = b.frame("spin <&'a str>");
        b.sample(vec![spin, main], &[10], vec![]);
        let d = decode(&b.finish().unwrap()).unwrap();
        let svg = String::from_utf8(svg(&d, "cpu").unwrap()).unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(
            svg.contains("spin &lt;&amp;&apos;a str&gt;")
                || svg.contains("spin &lt;&amp;'a str&gt;")
        );
        let empty = decode(&Builder::new(&[("cpu", "nanoseconds")]).finish().unwrap()).unwrap();
        assert!(svg_err(&empty));
    }

    fn svg_err(d: &Decoded) -> bool {
        svg(d, "cpu").is_err()
    }
}
