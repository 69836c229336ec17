//! CA certificates given on the command line (`--ca-cert`) and read when a client is built:
//! one reader, so every client says the same thing about a missing or malformed file.

use std::path::Path;

/// Read a PEM file and parse its certificate. The error names the file and what went wrong,
/// for the caller to prefix with the flag or the agent it belongs to.
pub fn read_ca(path: &Path) -> Result<reqwest::Certificate, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("reading CA certificate {}: {e}", path.display()))?;
    reqwest::Certificate::from_pem(&pem).map_err(|e| {
        format!(
            "CA certificate {}: not a PEM certificate ({e})",
            path.display()
        )
    })
}
