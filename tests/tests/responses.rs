//! What comes back: any 2XX is `Response<()>` with `pass_thru() == true` (the cmdlet's
//! `-PassThru` prints `True`); any non-2XX is a typed `Error` with status, the ODataError's
//! code and message, request ids, date and all response headers (`-ResponseHeadersVariable`),
//! on success and on failure alike. Per-call headers (`-Headers`) reach the server.

use crate::common;

use common::*;
use msgraph_sdk::Error;
use msgraph_sdk::models::{ODataError, SynchronizationSecret};
use msgraph_sdk::prelude::*;
use msgraph_sdk::runtime::StatusCode;
use serde_json::json;
use wiremock::matchers::{any, header as header_is, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const DATE: &str = "Wed, 01 May 2024 10:00:00 GMT";

/// An ODataError body as Graph sends it, `innerError` included.
fn odata_error(code: &str, message: &str) -> serde_json::Value {
    json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2024-05-01T10:00:00",
                "request-id": "rid-from-body",
                "client-request-id": "cid-from-body",
            },
        },
    })
}

/// Answers like Graph: the given status and body, echoing the caller's `client-request-id`
/// and adding `request-id`, `date` and a diagnostic header.
struct GraphLike {
    status: u16,
    body: Option<serde_json::Value>,
}

impl Respond for GraphLike {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status)
            .insert_header("request-id", "rid-7")
            .insert_header("date", DATE)
            .insert_header("x-ms-ags-diagnostic", r#"{"ServerInfo":{"DataCenter":"West Europe"}}"#);
        if let Some(id) = request.headers.get("client-request-id") {
            template = template.insert_header("client-request-id", id.clone());
        }
        if let Some(body) = &self.body {
            template = template.set_body_json(body);
        }
        template
    }
}

async fn graph_like(status: u16, body: Option<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(GraphLike { status, body }).mount(&server).await;
    server
}

async fn acquire(server: &MockServer) -> Result<msgraph_sdk::Response<()>, Error> {
    client(server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .send()
        .await
}

#[tokio::test]
async fn every_2xx_is_success_with_pass_thru_true() {
    for status in [200, 202, 204] {
        let body = (status == 200).then(|| json!({"value": "ignored"}));
        let server = graph_like(status, body).await;
        let response = acquire(&server).await.unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(response.status().as_u16(), status);
        assert!(response.pass_thru(), "{status}");
        assert_eq!(response.value(), &());
    }
}

#[tokio::test]
async fn success_returns_the_response_headers() {
    let server = graph_like(204, None).await;
    let response = acquire(&server).await.unwrap();
    let sent = only_request(&server).await;
    let headers = response.headers();
    assert_eq!(headers["request-id"], "rid-7");
    assert_eq!(headers["date"], DATE);
    assert_eq!(headers["client-request-id"], header(&sent, "client-request-id").unwrap());
    assert!(headers["x-ms-ags-diagnostic"].to_str().unwrap().contains("West Europe"));
}

#[tokio::test]
async fn odata_errors_become_typed_errors_with_status_code_message_ids_and_headers() {
    let cases = [
        (400, "Request_BadRequest", "Invalid value specified for property 'key'."),
        (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        (404, "Request_ResourceNotFound", "Resource '8e881353' does not exist."),
    ];
    for (status, code, message) in cases {
        let server = graph_like(status, Some(odata_error(code, message))).await;
        let error = acquire(&server).await.unwrap_err();
        let sent = only_request(&server).await;

        assert!(matches!(error, Error::Service(_)), "{error:?}");
        assert_eq!(error.status(), Some(StatusCode::from_u16(status).unwrap()));
        let service = error.service_error().expect("a service error");
        assert_eq!(service.status().as_u16(), status);
        assert_eq!(service.code(), Some(code));
        assert_eq!(service.message(), Some(message));
        // Response headers win over innerError.
        assert_eq!(service.request_id(), Some("rid-7"));
        assert_eq!(service.client_request_id(), header(&sent, "client-request-id"));
        assert_eq!(service.date(), Some(DATE));
        assert_eq!(service.operation(), SP_TEMPLATE);
        assert!(service.attempt_statuses().is_empty(), "not retried");

        let headers = error.response_headers().expect("response headers on failure");
        assert_eq!(headers["request-id"], "rid-7");
        assert!(headers.contains_key("x-ms-ags-diagnostic"));
        assert_eq!(service.headers(), headers);

        let text = error.to_string();
        let status_text = StatusCode::from_u16(status).unwrap().to_string();
        assert!(text.contains(&format!("{SP_TEMPLATE} failed with status {status_text}: {code}: {message}")), "{text}");
        assert!(text.contains("request-id: rid-7"), "{text}");
    }
}

#[tokio::test]
async fn the_error_body_decodes_into_the_generated_odata_error() {
    let server = graph_like(403, Some(odata_error("Authorization_RequestDenied", "Insufficient privileges"))).await;
    let error = acquire(&server).await.unwrap_err();
    let odata: ODataError = error.service_error().unwrap().odata().expect("an ODataError body");
    assert_eq!(odata.error.code, "Authorization_RequestDenied");
    assert_eq!(odata.error.message, "Insufficient privileges");
    let inner = odata.error.inner_error.into_option().expect("innerError");
    assert_eq!(inner.additional_properties["request-id"], "rid-from-body");
    assert_eq!(inner.additional_properties["client-request-id"], "cid-from-body");
    assert_eq!(inner.additional_properties["date"], "2024-05-01T10:00:00");
}

#[tokio::test]
async fn without_id_headers_the_ids_come_from_inner_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_json(odata_error("Request_ResourceNotFound", "gone")))
        .mount(&server)
        .await;
    let error = acquire(&server).await.unwrap_err();
    let service = error.service_error().unwrap();
    assert_eq!(service.request_id(), Some("rid-from-body"));
    assert_eq!(service.client_request_id(), Some("cid-from-body"));
}

