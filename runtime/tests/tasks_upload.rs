//! Large file uploads against a local upload session that behaves like Graph's: slices with
//! `Content-Range`, `202` with `nextExpectedRanges`, a slice lost once, `201` with the item at
//! the end, `DELETE` to cancel. The upload URL never receives the bearer token.

use crate::common;

use std::sync::{Arc, Mutex};

use common::{CountingCredential, TOKEN, builder, header, requests};
use msgraph_runtime::tasks::TaskKind;
use msgraph_runtime::tasks::upload::{
    LargeFileUpload, NEW_FILE_CREATE_UPLOAD_SESSION, SLICE_UNIT, UploadProgress, UploadSession,
};
use msgraph_runtime::{Call, Error, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The query of the upload URL authenticates the upload, like Graph's `tempauth`.
const TEMPAUTH: &str = "tempauth-s3cr3t-v1";

/// What the fake session has received.
#[derive(Default)]
struct Session {
    total: usize,
    data: Vec<u8>,
    /// First byte still expected.
    next: usize,
    /// Slice start to answer 500 to (once, or always).
    fail_at: Option<usize>,
    fail_always: bool,
    failed: usize,
    deleted: bool,
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn upload_server(session: Arc<Mutex<Session>>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/up/session-1"))
        .respond_with(move |request: &Request| {
            let mut session = session.lock().unwrap();
            let expected = json!({"expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": [format!("{}-", session.next)]});
            match request.method.as_str() {
                "GET" => ResponseTemplate::new(200).set_body_json(expected),
                "DELETE" => {
                    session.deleted = true;
                    ResponseTemplate::new(204)
                }
                "PUT" => {
                    let range = header(request, "content-range").unwrap_or_default().to_owned();
                    let (bounds, total) = range.strip_prefix("bytes ").unwrap().split_once('/').unwrap();
                    let (first, last) = bounds.split_once('-').unwrap();
                    let (first, last, total): (usize, usize, usize) =
                        (first.parse().unwrap(), last.parse().unwrap(), total.parse().unwrap());
                    assert_eq!(total, session.total);
                    assert_eq!(request.body.len(), last - first + 1, "the body is the announced range");
                    if session.fail_at == Some(first) && (session.fail_always || session.failed == 0) {
                        // The slice is lost on the way.
                        session.failed += 1;
                        return ResponseTemplate::new(500)
                            .set_body_json(json!({"error": {"code": "generalException", "message": "slice lost"}}));
                    }
                    if first != session.next {
                        return ResponseTemplate::new(416);
                    }
                    session.data[first..=last].copy_from_slice(&request.body);
                    session.next = last + 1;
                    if session.next == total {
                        ResponseTemplate::new(201).set_body_json(json!({"id": "item-1", "name": "big.bin", "size": total}))
                    } else {
                        ResponseTemplate::new(202).set_body_json(
                            json!({"expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": [format!("{}-", session.next)]}),
                        )
                    }
                }
                _ => ResponseTemplate::new(405),
            }
        })
        .mount(&server)
        .await;
    server
}

fn new_session(total: usize) -> Arc<Mutex<Session>> {
    Arc::new(Mutex::new(Session { total, data: vec![0; total], ..Session::default() }))
}

fn upload_url(server: &MockServer) -> String {
    format!("{}/up/session-1?tempauth={TEMPAUTH}", server.uri())
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct DriveItem {
    id: String,
    size: usize,
}

#[tokio::test]
async fn uploads_in_slices_without_the_token_and_resumes_after_a_lost_slice() {
    let total = 3 * SLICE_UNIT + 40_000;
    let state = new_session(total);
    state.lock().unwrap().fail_at = Some(SLICE_UNIT);
    let uploads = upload_server(state.clone()).await;
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/drives/d-1/items/root:/big.bin:/createUploadSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uploadUrl": upload_url(&uploads),
            "expirationDateTime": "2030-01-01T00:00:00Z",
            "nextExpectedRanges": ["0-"],
        })))
        .mount(&graph)
        .await;
    let credential = CountingCredential::new();
    let client = builder(&graph).credential_arc(credential.clone()).build().unwrap();
    let mut create = Call::new(&NEW_FILE_CREATE_UPLOAD_SESSION);
    create.path_param("drive-id", "d-1");
    create.path_param("parentItem-id", "root");
    create.path_param("fileName", "big.bin");
    let session = UploadSession::create(&client, create).await.unwrap();
    assert_eq!(session.next_expected_ranges(), ["0-"]);

    let progress: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let seen = progress.clone();
    let file = pattern(total);
    let mut upload = LargeFileUpload::new(&client, session, file.clone())
        .unwrap()
        .slice_size(SLICE_UNIT)
        .unwrap()
        .on_progress(move |p| seen.lock().unwrap().push(p));
    let item = upload.upload_item::<DriveItem>().await.unwrap();
    assert_eq!(item.status(), StatusCode::CREATED);
    assert_eq!(item.into_inner(), DriveItem { id: "item-1".into(), size: total });

    {
        let state = state.lock().unwrap();
        assert!(state.data == file, "the file arrived whole");
        assert_eq!(state.failed, 1);
    }
    let sent = requests(&uploads).await;
    let summary: Vec<String> =
        sent.iter().map(|r| format!("{} {}", r.method, header(r, "content-range").unwrap_or("-"))).collect();
    let t = total;
    assert_eq!(
        summary,
        [
            format!("PUT bytes 0-{}/{t}", SLICE_UNIT - 1),
            format!("PUT bytes {}-{}/{t}", SLICE_UNIT, 2 * SLICE_UNIT - 1),
            "GET -".to_owned(),
            format!("PUT bytes {}-{}/{t}", SLICE_UNIT, 2 * SLICE_UNIT - 1),
            format!("PUT bytes {}-{}/{t}", 2 * SLICE_UNIT, 3 * SLICE_UNIT - 1),
            format!("PUT bytes {}-{}/{t}", 3 * SLICE_UNIT, t - 1),
        ],
        "the lost slice is sent again from the session's nextExpectedRanges"
    );
    for request in &sent {
        assert_eq!(header(request, "authorization"), None, "no bearer token to the upload URL");
        if request.method.as_str() == "PUT" {
            assert_eq!(header(request, "content-length"), Some(request.body.len().to_string().as_str()));
        }
    }
    assert_eq!(header(&requests(&graph).await[0], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(credential.fetches(), 1);
    let uploaded: Vec<u64> = progress.lock().unwrap().iter().map(|p| p.uploaded).collect();
    let unit = SLICE_UNIT as u64;
    assert_eq!(uploaded, [unit, 2 * unit, 3 * unit, t as u64]);
    assert!(upload.session().next_expected_ranges().is_empty());
}

#[tokio::test]
async fn a_saved_session_resumes_where_graph_says_and_no_token_goes_to_a_same_origin_upload_url() {
    let total = SLICE_UNIT + 10;
    let state = new_session(total);
    let file = pattern(total);
    {
        let mut state = state.lock().unwrap();
        state.next = SLICE_UNIT;
        state.data[..SLICE_UNIT].copy_from_slice(&file[..SLICE_UNIT]);
    }
    let server = upload_server(state.clone()).await;
    // The upload URL is on the client's own base URL: still no token.
    let client = builder(&server).credential(CountingCredential::new()).build().unwrap();
    let mut upload =
        LargeFileUpload::new(&client, UploadSession::from_upload_url(upload_url(&server)), file.clone()).unwrap();
    let response = upload.upload().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2, "asks where to continue, then sends only the rest");
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_eq!(header(&sent[1], "content-range"), Some(format!("bytes {SLICE_UNIT}-{}/{total}", total - 1).as_str()));
    assert!(sent.iter().all(|r| header(r, "authorization").is_none()));
    assert!(state.lock().unwrap().data == file);

    upload.cancel().await.unwrap();
    assert!(state.lock().unwrap().deleted, "cancel deletes the session");
}

