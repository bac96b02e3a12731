//! Response bodies are bounded while they stream in: 2XX bodies by `max_response_body`, error
//! bodies by the 64 KiB an error keeps; downloads of any size go through `execute_streaming`.

use crate::common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use msgraph_runtime::{Bytes, Call, Client, Error, StatusCode, step_fn};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KIB: usize = 1024;

fn get_user() -> Call {
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u1");
    call
}

async fn serving(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    server
}

/// A raw HTTP/1.1 server answering every request with `head` (which must announce chunked
/// transfer) followed by 16 KiB chunks, for as long as the client reads.
async fn endless_server(head: &'static str) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 16 * KIB, "e".repeat(16 * KIB));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    address
}

fn client_for(address: std::net::SocketAddr) -> msgraph_runtime::ClientBuilder {
    Client::builder()
        .base_url(format!("http://{address}/v1.0"))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
        // Only so that the unbounded reading of the old code fails instead of hanging.
        .timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn a_success_body_over_the_limit_is_refused_naming_the_limit() {
    let server = serving(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 100 * KIB])).await;
    let client = builder(&server).max_response_body(64 * KIB).build().unwrap();

    let error = client.execute(get_user()).await.unwrap_err();
    let Error::ResponseTooLarge { status, limit, content_length } = &error else { panic!("{error:?}") };
    assert_eq!((*status, *limit, *content_length), (StatusCode::OK, 64 * KIB, Some(100 * KIB as u64)));
    assert!(error.to_string().contains("limit of 65536 bytes"), "{error}");
    assert_eq!(requests(&server).await.len(), 1, "not retried");

    // At the limit it passes; a call may raise the limit for itself.
    let client = builder(&server).max_response_body(100 * KIB).build().unwrap();
    assert_eq!(client.execute(get_user()).await.unwrap().value().len(), 100 * KIB);
    let client = builder(&server).max_response_body(KIB).build().unwrap();
    let mut call = get_user();
    call.options_mut().max_response_body(200 * KIB);
    assert_eq!(client.execute(call).await.unwrap().value().len(), 100 * KIB);
}

#[tokio::test]
async fn an_endless_chunked_success_body_stops_at_the_limit() {
    let address =
        endless_server("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
    let client = client_for(address).max_response_body(64 * KIB).build().unwrap();

    let error = client.execute(get_user()).await.unwrap_err();

    assert!(
        matches!(error, Error::ResponseTooLarge { limit, content_length: None, .. } if limit == 64 * KIB),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_endless_error_body_is_not_drained_and_its_prefix_is_kept() {
    let address = endless_server(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await;
    let client = client_for(address).max_retries(0).build().unwrap();

    let error = client.execute(get_user()).await.unwrap_err();

    let service = error.service_error().unwrap_or_else(|| panic!("{error:?}"));
    assert_eq!(service.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(service.body().len(), 64 * KIB);
    assert!(service.body_len() > 64 * KIB, "the error says the body was longer");
    assert!(service.excerpt().starts_with("eeee"));
    assert!(service.odata::<serde_json::Value>().is_none(), "a truncated body is not decoded");
    // The error keeps a copy of exactly the prefix, not the buffer it was read into.
    let kept = service.body().clone();
    drop(error);
    let kept = kept.try_into_mut().expect("the kept prefix shares a larger buffer");
    assert_eq!(kept.capacity(), 64 * KIB);
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_as_far_as_it_is_kept() {
    let server = serving(ResponseTemplate::new(503).set_body_bytes(vec![b'x'; 8 * 1024 * KIB])).await;
    let client = builder(&server).max_retries(0).build().unwrap();
    let error = client.execute(get_user()).await.unwrap_err();
    let service = error.service_error().unwrap();
    assert_eq!(service.body().len(), 64 * KIB);
    assert_eq!(service.body_len(), 8 * 1024 * KIB, "the announced length");
    let kept = service.body().clone();
    drop(error);
    assert_eq!(kept.try_into_mut().map(|b| b.capacity()).ok(), Some(64 * KIB));
}

#[tokio::test]
async fn downloads_stream_without_a_limit() {
    let body: Vec<u8> = (0..2 * 1024 * KIB).map(|i| (i % 251) as u8).collect();
    let server =
        serving(ResponseTemplate::new(200).insert_header("x-file", "logo.png").set_body_raw(body.clone(), "image/png"))
            .await;
    let client = builder(&server).max_response_body(KIB).build().unwrap();

    let response = client.execute_streaming(get_user()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-file"], "logo.png");
    assert!(format!("{response:?}").contains("ByteStream"));
    let mut stream = response.into_inner();
    let mut received = Vec::new();
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.unwrap());
    }
    assert!(received == body, "the whole body arrives, byte for byte");

    // Errors are typed as with `execute`, with the kept prefix of their body.
    let server = serving(ResponseTemplate::new(404).set_body_string(r#"{"error":{"code":"NotFound"}}"#)).await;
    let error = builder(&server).build().unwrap().execute_streaming(get_user()).await.unwrap_err();
    assert_eq!(error.service_error().and_then(|e| e.code()), Some("NotFound"));
}

#[tokio::test]
async fn an_endless_download_is_read_as_far_as_the_caller_wants() {
    let address = endless_server("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").await;
    let client = client_for(address).max_response_body(KIB).build().unwrap();
    let mut stream = client.execute_streaming(get_user()).await.unwrap().into_inner();
    let mut received = 0;
    while received < 256 * KIB {
        received += stream.next().await.unwrap().unwrap().len();
    }
}

#[tokio::test]
async fn streaming_calls_work_with_custom_steps() {
    let server = serving(ResponseTemplate::new(200).set_body_string("streamed")).await;
    let client = builder(&server).append(step_fn(|request, next| next.run(request))).build().unwrap();
    let chunks: Vec<Bytes> =
        client.execute_streaming(get_user()).await.unwrap().into_inner().map(Result::unwrap).collect().await;
    assert_eq!(chunks.concat(), b"streamed");

    // A step answering on its own gives its body as the stream.
    let client = builder(&server)
        .prepend(step_fn(|_request, _next| async {
            Ok(http::Response::builder().status(200).body(Bytes::from_static(b"from the step")).unwrap())
        }))
        .build()
        .unwrap();
    let chunks: Vec<Bytes> =
        client.execute_streaming(get_user()).await.unwrap().into_inner().map(Result::unwrap).collect().await;
    assert_eq!(chunks.concat(), b"from the step");
}
