//! The four parameter sets of `Get-MgServicePrincipalSynchronizationAccessToken` (AcquireExpanded,
//! Acquire, AcquireViaIdentityExpanded, AcquireViaIdentity), for both generated operations
//! (`/servicePrincipals/{id}/…` and its `/applications/{id}/…` twin): exact method, path,
//! headers and JSON body on the wire, and via-identity errors before any request.

use crate::common;

use common::*;
use msgraph_sdk::ApplicationsIdentity;
use msgraph_sdk::models::{
    AcquireAccessTokenRequestBody, SynchronizationSecret, SynchronizationSecretKeyStringValuePair,
};
use msgraph_sdk::prelude::*;
use serde_json::{Value, json};

/// The body the cmdlet sends for `-Credentials @(@{Key='BaseAddress';Value=…},
/// @{Key='SecretToken';Value=…}) -AdditionalProperties @{'@odata.type'='#microsoft.graph.x'}`.
fn cmdlet_body() -> Value {
    json!({
        "credentials": [
            {"key": "BaseAddress", "value": "https://scim.contoso.com/v2"},
            {"key": "SecretToken", "value": SECRET},
        ],
        "@odata.type": "#microsoft.graph.x",
    })
}

fn cmdlet_body_model() -> AcquireAccessTokenRequestBody {
    AcquireAccessTokenRequestBody::default()
        .with_credentials(vec![
            SynchronizationSecretKeyStringValuePair::new(
                SynchronizationSecret::BaseAddress,
                "https://scim.contoso.com/v2",
            ),
            SynchronizationSecretKeyStringValuePair::default()
                .with_key(SynchronizationSecret::SecretToken)
                .with_value(SECRET),
        ])
        .with_additional_property("@odata.type", json!("#microsoft.graph.x"))
}

/// Checks the one request `server` received: path, standard headers, and the body both as a
/// JSON value and byte for byte (so key order is checked too).
async fn assert_received(server: &wiremock::MockServer, path: &str, body: &Value) {
    let request = only_request(server).await;
    assert_standard_headers(&request);
    assert_eq!(request.url.path(), path);
    assert_eq!(request.url.query(), None);
    assert_eq!(&body_json(&request), body);
    assert_eq!(body_text(&request), body.to_string(), "compact JSON in document order");
}

// ---- servicePrincipals ----------------------------------------------------------------------

