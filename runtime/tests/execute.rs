//! `Client::execute`: what reaches the server, and how responses and service errors come back.

use crate::common;

use common::*;
use msgraph_runtime::{Call, Error, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn sends_method_path_headers_and_json_body_and_returns_204_with_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ACQUIRE_PATH))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("request-id", "rid-1")
                .insert_header("x-ms-ags-diagnostic", r#"{"ServerInfo":{}}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();

    let response = client.execute(acquire_call("pw-1")).await.unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.pass_thru());
    assert_eq!(response.headers()["request-id"], "rid-1");
    assert!(response.headers().contains_key("x-ms-ags-diagnostic"));
    assert!(response.value().is_empty());
    let response = response.without_body();
    assert_eq!(response.into_parts().0, StatusCode::NO_CONTENT);

    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), ACQUIRE_PATH);
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(
        request.body_json::<serde_json::Value>().unwrap(),
        json!({"credentials": [{"key": "password", "value": "pw-1"}]})
    );
    assert_eq!(credential.fetches(), 1);
    assert_eq!(*credential.scopes.lock().unwrap(), [format!("{}/.default", server.uri())]);
}

#[tokio::test]
async fn every_2xx_is_success() {
    let server = MockServer::start().await;
    for (status, id) in [(200u16, "a"), (201, "b"), (202, "c"), (204, "d"), (299, "e")] {
        Mock::given(path(format!("/v1.0/users/{id}")))
            .respond_with(ResponseTemplate::new(status).set_body_string("{}"))
            .mount(&server)
            .await;
    }
    let client = builder(&server).build().unwrap();
    for id in ["a", "b", "c", "d", "e"] {
        let mut call = Call::new(&GET_USER);
        call.path_param("user-id", id);
        let response = client.execute(call).await.unwrap();
        assert!(response.pass_thru(), "{id}");
    }
}

#[tokio::test]
async fn get_decodes_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "u1", "displayName": "Adele"})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    #[derive(serde::Deserialize)]
    struct User {
        id: String,
        #[serde(rename = "displayName")]
        display_name: String,
    }
    let user = client.execute(call).await.unwrap().json::<User>().unwrap().into_inner();
    assert_eq!((user.id.as_str(), user.display_name.as_str()), ("u1", "Adele"));
}

#[tokio::test]
async fn odata_errors_become_service_errors_with_ids_date_and_headers() {
    let server = MockServer::start().await;
    let cases = [
        (400u16, "Request_BadRequest", "Invalid value specified for property 'x'."),
        (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        (404, "Request_ResourceNotFound", "Resource 'sp-1' does not exist."),
    ];
    let client = builder(&server).credential_arc(CountingCredential::new()).build().unwrap();
    for (status, code, message) in cases {
        server.reset().await;
        let body = json!({"error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2024-06-01T10:00:00", "request-id": "rid-body", "client-request-id": "cid-body", "extra": 5, "none": null}
        }});
        Mock::given(method("POST"))
            .and(path(ACQUIRE_PATH))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("request-id", "rid-header")
                    .insert_header("x-custom", "kept")
                    .set_body_json(body),
            )
            .mount(&server)
            .await;

        let error = client.execute(acquire_call("pw")).await.unwrap_err();

        assert_eq!(error.status(), Some(StatusCode::from_u16(status).unwrap()));
        assert_eq!(error.response_headers().unwrap()["x-custom"], "kept");
        let Error::Service(service) = &error else { panic!("{error:?}") };
        assert_eq!(service.code(), Some(code));
        assert_eq!(service.message(), Some(message));
        // Headers win over innerError; innerError fills what headers lack.
        assert_eq!(service.request_id(), Some("rid-header"));
        assert_eq!(service.client_request_id(), Some("cid-body"));
        assert!(service.date().is_some_and(|d| d.ends_with("GMT")), "{:?}", service.date());
        assert!(service.attempt_statuses().is_empty());
        assert_eq!(
            service.operation(),
            "POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken"
        );
        let text = error.to_string();
        assert!(text.contains(&format!("{status}")) && text.contains(code) && text.contains(message), "{text}");
        assert!(text.contains("request-id: rid-header"), "{text}");

        #[derive(serde::Deserialize)]
        struct ODataError {
            error: MainError,
        }
        #[derive(serde::Deserialize)]
        struct MainError {
            code: String,
        }
        assert_eq!(error.service_error().unwrap().odata::<ODataError>().unwrap().error.code, code);
    }
}

#[tokio::test]
async fn client_request_id_from_the_header_when_the_service_sends_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).insert_header("client-request-id", "cid-header").set_body_string("{}"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    let service = error.service_error().unwrap();
    assert_eq!(service.client_request_id(), Some("cid-header"));
    assert_eq!(service.code(), None);
}

#[tokio::test]
async fn body_less_post_sends_content_length_zero() {
    // Graph answers 411 Length Required to a POST without Content-Length.
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&ACQUIRE);
    call.path_param("servicePrincipal-id", "sp-1");
    client.execute(call).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(header(&received[0], "content-length"), Some("0"));
    assert_eq!(header(&received[0], "content-type"), None);
}

#[test]
fn errors_and_futures_are_thread_safe() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Error>();
    check::<msgraph_runtime::Client>();
    check::<Call>();
    check::<msgraph_runtime::WhatIf>();
    // Keeps `Result<_, Error>` cheap to move around.
    assert!(std::mem::size_of::<Error>() <= 64, "{}", std::mem::size_of::<Error>());
}
