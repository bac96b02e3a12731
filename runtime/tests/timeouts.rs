//! Timeouts per client and per call surface as `Error::Timeout`.

use crate::common;

use std::time::Duration;

use common::*;
use msgraph_runtime::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn slow_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204).set_delay(delay)).mount(&server).await;
    server
}

#[tokio::test]
async fn client_timeout() {
    let server = slow_server(Duration::from_secs(30)).await;
    let client = builder(&server).timeout(Duration::from_millis(200)).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(error.is_timeout());
    assert!(matches!(error, Error::Timeout { after } if after == Duration::from_millis(200)));
    assert!(error.to_string().contains("200ms"), "{error}");
}

#[tokio::test]
async fn per_call_timeout_overrides_the_client() {
    let server = slow_server(Duration::from_secs(30)).await;
    let client = builder(&server).build().unwrap(); // default 100 s
    let mut call = acquire_call("pw");
    call.options_mut().timeout(Duration::from_millis(150));
    let error = client.execute(call).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { after } if after == Duration::from_millis(150)), "{error:?}");

    // A longer per-call timeout lets a slow call finish although the client's would not.
    let server = slow_server(Duration::from_millis(300)).await;
    let client = builder(&server).timeout(Duration::from_millis(50)).build().unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().timeout(Duration::from_secs(30));
    client.execute(call).await.unwrap();
}

#[tokio::test]
async fn the_timeout_covers_retries() {
    // Every answer is slow and asks for a retry at once: the retries run into the timeout.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).insert_header("retry-after", "0").set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    let client = builder(&server).max_retries(10).timeout(Duration::from_millis(250)).build().unwrap();
    assert!(client.execute(acquire_call("pw")).await.unwrap_err().is_timeout());
    assert!(!requests(&server).await.is_empty());
}
