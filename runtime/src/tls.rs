//! The TLS configuration of every client: rustls with TLS 1.3 and 1.2, the crypto provider
//! chosen here (ring; aws-lc-rs with the `tls-aws-lc-rs` feature), certificates checked by
//! the operating system's verifier (`rustls-platform-verifier`, as reqwest itself would), plus
//! any root certificates the caller added (a TLS-inspecting corporate proxy, a test server).
//!
//! The provider is passed to this client's configuration only: nothing is installed
//! process-wide, so an application's own `CryptoProvider::install_default` still works.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::error::Error;

fn provider() -> Arc<CryptoProvider> {
    #[cfg(feature = "tls-aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "tls-aws-lc-rs"))]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

/// Every certificate of a PEM bundle; an error (naming neither bytes nor contents) when it
/// holds none or a broken one.
pub(crate) fn parse_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a root certificate is not valid PEM: {e}"))?;
    if certificates.is_empty() {
        return Err("a root certificate PEM holds no CERTIFICATE block".to_owned());
    }
    Ok(certificates)
}

/// The configuration reqwest uses for every `https` connection of one client.
pub(crate) fn client_config(extra_roots: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, Error> {
    let provider = provider();
    let fail = |what: &str, e: &dyn std::fmt::Display| Error::Configuration(format!("cannot set up TLS ({what}): {e}"));
    let verifier = if extra_roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| fail("certificate verifier", &e))?
    } else {
        extra_roots_verifier(extra_roots, provider.clone())?
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("protocol versions", &e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // HTTP/2 when the server offers it, else HTTP/1.1 (what reqwest negotiates by itself).
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
fn extra_roots_verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, Error> {
    rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
        .map_err(|e| Error::Configuration(format!("cannot set up TLS (extra root certificates): {e}")))
}

#[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
fn extra_roots_verifier(
    _roots: Vec<CertificateDer<'static>>,
    _provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, Error> {
    Err(Error::Configuration("extra root certificates are not supported on this platform".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_certificates_or_broken_is_refused_without_echoing_it() {
        assert!(parse_pem(b"").unwrap_err().contains("no CERTIFICATE block"));
        assert!(parse_pem(b"not pem at all, s3cr3t").unwrap_err().contains("no CERTIFICATE block"));
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!s3cr3t!!!\n-----END CERTIFICATE-----\n";
        let error = parse_pem(broken).unwrap_err();
        assert!(!error.contains("s3cr3t"), "{error}");
    }

    #[test]
    fn the_default_configuration_offers_h2_and_http1_with_tls13_and_tls12() {
        let config = client_config(Vec::new()).unwrap();
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(config.crypto_provider().cipher_suites.iter().any(|s| s.version() == &rustls::version::TLS13));
        assert!(config.crypto_provider().cipher_suites.iter().any(|s| s.version() == &rustls::version::TLS12));
    }
}
