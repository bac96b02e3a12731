//! Bad error bodies (empty, text, malformed, huge) and bad success bodies never panic and
//! produce typed errors with a bounded excerpt.

use crate::common;

use common::*;
use msgraph_runtime::{Call, Error, StatusCode};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn error_for(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    let client = builder(&server).max_retries(0).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap_err()
}

#[tokio::test]
async fn empty_body() {
    let error = error_for(ResponseTemplate::new(500)).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!((service.code(), service.excerpt(), service.body_len()), (None, "", 0));
    assert!(error.to_string().contains("empty body"), "{error}");
}

#[tokio::test]
async fn text_body() {
    let error = error_for(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>")).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.code(), None);
    assert_eq!(service.excerpt(), "<html>Bad Gateway</html>");
    assert!(error.to_string().contains("<html>Bad Gateway</html>"), "{error}");
}

#[tokio::test]
async fn malformed_json_body() {
    let error =
        error_for(ResponseTemplate::new(400).set_body_raw(r#"{"error": {"code": "x", "#, "application/json")).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.code(), None);
    assert!(service.excerpt().starts_with("{\"error\""));
    assert!(service.odata::<serde_json::Value>().is_none());
}

#[tokio::test]
async fn odata_error_with_odd_types() {
    let body = r#"{"error":{"code":"BadRequest","message":null,"innerError":{"request-id":12345,"date":null,"client-request-id":["x"]}}}"#;
    let error = error_for(ResponseTemplate::new(400).set_body_raw(body, "application/json")).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.code(), Some("BadRequest"));
    assert_eq!(service.message(), None);
    assert_eq!(service.request_id(), Some("12345"));
}

#[tokio::test]
async fn ten_megabyte_body_is_bounded() {
    // Multi-byte characters everywhere, so any cut could land inside one.
    let huge = "é".repeat(5 * 1024 * 1024);
    assert_eq!(huge.len(), 10 * 1024 * 1024);
    let error = error_for(ResponseTemplate::new(500).set_body_string(huge)).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.body_len(), 10 * 1024 * 1024);
    assert!(service.excerpt().len() <= 4096);
    assert!(service.excerpt().chars().all(|c| c == 'é'));
    assert!(service.body().len() <= 64 * 1024);
    assert!(service.odata::<serde_json::Value>().is_none(), "a truncated body is not decoded");
    assert!(error.to_string().len() < 1024, "Display stays short");
    assert!(format!("{error:?}").len() < 16 * 1024, "Debug stays bounded");
}

#[tokio::test]
async fn service_text_is_displayed_on_one_line_and_bounded() {
    // A message that echoes a caller's value must not forge log lines or flood them.
    let message = format!("Invalid id 'x'\n2024-01-01 INFO forged line\x1b[2J{}", "m".repeat(60_000));
    let body = serde_json::json!({"error": {"code": "Bad\r\nRequest", "message": message,
        "innerError": {"client-request-id": "c\nid"}}})
    .to_string();
    let error = error_for(ResponseTemplate::new(400).set_body_raw(body, "application/json")).await;
    let service = error.service_error().unwrap();
    assert_eq!(service.message(), Some(message.as_str()), "the accessor keeps the service's text");
    let shown = error.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("Bad  Request: Invalid id 'x' 2024-01-01 INFO forged line [2J"), "{shown}");
    assert!(shown.contains("client-request-id: c id"), "{shown}");
    assert!(shown.len() < 3 * 1024, "{} bytes", shown.len());
}

#[tokio::test]
async fn success_bodies_of_the_wrong_shape_are_decode_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).insert_header("request-id", "rid").set_body_string("not json"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u");
    let error = client.execute(call).await.unwrap().json::<serde_json::Value>().unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(error.response_headers().unwrap()["request-id"], "rid");
    let Error::Decode(decode) = &error else { panic!("{error:?}") };
    assert_eq!(decode.excerpt(), "not json");
    assert!(error.to_string().contains("could not be decoded"), "{error}");
}
