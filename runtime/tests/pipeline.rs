//! Pipeline order, custom steps, default/per-call headers and telemetry.

use crate::common;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::*;
use msgraph_runtime::pipeline::Attempt;
use msgraph_runtime::{Error, HeaderValue, StatusCode, Step, step_fn};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

type Log = Arc<Mutex<Vec<String>>>;

/// A step that records its name and what it saw of the request.
fn recorder(log: &Log, name: &'static str) -> impl Step {
    let log = log.clone();
    step_fn(move |request, next| {
        let attempt = request.extensions().get::<Attempt>().map_or(0, |a| a.0);
        let auth = request.headers().contains_key("authorization");
        let crid = request.headers().contains_key("client-request-id");
        log.lock().unwrap().push(format!("{name} attempt={attempt} auth={auth} crid={crid}"));
        next.run(request)
    })
}

#[tokio::test]
async fn prepend_runs_once_per_call_and_append_once_per_attempt_in_order() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let log: Log = Arc::default();
    let client = builder(&server)
        .credential_arc(CountingCredential::new())
        .prepend(recorder(&log, "client-prepend"))
        .append(recorder(&log, "client-append"))
        .build()
        .unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().prepend(recorder(&log, "call-prepend")).append(recorder(&log, "call-append"));

    client.execute(call).await.unwrap();

    let expected = [
        // Prepend steps run before telemetry and authentication.
        "client-prepend attempt=0 auth=false crid=false",
        "call-prepend attempt=0 auth=false crid=false",
        "call-append attempt=1 auth=true crid=true",
        "client-append attempt=1 auth=true crid=true",
        "call-append attempt=2 auth=true crid=true",
        "client-append attempt=2 auth=true crid=true",
        "call-append attempt=3 auth=true crid=true",
        "client-append attempt=3 auth=true crid=true",
    ];
    assert_eq!(*log.lock().unwrap(), expected);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn a_step_can_answer_without_calling_next() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().prepend(step_fn(|_request, _next| async {
        let mut response = http::Response::new(Bytes::from_static(b"{\"cached\":true}"));
        *response.status_mut() = StatusCode::OK;
        response.headers_mut().insert("x-from", HeaderValue::from_static("cache"));
        Ok(response)
    }));
    let response = client.execute(call).await.unwrap();
    assert_eq!(response.headers()["x-from"], "cache");
    assert_eq!(response.value().as_ref(), b"{\"cached\":true}");
    assert!(requests(&server).await.is_empty());
    assert_eq!(credential.fetches(), 0);
}

#[tokio::test]
async fn steps_can_change_requests_and_responses_and_fail() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server)
        .append(step_fn(|mut request, next| async move {
            request.headers_mut().insert("x-added", HeaderValue::from_static("yes"));
            let mut response = next.run(request).await?;
            response.headers_mut().insert("x-seen", HeaderValue::from_static("yes"));
            Ok(response)
        }))
        .build()
        .unwrap();
    let response = client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(response.headers()["x-seen"], "yes");
    assert_eq!(header(&requests(&server).await[0], "x-added"), Some("yes"));

    let mut call = acquire_call("pw");
    call.options_mut().prepend(step_fn(|_request, _next| async { Err(Error::step("policy says no")) }));
    let error = client.execute(call).await.unwrap_err();
    assert!(matches!(error, Error::Step { .. }));
    assert_eq!(error.to_string(), "pipeline step failed: policy says no");
}

#[tokio::test]
async fn default_and_per_call_headers_and_telemetry_arrive() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server)
        .default_header("x-default", "client")
        .default_header("x-overridden", "client")
        .build()
        .unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().header("x-overridden", "call").header("x-per-call", "1");
    client.execute(call).await.unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().header("client-request-id", "caller-chosen");
    client.execute(call).await.unwrap();

    let received = requests(&server).await;
    let first = &received[0];
    assert_eq!(header(first, "x-default"), Some("client"));
    assert_eq!(header(first, "x-overridden"), Some("call"));
    assert_eq!(header(first, "x-per-call"), Some("1"));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(header(first, "user-agent"), Some(format!("msgraph-rust-sdk/{version}").as_str()));
    assert_eq!(header(first, "sdkversion"), Some(format!("graph-rust/{version}").as_str()));
    assert_eq!(header(first, "authorization"), None, "no credential, no token");

    let id1 = header(&received[0], "client-request-id").unwrap();
    let id2 = header(&received[1], "client-request-id").unwrap();
    assert_eq!(id1.len(), 36);
    assert_ne!(id1, id2, "a fresh client-request-id per call");
    assert_eq!(header(&received[1], "x-per-call"), None, "per-call headers stay with their call");
    assert_eq!(header(&received[2], "client-request-id"), Some("caller-chosen"));
}

#[tokio::test]
async fn client_request_id_is_stable_across_retries() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received.len(), 2);
    assert_eq!(header(&received[0], "client-request-id"), header(&received[1], "client-request-id"));
}

/// With custom steps the built-in steps run between and after them; redirects, claims
/// challenges and a changed URL behave as without them.
#[tokio::test]
async fn built_in_behaviour_holds_around_custom_steps() {
    // A prepend step that sends the call to another host: the request goes there.
    let elsewhere = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&elsewhere).await;
    let server = MockServer::start().await;
    let target: http::Uri = format!("{}{ACQUIRE_PATH}", elsewhere.uri()).parse().unwrap();
    let client = builder(&server)
        .credential_arc(CountingCredential::new())
        .prepend(step_fn(move |mut request, next| {
            *request.uri_mut() = target.clone();
            next.run(request)
        }))
        .build()
        .unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert!(requests(&server).await.is_empty());
    let moved = requests(&elsewhere).await;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].url.path(), ACQUIRE_PATH);
    assert_eq!(header(&moved[0], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));

    // An append step, then a redirect to another origin: the token stays behind.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/elsewhere", elsewhere.uri())))
        .mount(&server)
        .await;
    let log = Log::default();
    let client =
        builder(&server).credential_arc(CountingCredential::new()).append(recorder(&log, "append")).build().unwrap();
    // A GET: a 307 would not resend acquireAccessToken's secret body to another origin at all.
    let mut call = msgraph_runtime::Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    client.execute(call).await.unwrap();
    let hop = requests(&elsewhere).await.pop().unwrap();
    assert_eq!(hop.url.path(), "/elsewhere");
    assert_eq!(header(&hop, "authorization"), None, "the token must not leave its origin");
    assert_eq!(*log.lock().unwrap(), ["append attempt=1 auth=true crid=true"], "redirects follow the append steps");

    // An append step and a claims challenge: the step sees both tries, the second with the
    // fresh token.
    let server = MockServer::start().await;
    let challenge = ResponseTemplate::new(401)
        .insert_header("www-authenticate", r#"Bearer error="insufficient_claims", claims="eyJhIjoxfQ==""#);
    Mock::given(wiremock::matchers::header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(challenge)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = tokens.clone();
    let credential = CountingCredential::new();
    let client = builder(&server)
        .credential_arc(credential.clone())
        .append(step_fn(move |request, next| {
            let token = request.headers().get("authorization").map(|v| v.to_str().unwrap().to_owned());
            seen.lock().unwrap().push(token);
            next.run(request)
        }))
        .build()
        .unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(*credential.claims.lock().unwrap(), [None, Some(r#"{"a":1}"#.to_owned())]);
    assert_eq!(*tokens.lock().unwrap(), [Some(format!("Bearer {TOKEN}")), Some(format!("Bearer {TOKEN}-2"))]);
}
