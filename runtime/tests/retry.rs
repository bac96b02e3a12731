//! Retries: 429/503/504 and connection failures, Retry-After, caps and overrides.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::*;
use msgraph_runtime::{Client, Error, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// Answers with the given responses in order, repeating the last one; numbers each answer
/// with an `x-seq` header.
struct Sequence {
    responses: Vec<ResponseTemplate>,
    served: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _request: &wiremock::Request) -> ResponseTemplate {
        let n = self.served.fetch_add(1, Ordering::SeqCst);
        let template =
            self.responses.get(n).or(self.responses.last()).cloned().unwrap_or_else(|| ResponseTemplate::new(500));
        template.insert_header("x-seq", (n + 1).to_string())
    }
}

async fn serve(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(Sequence { responses, served: AtomicUsize::new(0) }).mount(&server).await;
    server
}

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code)
}

#[tokio::test]
async fn honours_retry_after_seconds_and_sends_retry_attempt() {
    let server = serve(vec![status(429).insert_header("retry-after", "1"), status(204)]).await;
    let client = builder(&server).credential_arc(CountingCredential::new()).build().unwrap();
    let started = Instant::now();
    client.execute(acquire_call("pw")).await.unwrap();
    // A lower bound only: sleeping never ends early, so this cannot flake.
    assert!(started.elapsed() >= Duration::from_millis(990), "Retry-After: 1 was not honoured");
    let received = requests(&server).await;
    assert_eq!(received.len(), 2);
    assert_eq!(header(&received[0], "retry-attempt"), None);
    assert_eq!(header(&received[1], "retry-attempt"), Some("1"));
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(header(&received[0], "authorization"), header(&received[1], "authorization"));
}

#[tokio::test]
async fn honours_retry_after_http_dates() {
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_millis(500));
    let server = serve(vec![
        status(429).insert_header("retry-after", past.as_str()),
        status(503).insert_header("retry-after", soon.as_str()),
        status(204),
    ])
    .await;
    let client = builder(&server).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received.len(), 3);
    assert_eq!(header(&received[2], "retry-attempt"), Some("2"));
}

#[tokio::test]
async fn retries_503_and_504_with_byte_identical_bodies() {
    let server = serve(vec![status(503), status(504), status(204)]).await;
    let client = builder(&server).build().unwrap();
    client.execute(put_call("pw-exact")).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert!(!received[0].body.is_empty());
}

#[tokio::test]
async fn exhaustion_reports_every_attempt_and_the_last_headers() {
    let server = serve(vec![status(429).insert_header("retry-after", "0")]).await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    let service = error.service_error().unwrap();
    assert_eq!(service.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(service.attempt_statuses(), [StatusCode::TOO_MANY_REQUESTS; 4], "1 try + 3 retries by default");
    assert_eq!(service.headers()["x-seq"], "4", "headers of the last response");
    assert!(error.to_string().contains("after 4 attempts [429, 429, 429, 429]"), "{error}");
    assert_eq!(requests(&server).await.len(), 4);
}

#[tokio::test]
async fn mixed_statuses_are_all_reported() {
    let server = serve(vec![status(503), status(429), status(504), status(500)]).await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(put_call("pw")).await.unwrap_err();
    let statuses: Vec<u16> = error.service_error().unwrap().attempt_statuses().iter().map(|s| s.as_u16()).collect();
    assert_eq!(statuses, [503, 429, 504, 500]);
}

#[tokio::test]
async fn per_call_overrides_beat_client_settings() {
    let server = serve(vec![status(503)]).await;
    let client = builder(&server).max_retries(0).build().unwrap();
    let mut call = put_call("pw");
    call.options_mut().max_retries(2);
    client.execute(call).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 3);

    let server = serve(vec![status(503)]).await;
    let client = builder(&server).build().unwrap();
    let mut call = put_call("pw");
    call.options_mut().max_retries(0);
    let error = client.execute(call).await.unwrap_err();
    assert!(error.service_error().unwrap().attempt_statuses().is_empty(), "single attempt");
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn max_retries_is_capped_at_ten_per_client_and_per_call() {
    let server = serve(vec![status(503).insert_header("retry-after", "0")]).await;
    let client = builder(&server).max_retries(50).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(error.service_error().unwrap().attempt_statuses().len(), 11, "1 try + at most 10 retries");
    assert_eq!(requests(&server).await.len(), 11);

    let server = serve(vec![status(503).insert_header("retry-after", "0")]).await;
    let client = builder(&server).max_retries(0).build().unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().max_retries(u32::MAX);
    client.execute(call).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 11);
}

