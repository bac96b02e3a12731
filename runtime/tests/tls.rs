//! TLS end to end, on 127.0.0.1: a local HTTPS server whose certificate is signed by a CA of
//! the test's own, reached through the client's default TLS configuration (rustls on ring,
//! the operating system's verifier) plus that CA as an extra root. Without the root, the
//! certificate is refused as a transport error; a broken PEM is a configuration error.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{GET_USER, TOKEN};
use msgraph_runtime::{Call, Client, Error, StaticToken};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// A CA (its PEM) and a server certificate for `localhost` signed by it.
fn certificates() -> (String, rustls::pki_types::CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "msgraph test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();
    let key = PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    (ca.pem(), leaf.der().clone(), key)
}

/// Serves HTTPS (HTTP/1.1) on 127.0.0.1, answering every request 204; records request heads.
async fn https_server(
    chain: rustls::pki_types::CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![chain], key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                // A refused handshake (the client without the CA) just ends this connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                let _ =
                    tls.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, heads)
}

fn get_user() -> Call {
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    call
}

#[tokio::test]
async fn https_with_an_added_root_certificate_carries_the_call_and_its_token() {
    let (ca_pem, leaf, key) = certificates();
    let (port, heads) = https_server(leaf, key).await;
    let client = Client::builder()
        .base_url(format!("https://localhost:{port}/v1.0"))
        .credential(StaticToken::new(TOKEN))
        .no_proxy()
        .add_root_certificates_pem(&ca_pem)
        .build()
        .unwrap();
    let response = client.execute(get_user()).await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with("GET /v1.0/users/u1 HTTP/1.1\r\n"), "{}", heads[0]);
    assert!(heads[0].to_ascii_lowercase().contains(&format!("authorization: bearer {}", TOKEN.to_ascii_lowercase())));
}

#[tokio::test]
async fn a_certificate_the_client_does_not_trust_is_a_transport_error_and_sends_nothing() {
    let (_ca_pem, leaf, key) = certificates();
    let (port, heads) = https_server(leaf, key).await;
    let client = Client::builder()
        .base_url(format!("https://localhost:{port}/v1.0"))
        .credential(StaticToken::new(TOKEN))
        .no_proxy()
        .max_retries(0)
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(get_user()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let text = error.to_string();
    assert!(!text.contains(TOKEN), "{text}");
    assert!(heads.lock().unwrap().is_empty(), "no request reached the server");
}

#[test]
fn a_broken_root_certificate_is_a_configuration_error() {
    for pem in ["", "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"] {
        let error = Client::builder().add_root_certificates_pem(pem).build().unwrap_err();
        assert!(matches!(error, Error::Configuration(_)), "{error:?}");
    }
}
