//! `Client::what_if` (`-WhatIf`): sends nothing, fetches no token, shows no secret.

use crate::common;

use bytes::Bytes;
use common::*;
use msgraph_runtime::{Call, Client, HttpMethod, Secret};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "s3cr3t-body-value";

#[tokio::test]
async fn what_if_sends_nothing_and_renders_the_request() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let credential = CountingCredential::new();
    let client = builder(&server)
        .credential_arc(credential.clone())
        .default_header("x-api-key", "key-value-999")
        .default_header("x-tenant", "contoso")
        .build()
        .unwrap();
    let mut call = acquire_call(SECRET);
    call.options_mut().header("ConsistencyLevel", "eventual");

    let what_if = client.what_if(call).unwrap();

    assert!(requests(&server).await.is_empty(), "what-if sends nothing");
    assert_eq!(credential.fetches(), 0, "what-if fetches no token");

    let url = format!("{}{ACQUIRE_PATH}", server.uri());
    assert_eq!(what_if.method(), HttpMethod::Post);
    assert_eq!(what_if.url(), url);
    assert_eq!(
        what_if.description(),
        "Call remote 'POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken' operation"
    );
    let text = what_if.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "What if: Call remote 'POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken' operation"
    );
    assert_eq!(lines[1], format!("POST {url}"));
    assert_eq!(lines[2], "authorization: Bearer <redacted>");
    assert_eq!(lines[3], "content-type: application/json");
    for expected in [
        "x-api-key: <redacted>",
        "x-tenant: contoso",
        "consistencylevel: eventual",
        &format!("user-agent: msgraph-rust-sdk/{}", env!("CARGO_PKG_VERSION")),
        &format!("sdkversion: graph-rust/{}", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in\n{text}");
    }
    assert!(lines.iter().any(|l| l.starts_with("client-request-id: ")));
    // Headers, a blank line, then the pretty body with the secret redacted.
    let blank = lines.iter().position(|l| l.is_empty()).unwrap();
    let body = lines[blank + 1..].join("\n");
    assert_eq!(
        body,
        "{\n  \"credentials\": [\n    {\n      \"key\": \"password\",\n      \"value\": \"<redacted>\"\n    }\n  ]\n}"
    );
    assert_eq!(what_if.body(), Some(body.as_str()));

    for shown in [text, format!("{what_if:?}")] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("key-value-999"), "{shown}");
    }
}

#[tokio::test]
async fn what_if_without_credential_has_no_authorization_line_but_redacts_explicit_ones() {
    let client = Client::builder().build().unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "a b");
    call.query_param("$select", "id");
    let text = client.what_if(call).unwrap().to_string();
    assert!(text.contains("GET https://graph.microsoft.com/v1.0/users/a%20b?$select=id"), "{text}");
    assert!(!text.contains("authorization"), "{text}");
    assert!(!text.contains("\n\n"), "no body, no blank line: {text}");

    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u");
    call.header("Authorization", "Bearer explicit-token-555");
    let text = client.what_if(call).unwrap().to_string();
    assert!(text.contains("authorization: <redacted>") && !text.contains("explicit-token-555"), "{text}");
}

#[test]
fn json_body_redacted_and_raw_bodies() {
    #[derive(serde::Serialize)]
    struct PasswordCredential {
        #[serde(rename = "secretText")]
        secret_text: Secret,
        hint: &'static str,
    }
    let client = Client::builder().build().unwrap();
    let mut call = Call::new(&common::ACQUIRE);
    call.path_param("servicePrincipal-id", "sp-1");
    call.json_body_redacted(&PasswordCredential { secret_text: Secret::from(SECRET), hint: "abc" });
    let what_if = client.what_if(call).unwrap();
    assert_eq!(what_if.body(), Some("{\n  \"secretText\": \"<redacted>\",\n  \"hint\": \"abc\"\n}"));

    let mut call = Call::new(&common::ACQUIRE);
    call.path_param("servicePrincipal-id", "sp-1");
    call.raw_body("application/octet-stream", Bytes::from_static(b"\x00\x01binary s3cr3t"));
    let what_if = client.what_if(call).unwrap();
    assert_eq!(what_if.body(), Some("<15 bytes of application/octet-stream>"));
    assert!(what_if.headers().contains(&("content-type".to_owned(), "application/octet-stream".to_owned())));
}

#[test]
fn what_if_reports_invalid_arguments() {
    let client = Client::builder().build().unwrap();
    let mut call = Call::new(&common::ACQUIRE);
    call.path_param("servicePrincipal-id", "..");
    assert!(client.what_if(call).unwrap_err().is_invalid_argument());
}