#[tokio::test]
async fn service_principal_expanded_sends_credentials_and_additional_properties() {
    let server = server_answering(204).await;
    let response = client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
        .credential("SecretToken", SECRET)
        .additional_property("@odata.type", json!("#microsoft.graph.x"))
        .send()
        .await
        .unwrap();
    assert!(response.pass_thru());
    assert_received(&server, SP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn service_principal_expanded_without_parameters_sends_an_empty_object() {
    let server = server_answering(204).await;
    client(&server).service_principals().synchronization_acquire_access_token(SP_ID).send().await.unwrap();
    assert_received(&server, SP_PATH, &json!({})).await;
}

#[tokio::test]
async fn service_principal_body_parameter_set_sends_the_model() {
    let server = server_answering(204).await;
    client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .body(cmdlet_body_model())
        .send()
        .await
        .unwrap();
    assert_received(&server, SP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn service_principal_via_identity_expanded_takes_the_id_from_the_identity() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_service_principal_id(SP_ID).with_application_id("ignored");
    msgraph_sdk::service_principals::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .credentials(vec![
            SynchronizationSecretKeyStringValuePair::new("BaseAddress", "https://scim.contoso.com/v2"),
            SynchronizationSecretKeyStringValuePair::new("SecretToken", SECRET),
        ])
        .additional_property("@odata.type", "#microsoft.graph.x")
        .send()
        .await
        .unwrap();
    assert_received(&server, SP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn service_principal_via_identity_body_parameter_set() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_service_principal_id(SP_ID);
    msgraph_sdk::service_principals::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .body(cmdlet_body_model())
        .send()
        .await
        .unwrap();
    assert_received(&server, SP_PATH, &cmdlet_body()).await;
}

// ---- applications ---------------------------------------------------------------------------

#[tokio::test]
async fn application_expanded_sends_credentials_and_additional_properties() {
    let server = server_answering(204).await;
    let response = client(&server)
        .applications()
        .synchronization_acquire_access_token(APP_ID)
        .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .additional_property("@odata.type", json!("#microsoft.graph.x"))
        .send()
        .await
        .unwrap();
    assert!(response.pass_thru());
    assert_received(&server, APP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn application_body_parameter_set_sends_the_model() {
    let server = server_answering(204).await;
    client(&server)
        .applications()
        .synchronization_acquire_access_token(APP_ID)
        .body(cmdlet_body_model())
        .send()
        .await
        .unwrap();
    assert_received(&server, APP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn application_via_identity_expanded_takes_the_id_from_the_identity() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_application_id(APP_ID).with_service_principal_id("ignored");
    msgraph_sdk::applications::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .additional_property("@odata.type", "#microsoft.graph.x")
        .send()
        .await
        .unwrap();
    assert_received(&server, APP_PATH, &cmdlet_body()).await;
}

#[tokio::test]
async fn application_via_identity_body_parameter_set() {
    let server = server_answering(204).await;
    let identity = ApplicationsIdentity::new().with_application_id(APP_ID);
    msgraph_sdk::applications::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .body(cmdlet_body_model())
        .send()
        .await
        .unwrap();
    assert_received(&server, APP_PATH, &cmdlet_body()).await;
}

// ---- body details ---------------------------------------------------------------------------

#[tokio::test]
async fn credentials_replaces_and_credential_appends() {
    let server = server_answering(204).await;
    client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credential(SynchronizationSecret::Password, "dropped")
        .credentials([SynchronizationSecretKeyStringValuePair::new(SynchronizationSecret::UserName, "alice")])
        .credential(SynchronizationSecret::Password, SECRET)
        .send()
        .await
        .unwrap();
    let expected = json!({"credentials": [
        {"key": "UserName", "value": "alice"},
        {"key": "Password", "value": SECRET},
    ]});
    assert_received(&server, SP_PATH, &expected).await;
}

#[tokio::test]
async fn unknown_keys_and_extra_pair_properties_reach_the_wire_unchanged() {
    let server = server_answering(204).await;
    let pair = SynchronizationSecretKeyStringValuePair::new("SomethingNew", "v")
        .with_additional_property("@odata.type", "microsoft.graph.synchronizationSecretKeyStringValuePair");
    client(&server)
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .credentials(vec![pair])
        .additional_property("number", 5)
        .additional_property("nothing", Value::Null)
        .additional_property("nested", json!({"a": [1, "b", null]}))
        .send()
        .await
        .unwrap();
    let expected = json!({
        "credentials": [{
            "key": "SomethingNew",
            "value": "v",
            "@odata.type": "microsoft.graph.synchronizationSecretKeyStringValuePair",
        }],
        "number": 5,
        "nothing": null,
        "nested": {"a": [1, "b", null]},
    });
    assert_received(&server, SP_PATH, &expected).await;
}

#[tokio::test]
async fn every_call_gets_a_fresh_client_request_id() {
    let server = server_answering(204).await;
    let client = client(&server);
    for _ in 0..2 {
        client.service_principals().synchronization_acquire_access_token(SP_ID).send().await.unwrap();
    }
    let requests = received(&server).await;
    let ids: Vec<&str> = requests.iter().map(|r| header(r, "client-request-id").unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

// ---- identities ---------------------------------------------------------------------------

#[tokio::test]
async fn identity_without_service_principal_id_fails_before_any_request() {
    let server = server_answering(204).await;
    let client = client(&server);
    let missing = ApplicationsIdentity::new().with_application_id(APP_ID);
    let empty = ApplicationsIdentity::new().with_service_principal_id("");
    for identity in [missing, empty] {
        let error =
            msgraph_sdk::service_principals::SynchronizationAcquireAccessToken::via_identity(&client, &identity)
                .unwrap_err();
        assert!(error.is_invalid_argument(), "{error:?}");
        assert!(error.to_string().contains("identity has no value for ServicePrincipalId"), "{error}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn identity_without_application_id_fails_before_any_request() {
    let server = server_answering(204).await;
    let client = client(&server);
    let missing = ApplicationsIdentity::new().with_service_principal_id(SP_ID);
    let empty = ApplicationsIdentity::new().with_application_id("");
    for identity in [missing, empty] {
        let error =
            msgraph_sdk::applications::SynchronizationAcquireAccessToken::via_identity(&client, &identity).unwrap_err();
        assert!(error.is_invalid_argument(), "{error:?}");
        assert!(error.to_string().contains("identity has no value for ApplicationId"), "{error}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn identity_loaded_from_powershell_json_works() {
    let server = server_answering(204).await;
    // `@{ ServicePrincipalId = 'sp-1'; AppId = 'x' } | ConvertTo-Json -Compress`
    let identity: ApplicationsIdentity = serde_json::from_str(r#"{"ServicePrincipalId":"sp-1","AppId":"x"}"#).unwrap();
    assert_eq!(identity, ApplicationsIdentity::new().with_service_principal_id("sp-1").with_app_id("x"));
    msgraph_sdk::service_principals::SynchronizationAcquireAccessToken::via_identity(&client(&server), &identity)
        .unwrap()
        .credential(SynchronizationSecret::SecretToken, SECRET)
        .send()
        .await
        .unwrap();
    let expected = json!({"credentials": [{"key": "SecretToken", "value": SECRET}]});
    assert_received(
        &server,
        "/v1.0/servicePrincipals/sp-1/synchronization/microsoft.graph.acquireAccessToken",
        &expected,
    )
    .await;
}
