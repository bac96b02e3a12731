//! Graph's newer documents: `@odata.type` is listed as required on every type and tells derived
//! types apart (`discriminator.mapping`, `x-ms-discriminator-value`). The pinned Applications
//! document predates that shape, so these tests use the golden crate generated from
//! `generator/tests/fixtures/polymorphic/document.yml`, with every feature (a derived type's
//! `<Base>Kind` variant exists only when its type is compiled).
#![cfg(feature = "polymorphic")]

use crate::common;

use common::*;
use golden_polymorphic::models::{
    DirectoryObject, DirectoryObjectCollectionResponse, DirectoryObjectKind, EntityKind, Group, User,
};
use golden_polymorphic::prelude::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn objects_without_odata_type_still_decode() {
    // The service leaves `@odata.type` out when an object is of the declared type.
    let user: User = serde_json::from_value(json!({"id": "u1", "displayName": "Adele"})).unwrap();
    assert!(user.odata_type.is_absent());
    assert_eq!(user.display_name.as_deref(), Some("Adele"));
    // And nothing is invented on the way out.
    assert_eq!(serde_json::to_value(&user).unwrap(), json!({"id": "u1", "displayName": "Adele"}));
}

#[test]
fn kinds_follow_odata_type_and_keep_unknown_types_as_the_base() {
    let group = json!({"@odata.type": "#microsoft.graph.group", "id": "g1", "mailNickname": "team"});
    let user = json!({"@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": "Adele"});
    let device = json!({"@odata.type": "#microsoft.graph.device", "id": "d1", "deviceId": "x"});
    let untyped = json!({"id": "o1"});

    let DirectoryObjectKind::Group(g) = serde_json::from_value(group.clone()).unwrap() else { panic!("a group") };
    assert_eq!(g.mail_nickname.as_deref(), Some("team"));
    let DirectoryObjectKind::User(u) = serde_json::from_value(user.clone()).unwrap() else { panic!("a user") };
    assert_eq!(u.display_name.as_deref(), Some("Adele"));
    // A type this SDK does not know: the base type, its extra properties kept.
    let DirectoryObjectKind::DirectoryObject(d) = serde_json::from_value(device.clone()).unwrap() else {
        panic!("the base type")
    };
    assert_eq!(d.additional_properties["deviceId"], "x");
    assert!(matches!(serde_json::from_value(untyped).unwrap(), DirectoryObjectKind::DirectoryObject(_)));

    // Grandchildren count too: `entity` → `directoryObject` → `user`; the mapping's entry
    // for a schema the document does not define is left out.
    assert!(matches!(serde_json::from_value(user.clone()).unwrap(), EntityKind::User(_)));
    assert!(matches!(
        serde_json::from_value(json!({"@odata.type": "#microsoft.graph.directoryObject"})).unwrap(),
        EntityKind::DirectoryObject(_)
    ));

    // Writing a kind writes the value it holds, unchanged.
    for original in [group, user, device] {
        let kind: DirectoryObjectKind = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&kind).unwrap(), original);
    }
}

#[test]
fn a_kind_built_in_rust_says_what_it_is() {
    // Graph needs `@odata.type` on derived types in requests: converting into the kind sets it
    // when unset, and never overrides one that is set.
    let kind = DirectoryObjectKind::from(Group::default().with_mail_nickname("team"));
    assert_eq!(
        serde_json::to_value(&kind).unwrap(),
        json!({"@odata.type": "#microsoft.graph.group", "mailNickname": "team"})
    );
    let tagged = User::default().with_odata_type("#microsoft.graph.user.custom");
    let DirectoryObjectKind::User(user) = DirectoryObjectKind::from(tagged) else { panic!("a user") };
    assert_eq!(user.odata_type.as_deref(), Some("#microsoft.graph.user.custom"));
    // The base type is wrapped as it is.
    let base = DirectoryObjectKind::from(DirectoryObject::default());
    assert_eq!(serde_json::to_value(&base).unwrap(), json!({}));
}

#[test]
fn a_kind_that_does_not_fit_its_type_is_an_error_not_a_panic() {
    let error = serde_json::from_value::<DirectoryObjectKind>(
        json!({"@odata.type": "#microsoft.graph.user", "displayName": 42}),
    )
    .unwrap_err();
    assert!(error.to_string().contains("invalid type"), "{error}");
}

#[tokio::test]
async fn a_collection_of_the_base_type_yields_its_derived_types() {
    let server = MockServer::start().await;
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
        "value": [
            {"@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": "Adele"},
            {"@odata.type": "#microsoft.graph.group", "id": "g1", "mailNickname": "team"},
            {"id": "o1", "deletedDateTime": "2024-05-01T10:00:00Z"},
        ],
    });
    Mock::given(method("GET"))
        .and(path("/v1.0/directoryObjects"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;

    let response = client(&server).directory_objects().list_directory_object().send().await.unwrap();
    let DirectoryObjectCollectionResponse { value, .. } = response.into_inner();
    let kinds: Vec<DirectoryObjectKind> =
        value.into_option().unwrap().into_iter().map(DirectoryObject::into_kind).collect::<Result<_, _>>().unwrap();
    let [
        DirectoryObjectKind::User(user),
        DirectoryObjectKind::Group(group),
        DirectoryObjectKind::DirectoryObject(other),
    ] = &kinds[..]
    else {
        panic!("user, group, base: {kinds:?}")
    };
    assert_eq!((user.id.as_deref(), user.display_name.as_deref()), (Some("u1"), Some("Adele")));
    assert_eq!(group.mail_nickname.as_deref(), Some("team"));
    assert_eq!(other.deleted_date_time.as_deref(), Some("2024-05-01T10:00:00Z"));
}
