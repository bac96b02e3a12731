//! Long-running operations against local monitors: `202` with `Location`/`Operation-Location`,
//! polled at the interval `Retry-After` gives, to success, failure, a redirect to the result,
//! or the timeout; a monitor on another host never gets the token.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{CountingCredential, TOKEN, builder, header, requests};
use msgraph_runtime::tasks::TaskKind;
use msgraph_runtime::tasks::long_running::LongRunningOperation;
use msgraph_runtime::{Call, Error, HttpMethod, OperationInfo, Response, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

static CLONE_TEAM: OperationInfo = OperationInfo {
    operation_id: "teams.team.clone",
    method: HttpMethod::Post,
    path_template: "/teams/{team-id}/clone",
    permissions: None,
};

/// A monitor that answers `answers[n]` to the n-th poll (the last one repeated).
async fn monitor(server: &MockServer, at: &str, answers: Vec<ResponseTemplate>) -> Arc<AtomicUsize> {
    let polls = Arc::new(AtomicUsize::new(0));
    let count = polls.clone();
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(move |_: &Request| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            answers[n.min(answers.len() - 1)].clone()
        })
        .mount(server)
        .await;
    polls
}

fn status(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"status": status}))
}

#[tokio::test]
async fn a_relative_location_is_polled_with_the_token_at_the_retry_after_interval_until_it_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/teams/t-1/clone"))
        .respond_with(ResponseTemplate::new(202).insert_header("location", "/teams('t-1')/operations('op-1')"))
        .mount(&server)
        .await;
    let polls = monitor(
        &server,
        "/v1.0/teams('t-1')/operations('op-1')",
        vec![
            status("inProgress").insert_header("retry-after", "1"),
            status("running"),
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "succeeded", "targetResourceLocation": "/teams('t-2')"})),
        ],
    )
    .await;
    let client = builder(&server).credential(CountingCredential::new()).build().unwrap();
    let mut call = Call::new(&CLONE_TEAM);
    call.path_param("team-id", "t-1");
    let accepted = client.execute(call).await.unwrap();
    let operation = LongRunningOperation::from_response(&client, &accepted).unwrap().expect("202 with a monitor");
    assert!(operation.monitor_url().ends_with("/v1.0/teams('t-1')/operations('op-1')"));
    let started = Instant::now();
    let done = operation.poll_interval(Duration::from_millis(10)).wait(&client).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "the monitor's Retry-After was honoured");
    assert!(done.succeeded());
    assert_eq!(done.status(), "succeeded");
    assert_eq!(done.resource_location(), Some("/teams('t-2')"));
    assert_eq!(done.polls(), 3);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    let seen = requests(&server).await;
    for poll in &seen[1..] {
        assert_eq!(
            header(poll, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "same origin: the pipeline"
        );
    }
}

#[tokio::test]
async fn a_monitor_on_another_host_gets_no_token_and_its_redirect_ends_the_wait() {
    let graph = MockServer::start().await;
    let other = MockServer::start().await;
    monitor(
        &other,
        "/monitor/job-7",
        vec![
            ResponseTemplate::new(202).set_body_json(json!({"status": "inProgress", "percentageComplete": 50})),
            ResponseTemplate::new(303).insert_header("location", "https://contoso.example/items/new-item"),
        ],
    )
    .await;
    let client = builder(&graph).credential(CountingCredential::new()).build().unwrap();
    let mut headers = msgraph_runtime::HeaderMap::new();
    headers
        .insert("operation-location", format!("{}/monitor/job-7?token=monitor-s3cr3t", other.uri()).parse().unwrap());
    headers.insert("location", "https://ignored.example/".parse().unwrap());
    let accepted = Response::new(StatusCode::ACCEPTED, headers, ());
    let operation = LongRunningOperation::from_response(&client, &accepted).unwrap().unwrap();
    assert!(!format!("{operation:?}").contains("monitor-s3cr3t"), "{operation:?}");
    let done = operation.poll_interval(Duration::from_millis(10)).wait(&client).await.unwrap();
    assert!(done.succeeded());
    assert_eq!(done.resource_location(), Some("https://contoso.example/items/new-item"));
    let seen = requests(&other).await;
    assert_eq!(seen.len(), 2, "Operation-Location wins over Location");
    assert!(seen.iter().all(|r| header(r, "authorization").is_none()), "no token to another host");
    assert!(requests(&graph).await.is_empty());
}

#[tokio::test]
async fn a_failed_operation_and_a_timeout_are_reported_with_their_last_status() {
    let server = MockServer::start().await;
    monitor(
        &server,
        "/v1.0/operations/failing",
        vec![
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "failed", "error": {"code": "x", "message": "quota exceeded"}})),
        ],
    )
    .await;
    monitor(&server, "/v1.0/operations/slow", vec![status("inProgress")]).await;
    let client = builder(&server).build().unwrap();
    let failed = LongRunningOperation::from_url(&client, "/operations/failing").unwrap().wait(&client).await.unwrap();
    assert!(!failed.succeeded());
    assert_eq!(failed.status(), "failed");
    let error = failed.into_success().unwrap_err().to_string();
    assert!(error.contains("ended with status 'failed': quota exceeded"), "{error}");

    let slow = LongRunningOperation::from_url(&client, "/operations/slow")
        .unwrap()
        .poll_interval(Duration::from_millis(100))
        .timeout(Duration::from_millis(350));
    let error = slow.wait(&client).await.unwrap_err();
    let Error::Task(task) = &error else { panic!("{error:?}") };
    assert_eq!(task.kind(), TaskKind::LongRunningOperation);
    assert!(error.to_string().contains("did not finish within 350ms"), "{error}");
    assert!(error.to_string().contains("last status 'inProgress'"), "{error}");
}

#[tokio::test]
async fn answers_without_a_monitor_and_monitors_that_fail_or_are_insecure_are_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/operations/gone"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": {"code": "NotFound", "message": "gone"}})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let done = Response::new(StatusCode::OK, msgraph_runtime::HeaderMap::new(), ());
    assert!(LongRunningOperation::from_response(&client, &done).unwrap().is_none(), "finished at once");
    let accepted = Response::new(StatusCode::ACCEPTED, msgraph_runtime::HeaderMap::new(), ());
    let error = LongRunningOperation::from_response(&client, &accepted).unwrap_err().to_string();
    assert!(error.contains("without Operation-Location or Location"), "{error}");

    let gone = LongRunningOperation::from_url(&client, "/operations/gone").unwrap().wait(&client).await.unwrap_err();
    let Error::Task(task) = &gone else { panic!("{gone:?}") };
    assert_eq!(task.cause().and_then(Error::status), Some(StatusCode::NOT_FOUND), "Graph's answer is the cause");

    let insecure =
        LongRunningOperation::from_url(&client, "http://monitor.example/op").unwrap().wait(&client).await.unwrap_err();
    assert!(insecure.to_string().contains("plain http"), "{insecure}");
    assert_eq!(requests(&server).await.len(), 1, "only the 404 poll was sent");
}