#[tokio::test]
async fn a_slice_that_keeps_failing_reports_what_was_sent_and_what_graph_answered() {
    let total = 2 * SLICE_UNIT;
    let state = new_session(total);
    {
        let mut state = state.lock().unwrap();
        state.fail_at = Some(SLICE_UNIT);
        state.fail_always = true;
    }
    let server = upload_server(state.clone()).await;
    let client = builder(&server).build().unwrap();
    let session: UploadSession =
        serde_json::from_value(json!({"uploadUrl": upload_url(&server), "nextExpectedRanges": ["0-"]})).unwrap();
    let mut upload =
        LargeFileUpload::new(&client, session, pattern(total)).unwrap().slice_size(SLICE_UNIT).unwrap().max_resumes(2);
    let error = upload.upload().await.unwrap_err();
    let Error::Task(task) = &error else { panic!("{error:?}") };
    assert_eq!(task.kind(), TaskKind::Upload);
    let text = error.to_string();
    assert!(text.contains(&format!("slice bytes {SLICE_UNIT}-{}/{total}", total - 1)), "what was sent: {text}");
    assert!(text.contains("after 2 resumes"), "{text}");
    let answer = task.cause().and_then(Error::service_error).expect("Graph's answer");
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.message(), Some("slice lost"));
    assert_eq!(state.lock().unwrap().failed, 3, "the first try and two resumes");
    assert_eq!(upload.session().next_expected_ranges(), [format!("{SLICE_UNIT}-")], "where a later resume starts");
    for output in [text, format!("{error:?}"), format!("{upload:?}"), format!("{:?}", upload.session())] {
        assert!(!output.contains(TEMPAUTH), "the upload URL's query leaked: {output}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = builder(&server).build().unwrap();
    let session = |url: &str| UploadSession::from_upload_url(url);
    for (url, why) in [
        ("http://uploads.example/up/1?tempauth=x", "plain http"),
        ("ftp://127.0.0.1/up/1", "scheme 'ftp'"),
        ("https://user:pw@uploads.example/up/1", "credentials"),
        ("/relative", "not an absolute URL"),
    ] {
        let error = LargeFileUpload::new(&client, session(url), vec![1u8; 10]).unwrap_err().to_string();
        assert!(error.contains(why), "{url}: {error}");
        assert!(!error.contains("tempauth=x") && !error.contains("pw"), "{error}");
    }
    let https = session("https://uploads.example/up/1");
    let empty = LargeFileUpload::new(&client, https.clone(), Vec::new()).unwrap_err().to_string();
    assert!(empty.contains("the file is empty"), "{empty}");
    for size in [0, 1000, SLICE_UNIT + 1, 193 * SLICE_UNIT] {
        let error = LargeFileUpload::new(&client, https.clone(), vec![1u8; 10]).unwrap().slice_size(size).unwrap_err();
        assert!(error.is_invalid_argument() && error.to_string().contains("multiple of 320 KiB"), "{size}: {error}");
    }
    // A session that expects bytes the file does not have (another file?).
    let state = new_session(10);
    state.lock().unwrap().next = 50;
    let uploads = upload_server(state).await;
    let mut upload = LargeFileUpload::new(&client, session(&upload_url(&uploads)), vec![1u8; 10]).unwrap();
    let error = upload.upload().await.unwrap_err().to_string();
    assert!(error.contains("the session expects bytes 50- but the file has 10 bytes"), "{error}");
    assert!(requests(&server).await.is_empty());
    assert_eq!(requests(&uploads).await.len(), 1, "only the status request");
}

#[tokio::test]
async fn a_session_that_never_advances_is_given_up_instead_of_fed_forever() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"nextExpectedRanges": ["0-"]})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let session: UploadSession =
        serde_json::from_value(json!({"uploadUrl": upload_url(&server), "nextExpectedRanges": ["0-"]})).unwrap();
    let mut upload =
        LargeFileUpload::new(&client, session, pattern(2 * SLICE_UNIT)).unwrap().slice_size(SLICE_UNIT).unwrap();
    let error = upload.upload().await.unwrap_err().to_string();
    assert!(error.contains("does not advance"), "{error}");
    assert_eq!(requests(&server).await.len(), 4, "the first try and three more");
}
