//! Pipeline steps (`-HttpPipelinePrepend` / `-HttpPipelineAppend`) at client and call level,
//! in the documented order, per call vs per attempt, short-circuiting; and an explicit proxy
//! with Basic credentials (`-Proxy` / `-ProxyCredential`).

use crate::common;

use common::*;
use msgraph_sdk::Error;
use msgraph_sdk::models::SynchronizationSecret;
use msgraph_sdk::prelude::*;
use msgraph_sdk::runtime::{Bytes, HeaderValue, HttpResponse, Proxy, StatusCode, step_fn};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn client_and_call_steps_run_in_the_documented_order() {
    let server = server_answering(204).await;
    let log = Log::default();
    let client = builder(&server)
        .prepend(recording_step("client prepend 1", &log))
        .prepend(recording_step("client prepend 2", &log))
        .append(recording_step("client append", &log))
        .build()
        .unwrap();
    client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .prepend(recording_step("call prepend", &log))
        .append(recording_step("call append", &log))
        .send()
        .await
        .unwrap();
    assert_eq!(
        log.entries(),
        [
            "client prepend 1 in",
            "client prepend 2 in",
            "call prepend in",
            "call append in",
            "client append in",
            "client append out 204",
            "call append out 204",
            "call prepend out 204",
            "client prepend 2 out 204",
            "client prepend 1 out 204",
        ]
    );
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn prepend_steps_see_the_request_before_authentication_and_append_steps_after() {
    let server = server_answering(204).await;
    let log = Log::default();
    let observe = |name: &'static str, log: &Log| {
        let log = log.clone();
        step_fn(move |request, next| {
            let log = log.clone();
            async move {
                let authorization = request.headers().get("authorization").map(|v| v.to_str().unwrap().to_owned());
                let telemetry = request.headers().contains_key("client-request-id");
                log.push(format!("{name}: authorization={authorization:?} telemetry={telemetry}"));
                next.run(request).await
            }
        })
    };
    client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .prepend(observe("prepend", &log))
        .append(observe("append", &log))
        .send()
        .await
        .unwrap();
    assert_eq!(
        log.entries(),
        [
            "prepend: authorization=None telemetry=false".to_owned(),
            format!("append: authorization=Some(\"Bearer {TOKEN}\") telemetry=true"),
        ]
    );
}

#[tokio::test]
async fn prepend_steps_run_once_per_call_and_append_steps_once_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let log = Log::default();
    let client = builder(&server)
        .prepend(recording_step("prepend", &log))
        .append(recording_step("append", &log))
        .build()
        .unwrap();
    let response = client.service_principals().synchronization_acquire_access_token(SP_ID).send().await.unwrap();
    assert!(response.pass_thru());
    assert_eq!(
        log.entries(),
        ["prepend in", "append in", "append out 503", "append in", "append out 204", "prepend out 204"]
    );
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_step_can_change_the_request() {
    let server = server_answering(204).await;
    let tag = step_fn(|mut request, next| async move {
        request.headers_mut().insert("x-tag", HeaderValue::from_static("from-step"));
        next.run(request).await
    });
    client(&server).service_principals().synchronization_acquire_access_token(SP_ID).append(tag).send().await.unwrap();
    assert_eq!(header(&only_request(&server).await, "x-tag"), Some("from-step"));
}

#[tokio::test]
async fn a_step_can_answer_on_its_own_and_nothing_is_sent() {
    let server = server_answering(500).await;
    let log = Log::default();
    let answer = step_fn(|_request, _next| async move {
        let mut response = HttpResponse::new(Bytes::new());
        *response.status_mut() = StatusCode::ACCEPTED;
        response.headers_mut().insert("x-answered-by", HeaderValue::from_static("step"));
        Ok(response)
    });
    let response = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .append(recording_step("later step", &log))
        .prepend(answer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(response.pass_thru());
    assert_eq!(response.headers()["x-answered-by"], "step");
    assert!(log.entries().is_empty(), "steps after the answering one do not run");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_step_can_refuse_the_call() {
    let server = server_answering(204).await;
    let refuse = step_fn(|_request, _next| async move { Err(Error::step("blocked by policy")) });
    let client = builder(&server).prepend(refuse).build().unwrap();
    let error = client.service_principals().synchronization_acquire_access_token(SP_ID).send().await.unwrap_err();
    assert!(matches!(error, Error::Step { .. }), "{error:?}");
    assert_eq!(error.to_string(), "pipeline step failed: blocked by policy");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_non_2xx_answer_from_a_step_is_a_service_error() {
    let server = server_answering(204).await;
    let forbid = step_fn(|_request, _next| async move {
        let mut response =
            HttpResponse::new(Bytes::from_static(br#"{"error":{"code":"Blocked","message":"by step"}}"#));
        *response.status_mut() = StatusCode::FORBIDDEN;
        Ok(response)
    });
    let error = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .prepend(forbid)
        .send()
        .await
        .unwrap_err();
    let service = error.service_error().expect("a service error");
    assert_eq!(
        (service.status(), service.code(), service.message()),
        (StatusCode::FORBIDDEN, Some("Blocked"), Some("by step"))
    );
    assert!(received(&server).await.is_empty());
}

// ---- proxy -----------------------------------------------------------------------------------

#[tokio::test]
async fn an_explicit_proxy_receives_the_request_with_basic_credentials() {
    // The wiremock server plays the proxy: an HTTP proxy receives `POST http://host/path`.
    let proxy_server = server_answering(204).await;
    let proxy = Proxy::all(proxy_server.uri()).unwrap().basic_auth("alice", PROXY_PASSWORD);
    // Anonymous: the runtime only sends bearer tokens over http to loopback hosts.
    let client = Client::builder().base_url("http://graph.example.invalid/v1.0").proxy(proxy).build().unwrap();
    let response = client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .send()
        .await
        .unwrap();
    assert!(response.pass_thru());

    let request = only_request(&proxy_server).await;
    assert_eq!(request.url.host_str(), Some("graph.example.invalid"), "absolute-form request target");
    assert_eq!(request.url.path(), SP_PATH);
    // base64("alice:pr0xy-Pa55-w0rd")
    assert_eq!(header(&request, "proxy-authorization"), Some("Basic YWxpY2U6cHIweHktUGE1NS13MHJk"));
    assert_eq!(header(&request, "authorization"), None);
    assert_eq!(body_json(&request), serde_json::json!({"credentials": [{"key": "SecretToken", "value": SECRET}]}));

    let debug = format!("{client:?}");
    assert!(debug.contains("alice"), "{debug}");
    assert_no_secrets([debug.as_str()]);
    assert!(!debug.contains("YWxpY2U6cHIweHktUGE1NS13MHJk"), "{debug}");
}

#[tokio::test]
async fn a_proxy_url_with_credentials_works_and_hides_the_password() {
    let proxy_server = server_answering(204).await;
    let url = format!("http://bob:{PROXY_PASSWORD}@{}", proxy_server.address());
    let proxy = Proxy::all(&url).unwrap();
    assert_eq!(proxy.username(), Some("bob"));
    assert_no_secrets([proxy.url(), format!("{proxy:?}").as_str()]);
    let client = Client::builder().base_url("http://graph.example.invalid/v1.0").proxy(proxy).build().unwrap();
    client.service_principals().synchronization_acquire_access_token(SP_ID).send().await.unwrap();
    // base64("bob:pr0xy-Pa55-w0rd")
    assert_eq!(
        header(&only_request(&proxy_server).await, "proxy-authorization"),
        Some("Basic Ym9iOnByMHh5LVBhNTUtdzByZA==")
    );
}
