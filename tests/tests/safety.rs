//! Safety properties end to end: `-WhatIf` sends nothing and shows no secret; path ids cannot
//! escape their segment; no token, credential value or proxy password in any `Debug` or
//! `Display` output.

use crate::common;

use common::*;
use msgraph_sdk::models::{
    AcquireAccessTokenRequestBody, SynchronizationSecret, SynchronizationSecretKeyStringValuePair,
};
use msgraph_sdk::prelude::*;
use msgraph_sdk::runtime::{HttpMethod, Proxy, StaticToken};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- what-if ---------------------------------------------------------------------------------

#[tokio::test]
async fn what_if_sends_nothing_and_describes_the_request_without_secrets() {
    let server = server_answering(204).await;
    let log = Log::default();
    let what_if = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .additional_property("@odata.type", "#microsoft.graph.x")
        .header("X-Trace", "1")
        .header("X-Api-Key", "k3y-value-123")
        .prepend(recording_step("prepend", &log))
        .append(recording_step("append", &log))
        .what_if()
        .unwrap();

    assert!(received(&server).await.is_empty(), "what-if sent a request");
    assert!(log.entries().is_empty(), "what-if ran custom steps");

    let url = format!("{}{SP_PATH}", server.uri());
    assert_eq!(what_if.description(), format!("Call remote '{SP_TEMPLATE}' operation"));
    assert_eq!(what_if.method(), HttpMethod::Post);
    assert_eq!(what_if.url(), url);
    let body: serde_json::Value = serde_json::from_str(what_if.body().expect("a body")).unwrap();
    assert_eq!(
        body,
        json!({
            "credentials": [
                {"key": "BaseAddress", "value": "<redacted>"},
                {"key": "SecretToken", "value": "<redacted>"},
            ],
            "@odata.type": "#microsoft.graph.x",
        })
    );
    let headers = what_if.headers();
    let shown = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(shown("authorization"), Some("Bearer <redacted>"));
    assert_eq!(shown("content-type"), Some("application/json"));
    assert_eq!(shown("x-trace"), Some("1"));
    assert_eq!(shown("x-api-key"), Some("<redacted>"));

    let text = what_if.to_string();
    assert!(text.starts_with(&format!("What if: Call remote '{SP_TEMPLATE}' operation\nPOST {url}\n")), "{text}");
    for expected in ["\"credentials\"", "\"key\": \"BaseAddress\"", "\"key\": \"SecretToken\"", "\"@odata.type\""] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(!text.contains("k3y-value-123"), "{text}");
    assert_no_secrets([text.as_str(), format!("{what_if:?}").as_str()]);
}

#[tokio::test]
async fn what_if_of_the_applications_twin_via_identity() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_application_id(APP_ID);
    let body = AcquireAccessTokenRequestBody::default()
        .with_credentials(vec![SynchronizationSecretKeyStringValuePair::new(SynchronizationSecret::Password, SECRET)]);
    let what_if =
        msgraph_sdk::applications::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
            .unwrap()
            .body(body)
            .what_if()
            .unwrap();
    assert!(received(&server).await.is_empty());
    assert_eq!(what_if.description(), format!("Call remote '{APP_TEMPLATE}' operation"));
    assert_eq!(what_if.url(), format!("{}{APP_PATH}", server.uri()));
    assert!(what_if.to_string().contains("\"key\": \"Password\""));
    assert_no_secrets([what_if.to_string().as_str()]);
}

#[tokio::test]
async fn what_if_reports_argument_errors_like_send() {
    let server = server_answering(204).await;
    let error = client(&server).service_principals().synchronization_acquire_access_token("..").what_if().unwrap_err();
    assert!(error.is_invalid_argument(), "{error:?}");
    assert!(error.to_string().contains("servicePrincipal-id"), "{error}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn after_a_what_if_the_real_call_sends_the_real_secret() {
    let server = server_answering(204).await;
    let client = client(&server);
    let build = || {
        client
            .service_principals()
            .synchronization_acquire_access_token(SP_ID)
            .credential(SynchronizationSecret::SecretToken, SECRET)
    };
    assert!(!build().what_if().unwrap().to_string().contains(SECRET));
    build().send().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(body_json(&request), json!({"credentials": [{"key": "SecretToken", "value": SECRET}]}));
}

// ---- path segments ---------------------------------------------------------------------------

#[tokio::test]
async fn path_ids_are_percent_encoded_as_one_segment() {
    let server = server_answering(204).await;
    let client = client(&server);
    let cases = [
        ("a/b", "a%2Fb"),
        ("a?b=c", "a%3Fb%3Dc"),
        ("a#b", "a%23b"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("é", "%C3%A9"),
        ("../x", "..%2Fx"),
        ("...", "..."),
        ("o'brien", "o%27brien"),
    ];
    for (id, _) in cases {
        client.service_principals().synchronization_acquire_access_token(id).send().await.unwrap();
    }
    let requests = received(&server).await;
    assert_eq!(requests.len(), cases.len());
    for ((id, encoded), request) in cases.iter().zip(&requests) {
        let expected = format!("/v1.0/servicePrincipals/{encoded}/synchronization/microsoft.graph.acquireAccessToken");
        assert_eq!(request.url.path(), expected, "id {id:?}");
        assert_eq!(request.url.query(), None, "id {id:?}");
        assert_eq!(request.url.fragment(), None, "id {id:?}");
    }
}

#[tokio::test]
async fn an_id_mixing_every_reserved_character_stays_one_segment() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_application_id("a/b?c#d%e f'é");
    msgraph_sdk::applications::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        request.url.path(),
        "/v1.0/applications/a%2Fb%3Fc%23d%25e%20f%27%C3%A9/synchronization/microsoft.graph.acquireAccessToken"
    );
    assert_eq!(request.url.path_segments().unwrap().count(), 5);
}