#[tokio::test]
async fn retry_after_beyond_the_total_cap_is_not_waited_for() {
    let server = serve(vec![status(429).insert_header("retry-after", "3600")]).await;
    let client = builder(&server).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(requests(&server).await.len(), 1);

    // Per call, a zero cap disables waiting altogether.
    let server = serve(vec![status(429).insert_header("retry-after", "1"), status(204)]).await;
    let client = builder(&server).build().unwrap();
    let mut call = acquire_call("pw");
    call.options_mut().max_retry_delay(Duration::ZERO);
    client.execute(call).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);

    // The client-wide cap applies too.
    let server = serve(vec![status(429).insert_header("retry-after", "2"), status(204)]).await;
    let client = builder(&server).max_retry_delay(Duration::from_secs(1)).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for code in [400u16, 401, 403, 404, 409, 500, 502] {
        let server = serve(vec![status(code)]).await;
        let client = builder(&server).build().unwrap();
        let error = client.execute(acquire_call("pw")).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(code));
        assert_eq!(requests(&server).await.len(), 1, "{code}");
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let address = closed_port().await;
    let client = Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        .max_retries(2)
        .build()
        .unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("{error:?}") };
    assert!(transport.is_connect());
    assert_eq!(transport.attempts(), 3);
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
    assert!(error.to_string().contains("could not connect"), "{error}");
    assert!(!error.may_have_been_applied(), "nothing reached a server");
    assert!(!error.to_string().contains("may have"), "{error}");
}

#[tokio::test]
async fn non_idempotent_calls_are_retried_only_when_the_service_did_not_act() {
    // 503 without Retry-After and 504 leave it open whether a POST was applied: not retried.
    for template in [status(503), status(504)] {
        let server = serve(vec![template, status(204)]).await;
        let client = builder(&server).build().unwrap();
        let error = client.execute(acquire_call("pw")).await.unwrap_err();
        assert!(error.status().is_some(), "{error}");
        assert_eq!(requests(&server).await.len(), 1);
    }
    // 429, and 503 with Retry-After: the service says it did not act, so a POST is retried.
    for code in [429, 503] {
        let server = serve(vec![status(code).insert_header("retry-after", "0"), status(204)]).await;
        let client = builder(&server).build().unwrap();
        client.execute(acquire_call("pw")).await.unwrap();
        assert_eq!(requests(&server).await.len(), 2, "{code}");
    }
    // A PATCH is not idempotent either.
    static PATCH: msgraph_runtime::OperationInfo = msgraph_runtime::OperationInfo {
        operation_id: "applications.application.UpdateApplication",
        method: msgraph_runtime::HttpMethod::Patch,
        path_template: "/applications/{application-id}",
        permissions: None,
    };
    let server = serve(vec![status(504), status(204)]).await;
    let mut call = msgraph_runtime::Call::new(&PATCH);
    call.path_param("application-id", "app-1");
    call.json_body(&serde_json::json!({"displayName": "x"}));
    builder(&server).build().unwrap().execute(call).await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_time_left_returns_the_throttling_error() {
    let server = serve(vec![status(429).insert_header("retry-after", "30").insert_header("request-id", "rid-1")]).await;
    let client = builder(&server).timeout(Duration::from_secs(1)).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(!error.is_timeout(), "{error}");
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(error.response_headers().unwrap()["request-id"], "rid-1");
    assert!(error.to_string().contains("Retry-After: 30 s"), "{error}");
    assert_eq!(requests(&server).await.len(), 1);

    // A wait that fits is still made, and a backoff that would not fit is not started either.
    let server = serve(vec![status(503).insert_header("retry-after", "0"), status(204)]).await;
    builder(&server).timeout(Duration::from_secs(1)).build().unwrap().execute(put_call("pw")).await.unwrap();
    let server = serve(vec![status(504), status(204)]).await;
    let client =
        builder(&server).retry_backoff(Duration::from_secs(60)).timeout(Duration::from_secs(1)).build().unwrap();
    let error = client.execute(put_call("pw")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT), "{error}");

    // An absurd Retry-After with no cap on the total wait neither overflows nor sleeps.
    let server = serve(vec![status(429).insert_header("retry-after", "99999999999999999999999")]).await;
    let client = builder(&server).max_retry_delay(Duration::MAX).timeout(Duration::from_secs(1)).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(u64::MAX)), "{error}");
}

