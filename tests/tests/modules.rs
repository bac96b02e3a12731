//! Several Graph modules in one crate: a type shared by modules is one Rust type, each module
//! has its own identity type (PowerShell's `I<Module>Identity`) and Cargo feature, and an
//! operation of one module reaches the server like any other.
#![cfg(feature = "full")]

use crate::common::*;
use futures::TryStreamExt;
use msgraph_sdk::identity::{ApplicationsIdentity, GroupsIdentity, MailIdentity, UsersIdentity};
use msgraph_sdk::models::User;
use msgraph_sdk::prelude::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `User` from the Users module (`GET /users/{id}`) and the users a Groups operation lists
/// (`GET /groups/{id}/members/microsoft.graph.user`) are values of one type: they go into one
/// `Vec<User>`, and one can be sent back as the other's body.
#[tokio::test]
async fn a_user_from_the_users_module_is_the_user_a_groups_operation_returns() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "u1", "displayName": "Adele Vance"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/groups/g1/members/microsoft.graph.user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [{"@odata.type": "#microsoft.graph.user", "id": "u2", "displayName": "Alex Wilber"}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1.0/users/u2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);

    let from_users: User = client.users().get_user("u1").send().await.unwrap().into_inner();
    let from_groups: Vec<User> = client.groups().list_member_as_user("g1").items().try_collect().await.unwrap();
    let everyone: Vec<User> = std::iter::once(from_users).chain(from_groups).collect();
    let names: Vec<Option<&str>> = everyone.iter().map(|u| u.display_name.as_deref()).collect();
    assert_eq!(names, [Some("Adele Vance"), Some("Alex Wilber")]);

    // The Groups module's value is the Users module's body.
    let mut update = everyone[1].clone();
    update.display_name = Nullable::Value("Alex W.".to_owned());
    client.users().update_user("u2").body(update).send().await.unwrap();
    let requests = received(&server).await;
    let patch = requests.last().unwrap();
    assert_eq!(body_json(patch)["displayName"], "Alex W.");
    assert_eq!(body_json(patch)["@odata.type"], "#microsoft.graph.user");
}

/// Each module's identity holds that module's path keys, as PowerShell's `IMailIdentity`
/// does, and a via-identity call of a Mail operation reads the Mail identity.
#[tokio::test]
async fn each_module_has_its_own_identity_with_its_own_keys() {
    assert!(MailIdentity::KEYS.contains(&"MessageId") && MailIdentity::KEYS.contains(&"MailFolderId"));
    assert!(!MailIdentity::KEYS.contains(&"ServicePrincipalId"), "Mail has no service principals");
    assert!(GroupsIdentity::KEYS.contains(&"GroupId"));
    assert!(UsersIdentity::KEYS.contains(&"UserId"));
    assert!(ApplicationsIdentity::KEYS.contains(&"ServicePrincipalId"));
    assert!(!ApplicationsIdentity::KEYS.contains(&"MessageId"), "Applications has no messages");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "m1"})))
        .mount(&server)
        .await;
    let client = client(&server);
    let identity = MailIdentity::new().with_user_id("u1").with_message_id("m1");
    let message = msgraph_sdk::users::GetMessage::via_identity(&client, &identity).unwrap().send().await.unwrap();
    assert_eq!(message.value().id.as_deref(), Some("m1"));
    assert_eq!(only_request(&server).await.url.path(), "/v1.0/users/u1/messages/m1");

    // The identity lacking a key the path needs fails before any request.
    let Err(error) = msgraph_sdk::users::GetMessage::via_identity(&client, &MailIdentity::new().with_user_id("u1"))
    else {
        panic!("an identity without MessageId must be refused");
    };
    assert!(error.to_string().contains("MessageId"), "{error}");
    assert_eq!(received(&server).await.len(), 1, "nothing more was sent");
}

/// Every operation's documentation and `OperationInfo` name its module's feature; the seed
/// stays compiled without any.
#[test]
fn operations_are_documented_with_their_modules_feature() {
    let lib = include_str!("../../generated/src/users.rs");
    let at = lib.find("`GET /users/{user-id}/messages` (operationId `user_ListMessage`)").expect("the Mail operation");
    let docs = &lib[at..at + 400];
    assert!(docs.contains("Available with the Cargo feature `mail`."), "{docs}");
    let manifest = include_str!("../../generated/Cargo.toml");
    for feature in ["applications", "calendar", "directory-objects", "groups", "mail", "users"] {
        assert!(manifest.contains(&format!("\n\"{feature}\" = []\n")), "feature {feature}");
    }
}
