//! 200 concurrent calls through one client against a server injecting 429s: every call
//! succeeds exactly once, none is lost or duplicated beyond its retries, one token fetch.

use crate::common;

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use msgraph_runtime::Call;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const CALLS: u32 = 200;

/// How many 429s call `id` receives before its 204.
fn throttles(id: u32) -> usize {
    match id {
        id if id % 20 == 0 => 2,
        id if id % 3 == 0 => 1,
        _ => 0,
    }
}

/// Per call id: the statuses served and the client-request-ids seen.
type Seen = BTreeMap<u32, (Vec<u16>, Vec<String>)>;

#[derive(Default)]
struct Throttler {
    seen: Mutex<Seen>,
}

impl Respond for &'static Throttler {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let id: u32 = header(request, "x-call-id").and_then(|v| v.parse().ok()).unwrap_or(u32::MAX);
        let crid = header(request, "client-request-id").unwrap_or_default().to_owned();
        let mut seen = self.seen.lock().unwrap();
        let (statuses, crids) = seen.entry(id).or_default();
        crids.push(crid);
        if statuses.len() < throttles(id) {
            // The second throttle of a call asks for a real (1 s) wait.
            let wait = if statuses.is_empty() { "0" } else { "1" };
            statuses.push(429);
            ResponseTemplate::new(429).insert_header("retry-after", wait)
        } else {
            statuses.push(204);
            ResponseTemplate::new(204)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_with_throttling() {
    let throttler: &'static Throttler = Box::leak(Box::default());
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(throttler).mount(&server).await;
    // A slow credential makes the calls pile up on the first token fetch.
    let credential = CountingCredential::with(Duration::from_secs(3600), Duration::from_millis(20));
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();

    let tasks: Vec<_> = (0..CALLS)
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut call = Call::new(&ACQUIRE);
                call.path_param("servicePrincipal-id", &format!("sp-{id}"));
                call.header("x-call-id", &id.to_string());
                client.execute(call).await.map(|r| r.pass_thru())
            })
        })
        .collect();
    for (id, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.unwrap();
        assert!(matches!(outcome, Ok(true)), "call {id}: {outcome:?}");
    }

    assert_eq!(credential.fetches(), 1, "one token fetch for all calls");
    let seen = throttler.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), CALLS as usize, "every call reached the server");
    let mut all_crids = HashSet::new();
    for id in 0..CALLS {
        let (statuses, crids) = &seen[&id];
        let mut expected = vec![429u16; throttles(id)];
        expected.push(204);
        assert_eq!(statuses, &expected, "call {id}: exactly one success after its retries");
        assert!(crids.iter().all(|c| c == &crids[0]), "call {id} keeps its client-request-id across retries");
        all_crids.insert(crids[0].clone());
    }
    assert_eq!(all_crids.len(), CALLS as usize, "client-request-ids are unique per call");
    let total: usize = seen.values().map(|(s, _)| s.len()).sum();
    let expected_total: usize = (0..CALLS).map(|id| throttles(id) + 1).sum();
    assert_eq!(total, expected_total);
    assert_eq!(requests(&server).await.len(), expected_total);
}
