//! JSON batching against a local `/$batch` endpoint that answers per item like Graph: typed
//! answers by id, `dependsOn`, splitting past 20 items, per-item throttling re-sent after its
//! `Retry-After`, whole-batch throttling retried by the pipeline, bad input refused before
//! sending, and secrets kept out of what-if output, `Debug` and logs.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{CountingCredential, GET_USER, TOKEN, acquire_call, builder, header, requests};
use msgraph_runtime::tasks::batch::{BatchRequest, MAX_BATCH_SIZE};
use msgraph_runtime::{Call, Error, HttpMethod, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "batched-s3cr3t-value";
const HEADER_SECRET: &str = "item-header-s3cr3t";

fn get_user(id: &str) -> Call {
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", id);
    call
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("the batch body is JSON")
}

fn sent_ids(request: &Request) -> Vec<String> {
    body(request)["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

/// A `/$batch` endpoint answering every item `200 {"id": <id>}` in reverse order, except what
/// `special` decides (`Some((status, headers, body))`).
async fn batch_server<F>(special: F) -> MockServer
where
    F: Fn(&Value) -> Option<(u16, Value, Value)> + Send + Sync + 'static,
{
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(move |request: &Request| {
            let sent = body(request);
            let mut answers: Vec<Value> = sent["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    let id = item["id"].clone();
                    match special(item) {
                        Some((status, headers, body)) => json!({"id": id, "status": status, "headers": headers, "body": body}),
                        None => json!({"id": id, "status": 200, "headers": {"content-type": "application/json"}, "body": {"id": id}}),
                    }
                })
                .collect();
            // Graph answers in any order.
            answers.reverse();
            ResponseTemplate::new(200).set_body_json(json!({ "responses": answers }))
        })
        .mount(&server)
        .await;
    server
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct User {
    id: String,
}

#[tokio::test]
async fn items_go_in_one_authenticated_batch_and_answers_are_typed_by_id() {
    let server = batch_server(|item| match item["id"].as_str() {
        Some("missing") => Some((
            404,
            json!({"content-type": "application/json", "request-id": "rid-404"}),
            json!({"error": {"code": "Request_ResourceNotFound", "message": "no such user"}}),
        )),
        Some("photo") => Some((200, json!({"content-type": "image/png"}), json!("iVBORw0K"))),
        _ => None,
    })
    .await;
    let client = builder(&server).credential(CountingCredential::new()).build().unwrap();
    let mut batch = BatchRequest::new();
    let mut first = get_user("adele");
    first.query_param("$select", "id,displayName");
    first.header("ConsistencyLevel", "eventual");
    batch.add("1", first).unwrap();
    batch.add_depending("missing", get_user("nobody"), &["1"]).unwrap();
    batch.add_raw("photo", HttpMethod::Get, "/users/adele/photo/$value", None).unwrap();
    batch.add_raw("patch", HttpMethod::Patch, "/users/adele", Some(&json!({"jobTitle": "CEO"}))).unwrap();
    let response = batch.send(&client).await.unwrap();

    let seen = requests(&server).await;
    assert_eq!(seen.len(), 1, "one HTTP call for four items");
    assert_eq!(header(&seen[0], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(header(&seen[0], "content-type"), Some("application/json"));
    assert!(header(&seen[0], "client-request-id").is_some(), "telemetry of a normal call");
    assert_eq!(
        body(&seen[0]),
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "/users/adele?$select=id%2CdisplayName", "headers": {"consistencylevel": "eventual"}},
            {"id": "missing", "method": "GET", "url": "/users/nobody", "dependsOn": ["1"]},
            {"id": "photo", "method": "GET", "url": "/users/adele/photo/$value"},
            {"id": "patch", "method": "PATCH", "url": "/users/adele", "headers": {"content-type": "application/json"}, "body": {"jobTitle": "CEO"}},
        ]})
    );

    // Answers in the order of the items, whatever order Graph used.
    let ids: Vec<&str> = response.items().iter().map(|item| item.id()).collect();
    assert_eq!(ids, ["1", "missing", "photo", "patch"]);
    assert_eq!(response.json::<User>("1").unwrap().into_inner(), User { id: "1".into() });
    assert_eq!(response.get("photo").unwrap().body().as_ref(), [0x89, b'P', b'N', b'G', 0x0d, 0x0a], "base64 decoded");
    let missing = response.get("missing").unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()["request-id"], "rid-404");
    let error = response.json::<User>("missing").unwrap_err();
    let service = error.service_error().expect("a service error per item");
    assert_eq!(service.code(), Some("Request_ResourceNotFound"));
    assert_eq!(service.request_id(), Some("rid-404"));
    assert!(error.to_string().contains("batch item 'missing': GET /users/{user-id}"), "{error}");
    assert!(matches!(response.json::<User>("nope"), Err(Error::Task(_))));

    assert!(!response.all_succeeded());
    assert_eq!(response.failed_ids(), ["missing"]);
    let again = batch.retry_failed(&response);
    assert_eq!(again.ids().collect::<Vec<_>>(), ["missing"]);
    again.send(&client).await.unwrap();
    let resent = &requests(&server).await[1];
    assert_eq!(
        body(resent)["requests"],
        json!([{"id": "missing", "method": "GET", "url": "/users/nobody"}]),
        "its dependency succeeded, so it no longer depends on it"
    );
}