/// Accepts one connection on 127.0.0.1, reads one request, answers `204 No Content` and returns
/// the request head exactly as it arrived on the socket.
async fn capture_one_request_head() -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1.0", listener.local_addr().unwrap());
    let head = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        let head_end = loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "connection closed before the end of the request head");
            received.extend_from_slice(&buffer[..n]);
        };
        let head = String::from_utf8(received[..head_end].to_vec()).unwrap();
        let length: usize = head
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        // Read the whole body first: closing a socket with unread data would reset the connection.
        while received.len() < head_end + 4 + length {
            let n = socket.read(&mut buffer).await.unwrap();
            assert!(n > 0, "connection closed before the end of the body");
            received.extend_from_slice(&buffer[..n]);
        }
        socket.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await.unwrap();
        socket.shutdown().await.unwrap();
        head
    });
    (base_url, head)
}

#[tokio::test]
async fn the_request_line_on_the_wire_carries_the_encoded_segment() {
    let (base_url, head) = capture_one_request_head().await;
    let client = Client::builder().base_url(base_url).credential(StaticToken::new(TOKEN)).no_proxy().build().unwrap();
    client.service_principals().synchronization_acquire_access_token("a/b?c#d%e f'é").send().await.unwrap();
    let head = head.await.unwrap();
    let request_line = head.lines().next().unwrap();
    assert_eq!(
        request_line,
        "POST /v1.0/servicePrincipals/a%2Fb%3Fc%23d%25e%20f%27%C3%A9/synchronization/microsoft.graph.acquireAccessToken HTTP/1.1"
    );
}

#[tokio::test]
async fn dot_and_empty_ids_are_refused_before_any_request() {
    let server = server_answering(204).await;
    let client = client(&server);
    for id in ["", ".", ".."] {
        let error = client.service_principals().synchronization_acquire_access_token(id).send().await.unwrap_err();
        assert!(error.is_invalid_argument(), "{id:?}: {error:?}");
        assert!(error.to_string().contains("'servicePrincipal-id'"), "{id:?}: {error}");

        let error = client.applications().synchronization_acquire_access_token(id).send().await.unwrap_err();
        assert!(error.to_string().contains("'application-id'"), "{id:?}: {error}");
    }
    for id in [".", ".."] {
        let identity = ApplicationsIdentity::new().with_service_principal_id(id);
        let builder =
            msgraph_sdk::service_principals::SynchronizationAcquireAccessToken::via_identity(&client, &identity)
                .unwrap();
        let error = builder.send().await.unwrap_err();
        assert!(error.is_invalid_argument(), "{id:?}: {error:?}");
    }
    assert!(received(&server).await.is_empty());
}

// ---- secrets in Debug / Display --------------------------------------------------------------

#[tokio::test]
async fn debug_of_builder_body_and_client_never_shows_secrets() {
    let server = server_answering(204).await;
    let proxy = Proxy::all("http://proxy.contoso.com:8080").unwrap().basic_auth("alice", PROXY_PASSWORD);
    let client =
        builder(&server).proxy(proxy).default_header("Authorization", format!("Bearer {TOKEN}")).build().unwrap();
    let body =
        AcquireAccessTokenRequestBody::default().with_credentials(vec![SynchronizationSecretKeyStringValuePair::new(
            SynchronizationSecret::SecretToken,
            SECRET,
        )]);
    let request = client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .body(body.clone())
        .credential(SynchronizationSecret::Password, SECRET)
        .header("Authorization", format!("Bearer {TOKEN}"));
    let texts = [
        format!("{request:?}"),
        format!("{request:#?}"),
        format!("{body:?}"),
        format!("{body:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ];
    assert_no_secrets(texts.iter().map(String::as_str));
    assert!(texts[0].contains("SecretToken") && texts[0].contains(SP_ID), "{}", texts[0]);
    assert!(texts[4].contains("alice"), "{}", texts[4]);
}

#[tokio::test]
async fn errors_never_show_secrets() {
    // A service error whose response carries a cookie (a sensitive header).
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Bearer realm=\"\", error=\"invalid_token\"")
                .insert_header("set-cookie", format!("session={SECRET}"))
                .set_body_json(
                    json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}),
                ),
        )
        .mount(&server)
        .await;
    let service = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service.service_error().unwrap().code(), Some("InvalidAuthenticationToken"));

    // An argument error about a header whose value is a secret.
    let argument = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .header("X-Token", format!("{SECRET}\n"))
        .send()
        .await
        .unwrap_err();

    // A transport error through an unreachable proxy with a password.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_address = closed.local_addr().unwrap();
    drop(closed);
    let proxy = Proxy::all(format!("http://{closed_address}")).unwrap().basic_auth("alice", PROXY_PASSWORD);
    let transport = Client::builder()
        .base_url("http://graph.example.invalid/v1.0")
        .proxy(proxy)
        .max_retries(0)
        .build()
        .unwrap()
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(transport, msgraph_sdk::Error::Transport(_)), "{transport:?}");

    for error in [&service, &argument, &transport] {
        let texts = [error.to_string(), format!("{error:?}"), format!("{error:#?}")];
        assert_no_secrets(texts.iter().map(String::as_str));
    }
}
