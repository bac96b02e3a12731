//! Paging that never loops forever: a `@odata.nextLink` equal to one already followed ends the
//! stream with `Error::PagingLoop` after the page that carried it.

use crate::common;

use common::{builder, requests};
use futures::StreamExt;
use msgraph_runtime::{Call, Error, HttpMethod, OperationInfo, paging};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LIST: OperationInfo = OperationInfo {
    operation_id: "application_ListApplication",
    method: HttpMethod::Get,
    path_template: "/applications",
    permissions: None,
};

#[derive(serde::Deserialize, Debug)]
struct Page {
    value: Vec<String>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
}

async fn page(server: &MockServer, token: &str, values: &[&str], next: Option<&str>) {
    let base = format!("{}/v1.0/applications", server.uri());
    let mut body = json!({ "value": values });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(format!("{base}?$skiptoken={next}"));
    }
    let mock = Mock::given(method("GET")).and(path("/v1.0/applications"));
    let mock = if token.is_empty() { mock } else { mock.and(query_param("$skiptoken", token)) };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .with_priority(if token.is_empty() { 10 } else { 1 })
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_page_linking_to_itself_stops_with_a_typed_error() {
    let server = MockServer::start().await;
    page(&server, "", &["a"], Some("1")).await;
    page(&server, "1", &["b"], Some("1")).await;
    let client = builder(&server).build().unwrap();
    let pages: Vec<_> = paging::pages(client, Call::new(&LIST), |p: &Page| p.next.as_deref()).take(10).collect().await;
    assert_eq!(pages.len(), 3, "two pages, then the error");
    assert_eq!(pages[1].as_ref().unwrap().value().value, ["b"], "the page with the repeated link is delivered");
    let Err(Error::PagingLoop { pages: count, link }) = &pages[2] else { panic!("{:?}", pages[2].as_ref().err()) };
    assert_eq!(*count, 2);
    assert!(link.ends_with("$skiptoken=1"), "{link}");
    let text = pages[2].as_ref().unwrap_err().to_string();
    assert!(text.contains("repeated a next-page link") && !text.contains("skiptoken"), "{text}");
    assert_eq!(requests(&server).await.len(), 2, "the repeated link is not requested again");
}

#[tokio::test]
async fn a_longer_cycle_is_caught_and_items_stop_with_the_error() {
    let server = MockServer::start().await;
    page(&server, "", &["a"], Some("1")).await;
    page(&server, "1", &["b"], Some("2")).await;
    page(&server, "2", &["c"], Some("1")).await;
    let client = builder(&server).build().unwrap();
    let items: Vec<Result<String, Error>> =
        paging::items(client, Call::new(&LIST), |p: &Page| p.next.as_deref(), |p: Page| p.value)
            .take(10)
            .collect()
            .await;
    let values: Vec<&str> = items.iter().filter_map(|i| i.as_deref().ok()).collect();
    assert_eq!(values, ["a", "b", "c"]);
    assert!(matches!(items.last(), Some(Err(Error::PagingLoop { pages: 3, .. }))), "{:?}", items.last());
    assert_eq!(requests(&server).await.len(), 3);
}