#[tokio::test]
async fn more_than_twenty_items_are_split_keeping_dependencies_together() {
    let server = batch_server(|_| None).await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    for n in 0..18 {
        batch.add(format!("a{n}"), get_user(&format!("u{n}"))).unwrap();
    }
    // A chain of four that cannot share the first batch (18 + 4 > 20).
    batch.add("c0", get_user("c0")).unwrap();
    for n in 1..4 {
        batch.add_depending(format!("c{n}"), get_user(&format!("c{n}")), &[&format!("c{}", n - 1)]).unwrap();
    }
    for n in 0..25 {
        batch.add(format!("b{n}"), get_user(&format!("v{n}"))).unwrap();
    }
    let response = batch.send(&client).await.unwrap();
    assert!(response.all_succeeded());
    assert_eq!(response.items().len(), 47);
    let seen = requests(&server).await;
    assert_eq!(response.batches_sent(), seen.len());
    let batches: Vec<Vec<String>> = seen.iter().map(sent_ids).collect();
    assert!(batches.iter().all(|ids| ids.len() <= MAX_BATCH_SIZE), "{batches:?}");
    assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 47, "every item sent once");
    let with_chain: Vec<&Vec<String>> = batches.iter().filter(|ids| ids.iter().any(|id| id.starts_with('c'))).collect();
    assert_eq!(with_chain.len(), 1, "the dependency chain is in one batch: {batches:?}");
    assert_eq!(with_chain[0].iter().filter(|id| id.starts_with('c')).count(), 4);
}

#[tokio::test]
async fn a_throttled_item_is_resent_after_its_retry_after_with_what_failed_because_of_it() {
    let throttled = Arc::new(Mutex::new(0));
    let count = throttled.clone();
    let server = batch_server(move |item| match item["id"].as_str() {
        Some("b") => {
            let mut count = count.lock().unwrap();
            *count += 1;
            (*count == 1).then(|| (429, json!({"retry-after": "1"}), json!({"error": {"code": "TooManyRequests"}})))
        }
        // The first time, b failed, so c could not run.
        Some("c") if *count.lock().unwrap() == 1 => {
            Some((424, json!({}), json!({"error": {"code": "FailedDependency"}})))
        }
        _ => None,
    })
    .await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    batch.add("a", get_user("a")).unwrap();
    batch.add("b", get_user("b")).unwrap();
    batch.add_depending("c", get_user("c"), &["b"]).unwrap();
    let started = Instant::now();
    let response = batch.send(&client).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "the item's Retry-After was honoured");
    assert!(response.all_succeeded(), "{response:?}");
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(sent_ids(&seen[1]), ["b", "c"], "only the throttled item and its dependant are re-sent");
    assert_eq!(body(&seen[1])["requests"][1]["dependsOn"], json!(["b"]));
    let b = response.get("b").unwrap();
    assert_eq!(b.attempt_statuses(), [StatusCode::TOO_MANY_REQUESTS, StatusCode::OK]);
    assert_eq!(response.get("c").unwrap().attempt_statuses(), [StatusCode::FAILED_DEPENDENCY, StatusCode::OK]);
    assert!(response.get("a").unwrap().attempt_statuses().is_empty());
}

