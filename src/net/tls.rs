//! CA certificates given on the command line (`--ca-cert`): parsed when they are saved and
//! when a client is built, by one reader, so a file that is not a certificate (say
//! `/etc/passwd`) is refused at once instead of failing every later connection.
//!
//! And the TLS client configuration of agent clients: the system's root certificates are
//! read and parsed once per process (not once per agent, and not at all for `http://`
//! agents), and an agent's own CA is added on top of that one store.

use std::path::Path;
use std::sync::{Arc, Once, OnceLock};

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

/// The system's root certificates (`SSL_CERT_FILE`/`SSL_CERT_DIR` or the distribution's
/// bundle), read and parsed on first use and then shared by every client of this process.
/// Certificates that do not parse are skipped, as every TLS client does.
pub fn system_roots() -> Arc<rustls::RootCertStore> {
    static ROOTS: OnceLock<Arc<rustls::RootCertStore>> = OnceLock::new();
    Arc::clone(ROOTS.get_or_init(|| {
        let mut store = rustls::RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
        Arc::new(store)
    }))
}

/// What an agent client trusts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Trust {
    /// Plain `http://`: no certificate is ever checked, so no roots are loaded.
    None,
    /// The system's roots.
    System,
    /// The system's roots and the CA certificates of this PEM file.
    Ca(std::path::PathBuf),
}

/// A TLS client configuration for `trust` (HTTP/2 and HTTP/1.1 offered by ALPN). The system
/// roots are loaded once per process ([`system_roots`]); a CA file is added to a copy of them.
pub fn client_config(trust: &Trust) -> Result<rustls::ClientConfig, String> {
    let roots = match trust {
        Trust::None => Arc::new(rustls::RootCertStore::empty()),
        Trust::System => system_roots(),
        Trust::Ca(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("reading CA certificate {}: {e}", path.display()))?;
            let certs = parse_ca(&pem)
                .map_err(|a| format!("CA certificate {}: expected {a}", path.display()))?;
            let mut store = (*system_roots()).clone();
            for cert in certs {
                store
                    .add(cert)
                    .map_err(|e| format!("CA certificate {}: not usable ({e})", path.display()))?;
            }
            Arc::new(store)
        }
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS settings: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
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
