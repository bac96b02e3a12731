//! Across the fault matrix, with `tracing` captured at TRACE: the token, a `Secret` body value,
//! a proxy password and a secret header never appear in logs, `Debug`, `Display` or what-if.
//!
//! This file holds a single test because it installs the process-wide subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use msgraph_runtime::{Call, Client, HttpMethod, OperationInfo, Proxy, Secret};
use wiremock::matchers::{any, header as has_header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BODY_SECRET: &str = "body-s3cret-4711";
const PROXY_PASSWORD: &str = "proxy-pa55-0815";
const HEADER_SECRET: &str = "hdr-s3cret-1234";
const CALL_HEADER_SECRET: &str = "call-api-key-5678";
/// Sent in headers whose names say nothing: only the value's shape marks them as credentials.
const AUX_TOKEN: &str = "aux-token-2468";
const POP_TOKEN: &str = "pop-token-1357";
/// base64("alice:proxy-pa55-0815"), in case anything printed the encoded header.
const PROXY_BASIC: &str = "YWxpY2U6cHJveHktcGE1NS0wODE1";

static UPDATE_USER: OperationInfo = OperationInfo {
    operation_id: "users.user.UpdateUser",
    method: HttpMethod::Post,
    path_template: "/users/{user-id}",
    permissions: None,
};

#[derive(serde::Serialize)]
struct PasswordProfile {
    #[serde(rename = "forceChangePasswordNextSignIn")]
    force_change: bool,
    password: Secret,
}

fn secret_call(user: &str) -> Call {
    let mut call = Call::new(&UPDATE_USER);
    call.path_param("user-id", user);
    call.json_body(&PasswordProfile { force_change: true, password: Secret::from(BODY_SECRET) });
    call.options_mut().header("x-api-key", CALL_HEADER_SECRET);
    call.options_mut().header("x-relay", &format!("PoP {POP_TOKEN}"));
    call
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn describe<T: std::fmt::Debug>(outputs: &mut Vec<String>, result: &Result<T, msgraph_runtime::Error>) {
    match result {
        Ok(value) => outputs.push(format!("{value:?}")),
        Err(error) => {
            outputs.push(error.to_string());
            outputs.push(format!("{error:?}"));
            outputs.push(format!("{error:#?}"));
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                outputs.push(cause.to_string());
                source = cause.source();
            }
        }
    }
}

#[tokio::test]
async fn secrets_never_leak_across_the_fault_matrix() {
    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let other = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&other).await;
    let server = MockServer::start().await;
    let claims = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ";
    Mock::given(path("/v1.0/users/claims"))
        .and(has_header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "www-authenticate",
            format!(r#"Bearer error="insufficient_claims", claims="{claims}""#).as_str(),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/throttle"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/denied"))
        .respond_with(ResponseTemplate::new(403).set_body_raw(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innerError":{"request-id":"r1"}}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/garbage"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .mount(&server)
        .await;
    // Refused: the body holds a secret. Then followed as a GET without the body.
    Mock::given(path("/v1.0/users/redirect"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/x", other.uri()).as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", format!("{}/x", other.uri()).as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/slow"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/echo"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(r#"{{"secretText":"{BODY_SECRET}"}}"#)))
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    let credential = CountingCredential::new();
    let client = builder(&server)
        .credential_arc(credential.clone())
        .default_header("x-client-secret", HEADER_SECRET)
        .default_header("x-ms-authorization-auxiliary", format!("Bearer {AUX_TOKEN}"))
        .build()
        .unwrap();
    let mut outputs = vec![format!("{client:?}"), format!("{client:#?}"), format!("{credential:?}")];

    for user in ["ok", "claims", "throttle", "denied", "garbage", "redirect", "moved", "echo"] {
        let call = secret_call(user);
        outputs.push(format!("{call:?}"));
        let result = client.execute(call).await;
        describe(&mut outputs, &result);
    }
    let mut slow = secret_call("slow");
    slow.options_mut().timeout(Duration::from_millis(100));
    describe(&mut outputs, &client.execute(slow).await);
    let echoed = client.execute(secret_call("echo")).await.and_then(|r| r.json::<Vec<u32>>());
    describe(&mut outputs, &echoed);

    let what_if = client.what_if(secret_call("ok")).unwrap();
    outputs.push(what_if.to_string());
    outputs.push(format!("{what_if:?}"));

    // Transport failure with a credential.
    let closed = closed_port().await;
    let unreachable = Client::builder()
        .base_url(format!("http://{closed}/v1.0"))
        .no_proxy()
        .credential_arc(credential.clone())
        .max_retries(1)
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    describe(&mut outputs, &unreachable.execute(secret_call("ok")).await);

    // A password-protected proxy, reachable and not.
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    for proxy_url in [proxy_server.uri(), format!("http://{closed}")] {
        let proxy = Proxy::all(&proxy_url).unwrap().basic_auth("alice", PROXY_PASSWORD);
        outputs.push(format!("{proxy:?}"));
        let proxied = Client::builder()
            .base_url("http://graph.example.invalid/v1.0")
            .proxy(proxy)
            .max_retries(1)
            .retry_backoff(Duration::from_millis(1))
            .build()
            .unwrap();
        outputs.push(format!("{proxied:?}"));
        describe(&mut outputs, &proxied.execute(secret_call("ok")).await);
    }
    assert_eq!(requests(&proxy_server).await.len(), 1);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    // The capture really ran at TRACE and saw the matrix.
    for expected in [
        "sending request",
        "received response",
        "request headers",
        "retrying",
        "REDACTED",
        "request failed",
        "following redirect",
        "call timed out",
    ] {
        assert!(logs.contains(expected), "log lacks {expected:?}:\n{logs}");
    }
    outputs.push(logs);

    if std::env::var_os("DUMP_REDACTION").is_some() {
        eprintln!("{}", outputs.join("\n----\n"));
    }
    let forbidden =
        [TOKEN, BODY_SECRET, PROXY_PASSWORD, PROXY_BASIC, HEADER_SECRET, CALL_HEADER_SECRET, AUX_TOKEN, POP_TOKEN];
    for output in &outputs {
        for secret in forbidden {
            assert!(!output.contains(secret), "{secret:?} leaked in:\n{output}");
        }
    }
    // Sanity: the secret really was sent where it had to go.
    let sent = requests(&server).await;
    assert!(sent.iter().any(|r| String::from_utf8_lossy(&r.body).contains(BODY_SECRET)));
    assert!(sent.iter().any(|r| header(r, "authorization") == Some(format!("Bearer {TOKEN}").as_str())));
    assert!(sent.iter().any(|r| header(r, "x-relay") == Some(format!("PoP {POP_TOKEN}").as_str())));
    let hopped = requests(&other).await;
    assert_eq!(hopped.len(), 1, "only the 302, as a GET; the 307 with the secret body was refused");
    assert_eq!(hopped[0].method.as_str(), "GET");
    for name in ["authorization", "x-client-secret", "x-ms-authorization-auxiliary", "x-api-key", "x-relay"] {
        assert_eq!(header(&hopped[0], name), None, "{name} followed the redirect to another origin");
    }
}
