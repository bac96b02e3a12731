//! Helpers shared by the end-to-end tests: a client pointed at a local wiremock server, the
//! requests it received, recording pipeline steps.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use msgraph_sdk::Client;
use msgraph_sdk::runtime::{ClientBuilder, StaticToken, step_fn};
use msgraph_sdk::runtime::{Step, VERSION};
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The bearer token every test client uses; it must never appear in any output.
pub const TOKEN: &str = "eyJ0eXAi.tok3n-Qx7vPz";
/// A credential value of the body; it must never appear in any output except the wire.
pub const SECRET: &str = "s3cr3t-scim-T0ken-9f2";
/// A proxy password; it must never appear in any output.
pub const PROXY_PASSWORD: &str = "pr0xy-Pa55-w0rd";

pub const SP_ID: &str = "8e881353-1735-45af-af21-ee1344582a4d";
pub const APP_ID: &str = "c0ffee00-1234-4abc-9def-000000000042";
/// Request path of the servicePrincipals operation for [`SP_ID`], under the `/v1.0` base path.
pub const SP_PATH: &str =
    "/v1.0/servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/synchronization/microsoft.graph.acquireAccessToken";
/// Request path of the applications operation for [`APP_ID`].
pub const APP_PATH: &str =
    "/v1.0/applications/c0ffee00-1234-4abc-9def-000000000042/synchronization/microsoft.graph.acquireAccessToken";

pub const SP_TEMPLATE: &str =
    "POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken";
pub const APP_TEMPLATE: &str = "POST /applications/{application-id}/synchronization/microsoft.graph.acquireAccessToken";

/// A server that answers every request with `status` and no body.
pub async fn server_answering(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(status)).mount(&server).await;
    server
}

/// The service root of `server`, with Graph's `/v1.0` base path.
pub fn base_url(server: &MockServer) -> String {
    format!("{}/v1.0", server.uri())
}

/// A client builder for `server`: static token, fast retries, no proxy from the environment.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(base_url(server))
        .credential(StaticToken::new(TOKEN))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("valid client configuration")
}

/// Every request `server` received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// The single request `server` received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = received(server).await;
    assert_eq!(requests.len(), 1, "expected exactly one request, got {}", requests.len());
    requests.remove(0)
}

pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().expect("ASCII header value"))
}

/// The request body as text (exact bytes, for key-order checks).
pub fn body_text(request: &Request) -> &str {
    std::str::from_utf8(&request.body).expect("UTF-8 body")
}

pub fn body_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("JSON body")
}

/// Asserts the headers every call of the operation carries: bearer token, JSON content type,
/// SDK telemetry and a version-4 UUID as `client-request-id`.
pub fn assert_standard_headers(request: &Request) {
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(header(request, "user-agent"), Some(format!("msgraph-rust-sdk/{VERSION}").as_str()));
    assert_eq!(header(request, "sdkversion"), Some(format!("graph-rust/{VERSION}").as_str()));
    let id = header(request, "client-request-id").expect("client-request-id header");
    assert!(is_uuid_v4(id), "client-request-id is not a version-4 UUID: {id}");
}

pub fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// A shared, ordered log that recording steps write to.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A step that logs `"<name> in"` before passing the request on and `"<name> out <status>"`
/// when the response comes back.
pub fn recording_step(name: &'static str, log: &Log) -> impl Step + use<> {
    let log = log.clone();
    step_fn(move |request, next| {
        let log = log.clone();
        async move {
            log.push(format!("{name} in"));
            let response = next.run(request).await;
            match &response {
                Ok(response) => log.push(format!("{name} out {}", response.status().as_u16())),
                Err(_) => log.push(format!("{name} out error")),
            }
            response
        }
    })
}

/// Asserts that none of `texts` contains any of the secrets the tests use.
pub fn assert_no_secrets<'a>(texts: impl IntoIterator<Item = &'a str>) {
    for text in texts {
        for secret in [TOKEN, SECRET, PROXY_PASSWORD] {
            assert!(!text.contains(secret), "output contains the secret {secret:?}:\n{text}");
        }
    }
}