#[tokio::test]
async fn per_item_throttling_stops_within_the_retry_budget_and_keeps_the_last_answer() {
    let server = batch_server(|item| {
        (item["id"] == "b").then(|| (429, json!({"retry-after": "0"}), json!({"error": {"code": "TooManyRequests"}})))
    })
    .await;
    let client = builder(&server).max_retries(2).build().unwrap();
    let mut batch = BatchRequest::new();
    batch.add("a", get_user("a")).unwrap();
    batch.add("b", get_user("b")).unwrap();
    let response = batch.send(&client).await.unwrap();
    assert_eq!(requests(&server).await.len(), 3, "first batch and two retries");
    let b = response.get("b").unwrap();
    assert_eq!(b.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b.attempt_statuses().len(), 3);
    assert_eq!(response.failed_ids(), ["b"]);
    let error = response.json::<User>("b").unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
}

#[tokio::test]
async fn a_throttled_batch_is_retried_whole_by_the_pipeline() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"responses": [{"id": "1", "status": 204, "headers": {}}]})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    batch.add_raw("1", HttpMethod::Delete, "/users/x", None).unwrap();
    let response = batch.send(&client).await.unwrap();
    assert_eq!(response.get("1").unwrap().status(), StatusCode::NO_CONTENT);
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(header(&seen[1], "retry-attempt"), Some("1"));
    assert_eq!(seen[0].body, seen[1].body, "the same batch again");
}

#[tokio::test]
async fn a_first_batch_that_fails_is_an_error_and_items_left_out_are_reported() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": {"code": "BadRequest", "message": "x"}})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    batch.add("1", get_user("a")).unwrap();
    let error = batch.send(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));

    // Graph leaves an item out of its answer: reported, and part of the retry.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"responses": [{"id": "1", "status": 200, "body": {"id": "1"}}]})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    batch.add("1", get_user("a")).unwrap();
    batch.add("2", get_user("b")).unwrap();
    let response = batch.send(&client).await.unwrap();
    assert_eq!(response.unanswered().len(), 1);
    assert_eq!(response.unanswered()[0].id(), "2");
    assert_eq!(response.unanswered()[0].request(), "GET /users/{user-id}");
    assert_eq!(response.failed_ids(), ["2"]);
    let error = response.json::<User>("2").unwrap_err().to_string();
    assert!(error.contains("no answer for item '2'"), "{error}");
    assert_eq!(batch.retry_failed(&response).ids().collect::<Vec<_>>(), ["2"]);
}

