//! Redirects: same origin keeps the token, another origin never sees a credential or a secret
//! body, POST becomes GET on 301/302/303, at most 5 hops.

use crate::common;

use common::*;
use msgraph_runtime::{Call, Error, RedirectRefusal, StatusCode};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", location)
}

#[tokio::test]
async fn same_origin_redirects_keep_method_body_and_authorization() {
    let server = MockServer::start().await;
    Mock::given(path(ACQUIRE_PATH)).respond_with(redirect(307, "/v1.0/moved")).mount(&server).await;
    Mock::given(path("/v1.0/moved")).respond_with(redirect(308, "moved-again")).mount(&server).await;
    Mock::given(path("/v1.0/moved-again")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).credential_arc(CountingCredential::new()).build().unwrap();

    client.execute(acquire_call("pw")).await.unwrap();

    let received = requests(&server).await;
    assert_eq!(received.len(), 3);
    for request in &received {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(request.body, received[0].body);
        assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[tokio::test]
async fn cross_origin_redirects_drop_authorization() {
    let other = MockServer::start().await; // another port, hence another origin
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&other).await;
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(redirect(302, &format!("{}/elsewhere", other.uri()))).mount(&server).await;
    let client = builder(&server).credential_arc(CountingCredential::new()).build().unwrap();

    client.execute(acquire_call("pw")).await.unwrap();

    let first = &requests(&server).await[0];
    assert!(header(first, "authorization").is_some());
    let moved = &requests(&other).await[0];
    assert_eq!(moved.url.path(), "/elsewhere");
    assert_eq!(header(moved, "authorization"), None, "the token must not leave its origin");
    assert_eq!(moved.method.as_str(), "GET", "302 turns a POST into a GET, as browsers do");
    assert!(moved.body.is_empty(), "and drops its body, secrets included");
}

#[tokio::test]
async fn post_redirected_with_301_or_302_becomes_a_get_without_body() {
    for status in [301, 302] {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(redirect(status, "/v1.0/result")).mount(&server).await;
        Mock::given(method("GET"))
            .and(path("/v1.0/result"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();
        client.execute(acquire_call("pw")).await.unwrap();
        let received = requests(&server).await;
        assert_eq!(received.len(), 2, "{status}");
        assert_eq!(received[1].method.as_str(), "GET", "{status}");
        assert!(received[1].body.is_empty(), "{status}");
        assert_eq!(header(&received[1], "content-type"), None, "{status}");
    }
}

#[tokio::test]
async fn cross_origin_hops_drop_every_sensitive_header() {
    let other = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&other).await;
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(redirect(307, &format!("{}/elsewhere", other.uri()))).mount(&server).await;
    let jwt = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhdXgifQ.c2lnbmF0dXJlLXZhbHVl";
    let client = builder(&server)
        .credential_arc(CountingCredential::new())
        .default_header("Ocp-Apim-Subscription-Key", "sub-key-0123456789")
        .build()
        .unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    call.header("X-Ms-Authorization-Auxiliary", "Bearer aux-token-456");
    call.header("x-forwarded-identity", jwt);
    call.header("Cookie", "session=abc");
    call.header("ConsistencyLevel", "eventual");

    client.execute(call).await.unwrap();

    let first = &requests(&server).await[0];
    assert_eq!(header(first, "ocp-apim-subscription-key"), Some("sub-key-0123456789"), "the origin gets them all");
    assert_eq!(header(first, "x-forwarded-identity"), Some(jwt));
    let moved = &requests(&other).await[0];
    for name in
        ["authorization", "ocp-apim-subscription-key", "x-ms-authorization-auxiliary", "x-forwarded-identity", "cookie"]
    {
        assert_eq!(header(moved, name), None, "{name} must not leave its origin");
    }
    assert_eq!(header(moved, "consistencylevel"), Some("eventual"), "ordinary headers follow");
    assert!(header(moved, "client-request-id").is_some());
}

#[tokio::test]
async fn a_body_holding_secrets_is_not_resent_to_another_origin() {
    for status in [307, 308] {
        let other = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&other).await;
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(redirect(status, &format!("{}/steal?sig=abc", other.uri())))
            .mount(&server)
            .await;
        let client = builder(&server).build().unwrap();

        let error = client.execute(acquire_call("sync-secret-789")).await.unwrap_err();

        let Error::RedirectRefused { status: got, target, reason } = &error else { panic!("{error:?}") };
        assert_eq!((got.as_u16(), *reason), (status, RedirectRefusal::SecretBodyToAnotherOrigin));
        assert_eq!(*target, other.uri(), "the origin only, never the path or query");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        let text = format!("{error} {error:?}");
        assert!(text.contains("secrets") && !text.contains("sig=abc") && !text.contains("sync-secret-789"), "{text}");
        assert!(requests(&other).await.is_empty(), "nothing is sent to the target ({status})");
    }

    // The same redirect within the origin keeps the body, and a body without secrets may go.
    let server = MockServer::start().await;
    Mock::given(path(ACQUIRE_PATH)).respond_with(redirect(307, "/v1.0/moved")).mount(&server).await;
    Mock::given(path("/v1.0/moved")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    builder(&server).build().unwrap().execute(acquire_call("pw")).await.unwrap();
    let other = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&other).await;
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(redirect(307, &format!("{}/elsewhere", other.uri()))).mount(&server).await;
    let mut call = Call::new(&ACQUIRE);
    call.path_param("servicePrincipal-id", "sp-1");
    call.json_body(&serde_json::json!({"credentials": []}));
    builder(&server).build().unwrap().execute(call).await.unwrap();
    assert_eq!(requests(&other).await[0].method.as_str(), "POST");
}

#[tokio::test]
async fn see_other_becomes_a_get_without_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(redirect(303, "/v1.0/result")).mount(&server).await;
    Mock::given(method("GET")).and(path("/v1.0/result")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received[1].method.as_str(), "GET");
    assert!(received[1].body.is_empty());
    assert_eq!(header(&received[1], "content-type"), None);
}

#[tokio::test]
async fn more_than_five_redirects_fail() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(redirect(301, "/v1.0/loop")).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(matches!(error, Error::TooManyRedirects { max: 5 }), "{error:?}");
    assert_eq!(requests(&server).await.len(), 6, "the original request and 5 redirects");

    let client = builder(&server).max_redirects(0).build().unwrap();
    assert!(matches!(client.execute(acquire_call("pw")).await.unwrap_err(), Error::TooManyRedirects { max: 0 }));
}

#[tokio::test]
async fn exactly_five_redirects_succeed() {
    let server = MockServer::start().await;
    for hop in 0..5 {
        let from = if hop == 0 { ACQUIRE_PATH.to_owned() } else { format!("/v1.0/hop{hop}") };
        Mock::given(path(from)).respond_with(redirect(307, &format!("/v1.0/hop{}", hop + 1))).mount(&server).await;
    }
    Mock::given(path("/v1.0/hop5")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(requests(&server).await.len(), 6);
}

#[tokio::test]
async fn a_redirect_without_location_is_a_service_error() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(302)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FOUND));
}
