//! The trust store and TLS settings shared by the token client and the gRPC client.
//!
//! Roots: Mozilla's (webpki-roots), then the system's (as Go clients use), then the
//! certificates of [`ServiceConfig::extra_ca_file`](super::ServiceConfig::extra_ca_file)
//! (`SSL_CERT_FILE`), so a private CA works with no insecure switch. TLS 1.2 at least, as baton.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, RootCertStore};

use super::error::ServiceError;

/// Builds the root store. A system store that cannot be read is only logged (Mozilla's roots
/// remain); an extra CA file that cannot be read, or holds no certificate, is an error.
pub(crate) fn root_store(extra_ca_file: Option<&Path>) -> Result<RootCertStore, ServiceError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!(error = %e, "could not read part of the system certificate store");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!(added, ignored, "system certificates");
    if let Some(path) = extra_ca_file {
        let ca_err = |reason: String| ServiceError::CaFile {
            path: path.to_path_buf(),
            reason,
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| ca_err(e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| ca_err(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_err("it holds no PEM certificate".into()));
        }
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(ca_err("none of its certificates could be used".into()));
        }
        tracing::debug!(added, path = %path.display(), "extra CA certificates");
    }
    Ok(roots)
}

/// A client configuration over `roots` with the ring provider, TLS 1.2 and 1.3, and no ALPN
/// (each client sets its own).
pub(crate) fn client_config(roots: Arc<RootCertStore>) -> Result<ClientConfig, ServiceError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| ServiceError::Client(format!("TLS settings: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let err = root_store(Some(&missing)).unwrap_err();
        assert!(err.to_string().contains("nope.pem"), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = root_store(Some(&empty)).unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn the_default_store_has_public_roots() {
        assert!(root_store(None).unwrap().len() >= webpki_roots::TLS_SERVER_ROOTS.len());
    }
}