#[tokio::test]
async fn bad_items_are_refused_before_anything_is_sent() {
    let server = batch_server(|_| None).await;
    let client = builder(&server).build().unwrap();
    let mut batch = BatchRequest::new();
    let empty = batch.send(&client).await.unwrap_err();
    assert!(empty.is_invalid_argument(), "{empty}");
    batch.add("1", get_user("a")).unwrap();
    let refusals: Vec<Error> = vec![
        batch.add("1", get_user("b")).unwrap_err(),
        batch.add("", get_user("b")).unwrap_err(),
        batch.add_depending("2", get_user("b"), &["later"]).unwrap_err(),
        batch.add_depending("2", get_user("b"), &["2"]).unwrap_err(),
        batch.add("2", get_user("..")).unwrap_err(),
        batch
            .add("2", {
                let mut c = get_user("b");
                c.options_mut().timeout(Duration::from_secs(1));
                c
            })
            .unwrap_err(),
        batch
            .add("2", {
                let mut c = get_user("b");
                c.options_mut().append(msgraph_runtime::step_fn(|r, n| n.run(r)));
                c
            })
            .unwrap_err(),
        batch.add_raw("2", HttpMethod::Get, "https://graph.microsoft.com/v1.0/me", None).unwrap_err(),
        batch.add_raw("2", HttpMethod::Get, "/users?$filter=a eq 'b'", None).unwrap_err(),
    ];
    for refusal in &refusals {
        assert!(refusal.is_invalid_argument(), "{refusal}");
    }
    let texts: Vec<String> = refusals.iter().map(ToString::to_string).collect();
    assert!(texts[0].contains("already has an item with id '1'"), "{texts:?}");
    assert!(texts[2].contains("not added before it"), "{texts:?}");
    assert!(texts[5].contains("set them on the batch"), "{texts:?}");
    assert_eq!(batch.len(), 1, "refused items are not added");

    // 21 items linked by dependsOn cannot be split.
    let mut chain = BatchRequest::new();
    chain.add("0", get_user("u")).unwrap();
    for n in 1..=MAX_BATCH_SIZE {
        chain.add_depending(n.to_string(), get_user("u"), &[&(n - 1).to_string()]).unwrap();
    }
    let error = chain.send(&client).await.unwrap_err();
    assert!(error.to_string().contains("21 batch items are linked by dependsOn"), "{error}");
    assert!(requests(&server).await.is_empty(), "nothing was sent");
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_in_batched_items_stay_out_of_what_if_debug_and_logs() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = batch_server(|_| None).await;
    let client = builder(&server).credential(CountingCredential::new()).build().unwrap();
    let mut batch = BatchRequest::new();
    let mut secret_call = acquire_call(SECRET);
    secret_call.header("x-api-key", HEADER_SECRET);
    batch.add("secret", secret_call).unwrap();
    let mut raw = Call::new(&GET_USER);
    raw.path_param("user-id", "a");
    raw.raw_body("application/octet-stream", msgraph_runtime::Bytes::from_static(b"binary-s3cr3t"));
    batch.add("raw", raw).unwrap();

    let previews = batch.what_if(&client).unwrap();
    assert_eq!(previews.len(), 1);
    let preview = previews[0].to_string();
    assert!(requests(&server).await.is_empty(), "what-if sends nothing");
    assert!(preview.contains("POST ") && preview.contains("/$batch"), "{preview}");
    assert!(preview.contains("\"value\": \"<redacted>\""), "the secret shows redacted: {preview}");
    assert!(preview.contains("\"x-api-key\": \"<redacted>\""), "{preview}");
    assert!(preview.contains("<13 bytes of application/octet-stream>"), "{preview}");

    let response = batch.send(&client).await.unwrap();
    let sent = &requests(&server).await[0];
    let wire = String::from_utf8_lossy(&sent.body);
    assert!(wire.contains(SECRET) && wire.contains(HEADER_SECRET), "the real values are sent");
    assert_eq!(body(sent)["requests"][1]["body"], json!("YmluYXJ5LXMzY3IzdA=="), "a non-JSON body goes base64");

    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("/$batch"), "the batch call is logged: {logged}");
    for output in [preview, logged, format!("{batch:?}"), format!("{response:?}"), format!("{:?}", previews[0])] {
        for secret in [SECRET, HEADER_SECRET, TOKEN, "binary-s3cr3t"] {
            assert!(!output.contains(secret), "{secret} leaked in {output}");
        }
    }
}