#[tokio::test]
async fn a_non_odata_error_body_still_gives_status_and_headers() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400).insert_header("request-id", "rid-9").set_body_string("<html>bad</html>"),
        )
        .mount(&server)
        .await;
    let error = acquire(&server).await.unwrap_err();
    let service = error.service_error().unwrap();
    assert_eq!(service.status(), StatusCode::BAD_REQUEST);
    assert_eq!(service.code(), None);
    assert_eq!(service.request_id(), Some("rid-9"));
    assert!(service.odata::<ODataError>().is_none());
    assert!(error.to_string().contains("<html>bad</html>"), "{error}");
}

#[tokio::test]
async fn per_call_headers_are_sent_and_override_client_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SP_PATH))
        .and(header_is("x-trace", "1"))
        .and(header_is("consistencylevel", "eventual"))
        .and(header_is("x-team", "per-call"))
        .and(header_is("x-default", "client"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        builder(&server).default_header("X-Team", "client").default_header("X-Default", "client").build().unwrap();
    client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .header("X-Trace", "1")
        .headers([("ConsistencyLevel", "eventual"), ("X-Team", "per-call")])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_standard_headers(&request);
    assert_eq!(request.headers.get_all("x-team").iter().count(), 1, "replaced, not added");
    server.verify().await;
}

#[tokio::test]
async fn a_caller_supplied_client_request_id_is_kept() {
    let server = graph_like(403, Some(odata_error("Authorization_RequestDenied", "no"))).await;
    let error = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .header("client-request-id", "my-correlation-id")
        .send()
        .await
        .unwrap_err();
    assert_eq!(header(&only_request(&server).await, "client-request-id"), Some("my-correlation-id"));
    assert_eq!(error.service_error().unwrap().client_request_id(), Some("my-correlation-id"));
}

#[tokio::test]
async fn an_invalid_per_call_header_fails_before_any_request_without_echoing_the_value() {
    let server = server_answering(204).await;
    let error = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .header("X-Api-Key", format!("{SECRET}\r\nInjected: yes"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_invalid_argument(), "{error:?}");
    assert!(error.to_string().contains("x-api-key"), "{error}");
    assert_no_secrets([error.to_string().as_str(), format!("{error:?}").as_str()]);
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn throttling_is_retried_and_the_final_answer_returned() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let response = acquire(&server).await.unwrap();
    assert!(response.pass_thru());
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(header(&requests[0], "retry-attempt"), None);
    assert_eq!(header(&requests[1], "retry-attempt"), Some("1"));
    assert_eq!(requests[0].body, requests[1].body, "the body is re-sent byte for byte");
    assert_eq!(
        header(&requests[0], "client-request-id"),
        header(&requests[1], "client-request-id"),
        "one call, one client-request-id"
    );
}