/// A raw HTTP/1.1 server that resets the first `resets` connections after reading the request
/// and answers 204 afterwards. Returns its address, the bodies it read and a connection count.
async fn resetting_server(resets: usize) -> (std::net::SocketAddr, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let bodies: Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen = bodies.clone();
    tokio::spawn(async move {
        let mut connections = 0;
        while let Ok((mut stream, _)) = listener.accept().await {
            connections += 1;
            let body = read_request(&mut stream).await;
            seen.lock().unwrap().push(body);
            if connections <= resets {
                // SO_LINGER 0 makes close() send RST: a reset, not a clean close.
                let _ = stream.set_zero_linger();
                drop(stream);
            } else {
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").await;
                // Keep the connection open until the client is done with it.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            }
        }
    });
    (address, bodies)
}

async fn read_request(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return data[end + 4..end + 4 + length].to_vec();
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return data,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test]
async fn connection_resets_are_retried_for_idempotent_calls_with_the_same_body() {
    let (address, bodies) = resetting_server(2).await;
    let client = Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let response = client.execute(put_call("pw-reset")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b == &bodies[0] && !b.is_empty()));
}

#[tokio::test]
async fn a_post_reset_after_it_was_sent_is_not_replayed() {
    let (address, bodies) = resetting_server(3).await;
    let client = Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(acquire_call("pw-reset")).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("{error:?}") };
    assert!(!transport.is_connect());
    assert_eq!(transport.attempts(), 1);
    assert!(error.may_have_been_applied() && transport.may_have_been_applied());
    let text = error.to_string();
    assert!(text.contains("may have reached the service and been applied"), "{text}");
    assert!(text.contains("not retried (POST is not idempotent)"), "{text}");
    assert_eq!(bodies.lock().unwrap().len(), 1, "the server saw the POST exactly once");
}

/// A raw HTTP/1.1 server whose first `cuts` answers are a 200 that promises 100 bytes of body,
/// sends 10 and closes; then it answers 200 with the whole body. Returns its address and how
/// many requests it read.
async fn cutting_server(cuts: usize) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            read_request(&mut stream).await;
            if n <= cuts {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"secretTe").await;
                let _ = stream.shutdown().await;
            } else {
                let body = br#"{"secretText":"x"}"#;
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body).await;
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            }
        }
    });
    (address, seen)
}

#[tokio::test]
async fn a_cut_2xx_body_is_retried_for_get_but_not_for_post() {
    let (address, seen) = cutting_server(1).await;
    let client = Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(matches!(&error, Error::Transport(t) if !t.is_connect()), "{error:?}");
    assert!(error.may_have_been_applied(), "{error}");
    assert_eq!(seen.load(Ordering::SeqCst), 1, "addPassword-like calls are never replayed");

    let (address, seen) = cutting_server(1).await;
    let client = Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        .build()
        .unwrap();
    let mut call = msgraph_runtime::Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    let response = client.execute(call).await.unwrap();
    assert_eq!(response.value().as_ref(), br#"{"secretText":"x"}"#);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}
