//! Explicit proxies (`-Proxy`, `-ProxyCredential`): absolute-form requests with Basic
//! `Proxy-Authorization`, and no password in any output.

use crate::common;

use common::*;
use msgraph_runtime::{Client, Error, Proxy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "pr0xy-pa55";

#[tokio::test]
async fn requests_go_through_the_proxy_in_absolute_form_with_basic_auth() {
    // The wiremock server plays the proxy: an HTTP proxy receives `POST http://host/path`.
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    let proxy = Proxy::all(proxy_server.uri()).unwrap().basic_auth("alice", PASSWORD);
    let client = Client::builder().base_url("http://graph.example.invalid/v1.0").proxy(proxy.clone()).build().unwrap();

    let response = client.execute(acquire_call("pw")).await.unwrap();
    assert!(response.pass_thru());

    let received = requests(&proxy_server).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.host_str(), Some("graph.example.invalid"), "absolute-form target");
    assert_eq!(received[0].url.path(), ACQUIRE_PATH);
    // base64("alice:pr0xy-pa55")
    assert_eq!(header(&received[0], "proxy-authorization"), Some("Basic YWxpY2U6cHIweHktcGE1NQ=="));

    for text in [format!("{client:?}"), format!("{proxy:?}"), format!("{client:#?}")] {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains("YWxpY2U6cHIweHktcGE1NQ"), "{text}");
    }
    assert!(format!("{proxy:?}").contains("alice"));
}

#[tokio::test]
async fn credentials_in_the_proxy_url_are_used_and_hidden() {
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    let address = proxy_server.address();
    let proxy = Proxy::all(format!("http://bob:s3cret@{address}")).unwrap();
    assert!(!format!("{proxy:?}").contains("s3cret"));
    let client = Client::builder().base_url("http://graph.example.invalid/v1.0").proxy(proxy).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let received = requests(&proxy_server).await;
    assert_eq!(header(&received[0], "proxy-authorization"), Some("Basic Ym9iOnMzY3JldA=="));
}

#[tokio::test]
async fn an_https_only_proxy_is_not_used_for_http() {
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(500)).mount(&proxy_server).await;
    let target = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&target).await;
    let client = builder(&target).proxy(Proxy::https(proxy_server.uri()).unwrap()).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert!(requests(&proxy_server).await.is_empty());
    assert_eq!(requests(&target).await.len(), 1);
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_transport_error_without_the_password() {
    let closed = closed_port().await;
    let proxy = Proxy::all(format!("http://{closed}")).unwrap().basic_auth("alice", PASSWORD);
    let client = Client::builder()
        .base_url("http://graph.example.invalid/v1.0")
        .proxy(proxy)
        .max_retries(1)
        .retry_backoff(std::time::Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("{error:?}") };
    assert_eq!(transport.attempts(), 2);
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(PASSWORD), "{text}");
    }
}

#[tokio::test]
async fn bearer_tokens_are_not_sent_over_plain_http_to_remote_hosts() {
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    let credential = CountingCredential::new();
    let client = Client::builder()
        .base_url("http://graph.example.invalid/v1.0")
        .proxy(Proxy::all(proxy_server.uri()).unwrap())
        .credential_arc(credential.clone())
        .build()
        .unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert!(requests(&proxy_server).await.is_empty());
    assert_eq!(credential.fetches(), 0);
}

#[tokio::test]
async fn bearer_tokens_to_loopback_are_not_sent_over_plain_http_through_a_remote_proxy() {
    // The loopback exception exists for local test servers; through a proxy on another host
    // the token would cross the network in clear text, so nothing is fetched or sent.
    let target = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&target).await;
    for proxy in [
        Proxy::all("http://proxy.example:8080").unwrap().basic_auth("alice", PASSWORD),
        Proxy::http(format!("http://alice:{PASSWORD}@proxy.example:8080")).unwrap(),
    ] {
        let credential = CountingCredential::new();
        let client = builder(&target).proxy(proxy).credential_arc(credential.clone()).build().unwrap();
        let error = client.execute(acquire_call("pw")).await.unwrap_err();
        assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
        let text = error.to_string();
        assert!(text.contains("plain HTTP") && text.contains("'proxy.example'"), "{text}");
        for text in [text, format!("{error:?}")] {
            assert!(!text.contains(PASSWORD) && !text.contains(TOKEN), "{text}");
        }
        assert_eq!(credential.fetches(), 0);
    }
    assert!(requests(&target).await.is_empty());
}

#[tokio::test]
async fn bearer_tokens_to_loopback_may_go_through_a_loopback_proxy() {
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    let credential = CountingCredential::new();
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/v1.0")
        .proxy(Proxy::all(proxy_server.uri()).unwrap())
        .credential_arc(credential.clone())
        .build()
        .unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let received = requests(&proxy_server).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.as_str(), format!("http://127.0.0.1:9{ACQUIRE_PATH}"));
    assert_eq!(header(&received[0], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(credential.fetches(), 1);
}

#[test]
fn invalid_proxy_urls_are_configuration_errors() {
    for bad in ["", "not a url", "socks5://proxy:1080", "http://user:hunter2@"] {
        let error = Proxy::all(bad).unwrap_err();
        assert!(matches!(error, Error::Configuration(_)), "{bad}");
        assert!(!error.to_string().contains("hunter2"));
    }
}

#[tokio::test]
async fn an_authorization_header_from_the_caller_is_guarded_like_the_credential() {
    // The wiremock server plays a proxy on this machine in front of a remote plain-http host:
    // whatever reaches it would have crossed the network in clear text.
    let proxy_server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&proxy_server).await;
    let remote = "http://graph.example.invalid/v1.0";
    let proxied = || Client::builder().base_url(remote).proxy(Proxy::http(proxy_server.uri()).unwrap());

    let client = proxied().build().unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().header("Authorization", "Bearer caller-token-321");
    let per_call = client.execute(call).await.unwrap_err();

    let client = proxied().default_header("authorization", "Bearer default-token-654").build().unwrap();
    let default = client.execute(acquire_call("pw")).await.unwrap_err();

    for error in [per_call, default] {
        assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
        let text = format!("{error} {error:?}");
        assert!(text.contains("refusing to send an Authorization header over plain HTTP"), "{text}");
        assert!(!text.contains("caller-token-321") && !text.contains("default-token-654"), "{text}");
    }
    assert!(requests(&proxy_server).await.is_empty(), "nothing was sent");

    // Without an Authorization header the same route is fine.
    proxied().build().unwrap().execute(acquire_call("pw")).await.unwrap();
    assert_eq!(requests(&proxy_server).await.len(), 1);
}
