//! HTTPS for the API listener: a rustls server configuration from PEM files.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

/// Load a certificate chain and private key (PKCS#8, PKCS#1 or SEC1) into a server config
/// that speaks HTTP/2 and HTTP/1.1.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| Error::caused(format!("--tls-cert {}", cert.display()), e))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::caused(format!("--tls-cert {}", cert.display()), e))?;
    if certs.is_empty() {
        return Err(Error::invalid(
            "--tls-cert",
            &cert.display().to_string(),
            "a PEM file with at least one CERTIFICATE",
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Error::Other(format!(
            "--tls-key {}: no usable private key ({e})",
            key.display()
        ))
    })?;
    let provider = crate::net::tls::provider();
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::caused("TLS setup", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::caused("--tls-cert/--tls-key do not form a usable pair", e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
