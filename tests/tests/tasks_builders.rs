//! The multi-request helpers with generated builders (`into_call`): a delta query over
//! `/applications/delta()` to its `@odata.deltaLink` and on from a saved one, and a JSON batch
//! of generated calls with typed answers.
#![cfg(feature = "applications")]

use crate::common;

use common::*;
use msgraph_sdk::models::Application;
use msgraph_sdk::prelude::*;
use msgraph_sdk::runtime::tasks::TaskKind;
use msgraph_sdk::runtime::tasks::batch::BatchRequest;
use msgraph_sdk::runtime::tasks::delta;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn delta_pages(server: &MockServer) {
    let link = |query: &str| format!("{}/v1.0/applications/microsoft.graph.delta()?{query}", server.uri());
    let answers = [
        (
            "$skiptoken",
            "p2",
            json!({"value": [{"id": "b"}, {"id": "c", "@removed": {"reason": "deleted"}}], "@odata.deltaLink": link("$deltatoken=d1")}),
        ),
        (
            "$deltatoken",
            "d1",
            json!({"value": [{"id": "d", "displayName": "new"}], "@odata.deltaLink": link("$deltatoken=d2")}),
        ),
        ("$deltatoken", "broken", json!({"value": []})),
        ("$top", "1", json!({"value": [{"id": "a"}], "@odata.nextLink": link("$skiptoken=p2")})),
    ];
    for (name, value, body) in answers {
        Mock::given(method("GET"))
            .and(path("/v1.0/applications/microsoft.graph.delta()"))
            .and(query_param(name, value))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_delta_round_yields_every_change_and_the_link_the_next_round_starts_from() {
    let server = MockServer::start().await;
    delta_pages(&server).await;
    let client = client(&server);
    let call = client.applications().delta().top(1).header("Prefer", "return=minimal").into_call().unwrap();
    let round = delta::collect::<Application>(client.clone(), call).await.unwrap();
    let ids: Vec<&str> = round.items.iter().filter_map(|a| a.id.as_deref()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(round.items[2].additional_properties.contains_key("@removed"), "deletions are kept");
    assert!(round.delta_link.ends_with("$deltatoken=d1"), "{}", round.delta_link);
    let seen = received(&server).await;
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter().all(|r| header(r, "prefer") == Some("return=minimal")),
        "the first call's headers on every page"
    );

    // Later: from the saved link.
    let next = delta::collect::<Application>(client.clone(), delta::resume(&round.delta_link)).await.unwrap();
    assert_eq!(next.items[0].display_name.as_deref(), Some("new"));
    assert!(next.delta_link.ends_with("$deltatoken=d2"));
    let resumed = &received(&server).await[2];
    assert_eq!(resumed.url.query(), Some("$deltatoken=d1"));
    assert_eq!(header(resumed, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));

    // A round that ends without a delta link cannot be resumed: an error, not a silent end.
    let broken = format!("{}/v1.0/applications/microsoft.graph.delta()?$deltatoken=broken", server.uri());
    let error = delta::collect::<Application>(client.clone(), delta::resume(&broken)).await.unwrap_err();
    let msgraph_sdk::Error::Task(task) = &error else { panic!("{error:?}") };
    assert_eq!(task.kind(), TaskKind::Delta);
    assert!(error.to_string().contains("neither @odata.nextLink nor @odata.deltaLink"), "{error}");

    // A saved link to another host is never followed with the token.
    let elsewhere =
        delta::collect::<Application>(client, delta::resume("https://evil.example/v1.0/x?$deltatoken=1")).await;
    assert!(elsewhere.unwrap_err().to_string().contains("points to another host"));
    assert_eq!(received(&server).await.len(), 4);
}

#[tokio::test]
async fn generated_builders_go_into_a_batch_and_come_back_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "app", "status": 200, "headers": {"content-type": "application/json"}, "body": {"id": "app-1", "displayName": "Contoso"}},
            {"id": "delete", "status": 204, "headers": {}},
        ]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = BatchRequest::new();
    batch
        .add("app", client.applications().get_application("app-1").select(["id", "displayName"]).into_call().unwrap())
        .unwrap();
    batch
        .add_depending("delete", client.applications().delete_application("app-2").into_call().unwrap(), &["app"])
        .unwrap();
    let response = batch.send(&client).await.unwrap();
    let app = response.json::<Application>("app").unwrap().into_inner();
    assert_eq!(app.display_name.as_deref(), Some("Contoso"));
    assert!(response.get("delete").unwrap().is_success());
    let sent = body_json(&only_request(&server).await);
    assert_eq!(
        sent,
        json!({"requests": [
            {"id": "app", "method": "GET", "url": "/applications/app-1?$select=id%2CdisplayName"},
            {"id": "delete", "method": "DELETE", "url": "/applications/app-2", "dependsOn": ["app"]},
        ]})
    );

    // A write builder hands over its body too: the seed action, whose body holds a secret
    // that the batch sends but never shows.
    let call = client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(msgraph_sdk::models::SynchronizationSecret::SecretToken, SECRET)
        .into_call()
        .unwrap();
    let mut writes = BatchRequest::new();
    writes.add("token", call).unwrap();
    assert!(!format!("{writes:?}").contains(SECRET));
    let shown = writes.what_if(&client).unwrap();
    assert!(!format!("{shown:?}").contains(SECRET), "{shown:?}");
    assert!(shown.iter().any(|w| w.to_string().contains("<redacted>")), "{shown:?}");
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "token", "status": 204, "headers": {}},
        ]})))
        .mount(&server)
        .await;
    let response = writes.send(&client).await.unwrap();
    assert!(response.get("token").unwrap().is_success());
    let sent = body_json(&only_request(&server).await);
    assert_eq!(
        sent["requests"][0]["body"],
        json!({"credentials": [{"key": "SecretToken", "value": SECRET}]}),
        "{sent}"
    );
    assert_eq!(sent["requests"][0]["method"], "POST");
    let error = client.applications().get_application("").into_call().unwrap_err();
    assert!(error.is_invalid_argument(), "an invalid argument comes back from into_call: {error}");
}
