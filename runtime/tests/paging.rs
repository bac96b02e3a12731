//! Paging: `@odata.nextLink` followed through the pipeline, and `text/plain` answers.

use crate::common;

use common::{builder, requests};
use futures::StreamExt;
use msgraph_runtime::{Call, HttpMethod, OperationInfo, paging};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LIST: OperationInfo = OperationInfo {
    operation_id: "application_ListApplication",
    method: HttpMethod::Get,
    path_template: "/applications",
    permissions: None,
};

static COUNT: OperationInfo = OperationInfo {
    operation_id: "application_GetCount",
    method: HttpMethod::Get,
    path_template: "/applications/$count",
    permissions: None,
};

#[derive(serde::Deserialize)]
struct Page {
    value: Vec<String>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
}

async fn three_pages(server: &MockServer) {
    let base = format!("{}/v1.0/applications", server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0/applications"))
        .and(query_param("$skiptoken", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": ["e"]})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/applications"))
        .and(query_param("$skiptoken", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": ["c", "d"], "@odata.nextLink": format!("{base}?$skiptoken=2")})),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/applications"))
        .and(query_param("$top", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": ["a", "b"], "@odata.nextLink": format!("{base}?$skiptoken=1")})),
        )
        .mount(server)
        .await;
}

fn first_call() -> Call {
    let mut call = Call::new(&LIST);
    call.query_param("$top", "2");
    call.options_mut().header("ConsistencyLevel", "eventual");
    call
}

#[tokio::test]
async fn pages_follow_next_links_with_the_first_calls_headers() {
    let server = MockServer::start().await;
    three_pages(&server).await;
    let client = builder(&server).credential(msgraph_runtime::StaticToken::new("t")).build().unwrap();
    let pages: Vec<_> = paging::pages(client, first_call(), |p: &Page| p.next.as_deref()).collect().await;
    let values: Vec<Vec<String>> = pages.into_iter().map(|p| p.unwrap().into_inner().value).collect();
    assert_eq!(values, [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
    let seen = requests(&server).await;
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(common::header(request, "consistencylevel"), Some("eventual"));
        assert_eq!(common::header(request, "authorization"), Some("Bearer t"));
    }
}

#[tokio::test]
async fn items_flatten_every_page() {
    let server = MockServer::start().await;
    three_pages(&server).await;
    let client = builder(&server).build().unwrap();
    let items: Vec<String> = paging::items(client, first_call(), |p: &Page| p.next.as_deref(), |p: Page| p.value)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/applications"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"value": ["a"], "@odata.nextLink": "https://evil.example/v1.0/applications?x=1"}),
            ),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let pages: Vec<_> = paging::pages(client, Call::new(&LIST), |p: &Page| p.next.as_deref()).collect().await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    let error = pages[1].as_ref().err().expect("the second page is refused").to_string();
    assert!(error.contains("points to another host"), "{error}");
    assert_eq!(requests(&server).await.len(), 1, "nothing was sent for the refused link");
}

#[tokio::test]
async fn an_error_page_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"error": {"code": "Forbidden", "message": "no"}})),
        )
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let pages: Vec<_> = paging::pages(client, Call::new(&LIST), |p: &Page| p.next.as_deref()).collect().await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].as_ref().err().and_then(|e| e.status()).map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn text_answers_parse_and_bad_text_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/applications/$count"))
        .respond_with(ResponseTemplate::new(200).set_body_string("42\n"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/applications/$count"))
        .respond_with(ResponseTemplate::new(200).set_body_string("forty-two"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let count = client.execute(Call::new(&COUNT)).await.unwrap().text::<i64>().unwrap();
    assert_eq!(*count.value(), 42);
    let error = client.execute(Call::new(&COUNT)).await.unwrap().text::<i64>().unwrap_err();
    assert!(matches!(error, msgraph_runtime::Error::Decode(_)), "{error:?}");
    assert!(!error.to_string().contains("forty-two"));
}
