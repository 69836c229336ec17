//! CA certificates given on the command line (`--ca-cert`): parsed when they are saved and
//! when a client is built, by one reader, so a file that is not a certificate (say
//! `/etc/passwd`) is refused at once instead of failing every later connection.

use std::path::Path;
use std::sync::{Arc, Once};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// The crypto provider of every TLS connection this process makes or accepts: rustls on
/// `ring` (aws-lc-rs was 50 s of a clean build for the same protocols). Installed as the
/// process default once, before the first HTTP client, so reqwest, lettre and tonic agree.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Err means another provider is installed already: that one is then used throughout.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// A new HTTP client builder on the process's TLS provider: every reqwest client starts here.
pub fn http_client() -> reqwest::ClientBuilder {
    provider();
    reqwest::Client::builder()
}

/// The certificates of a PEM file: at least one `CERTIFICATE` block, each of which must
/// decode. The error says what is wrong, for the caller to prefix with the flag.
pub fn parse_ca(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for cert in CertificateDer::pem_slice_iter(pem) {
        certs.push(cert.map_err(|e| format!("a PEM certificate that decodes ({e:?})"))?);
    }
    if certs.is_empty() {
        return Err("a PEM file with at least one CERTIFICATE block".into());
    }
    Ok(certs)
}

/// Read and parse a CA file, as the root certificates of an HTTP client.
pub fn read_ca(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("reading CA certificate {}: {e}", path.display()))?;
    let certs =
        parse_ca(&pem).map_err(|a| format!("CA certificate {}: expected {a}", path.display()))?;
    certs
        .iter()
        .map(|c| {
            reqwest::Certificate::from_der(c.as_ref())
                .map_err(|e| format!("CA certificate {}: not usable ({e})", path.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_certificates_are_accepted() {
        assert!(parse_ca(b"root:x:0:0:root:/root:/bin/bash\n").is_err());
        assert!(parse_ca(b"").is_err());
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(parse_ca(key.as_bytes()).is_err());
        let garbage = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(parse_ca(garbage.as_bytes()).is_err());
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let pem = cert.cert.pem();
        assert_eq!(parse_ca(pem.as_bytes()).unwrap().len(), 1);
        assert_eq!(parse_ca(format!("{pem}{pem}").as_bytes()).unwrap().len(), 2);
    }
}
