//! Permissions on every operation: the seed operation's `OperationInfo` carries the cmdlet help's
//! table (from Microsoft's permission reference, not typed in by hand), and a 403 from a local
//! server explains itself: what the operation accepts, least privileged first, and what the
//! bearer token carried, without ever showing the token.

use crate::common;

use common::*;
use msgraph_sdk::models::AcquireAccessTokenRequestBody;
use msgraph_sdk::prelude::*;
use msgraph_sdk::request::Operation;
use msgraph_sdk::runtime::{Permission, Permissions, StaticToken};
use msgraph_sdk::service_principals::op::SynchronizationAcquireAccessToken;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A JWT whose payload is `{"aud": "https://graph.microsoft.com", "scp": "User.Read Mail.Read",
/// "upn": "adele@contoso.com"}`.
const DELEGATED_JWT: &str = "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgInNjcCI6ICJVc2VyLlJlYWQgTWFpbC5SZWFkIiwgInVwbiI6ICJhZGVsZUBjb250b3NvLmNvbSJ9.c2lnbmF0dXJl";
/// A JWT whose payload is `{"aud": "https://graph.microsoft.com", "roles":
/// ["Application.ReadWrite.OwnedBy"]}`.
const APP_JWT: &str = "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgInJvbGVzIjogWyJBcHBsaWNhdGlvbi5SZWFkV3JpdGUuT3duZWRCeSJdfQ.c2lnbmF0dXJl";

#[test]
fn the_seed_operation_carries_the_cmdlet_help_table_at_run_time() {
    const CMDLET_HELP: Permissions = Permissions {
        delegated_work: &[Permission::least("Synchronization.ReadWrite.All")],
        delegated_personal: &[],
        application: &[
            Permission::least("Application.ReadWrite.OwnedBy"),
            Permission::higher("Synchronization.ReadWrite.All"),
        ],
    };
    let permissions = SynchronizationAcquireAccessToken::INFO.permissions.expect("listed in the reference");
    assert_eq!(permissions, &CMDLET_HELP);
}

async fn forbidden_server() -> MockServer {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}});
    Mock::given(any()).respond_with(ResponseTemplate::new(403).set_body_json(body)).mount(&server).await;
    server
}

async fn acquire_with(token: &str, status_server: &MockServer) -> Error {
    let client = builder(status_server).credential(StaticToken::new(token)).build().unwrap();
    client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .body(AcquireAccessTokenRequestBody::default())
        .send()
        .await
        .expect_err("403")
}

#[tokio::test]
async fn a_403_names_the_accepted_permissions_and_the_tokens_scopes_but_never_the_token() {
    let server = forbidden_server().await;
    let error = acquire_with(DELEGATED_JWT, &server).await;
    let text = error.to_string();
    assert!(
        text.contains(
            "This operation accepts (least privileged first) delegated (work or school): \
             Synchronization.ReadWrite.All; delegated (personal account): not supported; application: \
             Application.ReadWrite.OwnedBy, Synchronization.ReadWrite.All; the token carried scp: User.Read \
             Mail.Read; roles: none"
        ),
        "{text}"
    );
    assert!(!text.contains("which includes"), "{text}");
    let Error::Service(service) = &error else { panic!("{error:?}") };
    assert_eq!(service.token_grants().unwrap().scopes, ["User.Read", "Mail.Read"]);
    assert_eq!(service.accepted_permissions(), SynchronizationAcquireAccessToken::INFO.permissions);
    let debug = format!("{error:?}");
    for shown in [&text, &debug] {
        // Neither the token, nor its payload, nor any other claim of it.
        for part in DELEGATED_JWT.split('.').chain(["adele@contoso.com"]) {
            assert!(!shown.contains(part), "{part} in {shown}");
        }
    }
}

#[tokio::test]
async fn a_403_with_an_accepted_permission_says_so_and_an_opaque_token_is_not_guessed_at() {
    let server = forbidden_server().await;
    let text = acquire_with(APP_JWT, &server).await.to_string();
    assert!(
        text.contains(
            "the token carried scp: none; roles: Application.ReadWrite.OwnedBy, which includes an accepted permission"
        ),
        "{text}"
    );
    let text = acquire_with(TOKEN, &server).await.to_string();
    assert!(
        text.contains("the token's scopes and roles are unknown (it was not a JWT, or, in a batch, not inspected)"),
        "{text}"
    );
    assert!(!text.contains("tok3n"), "{text}");
}

#[tokio::test]
async fn other_statuses_do_not_talk_about_permissions() {
    let server = server_answering(404).await;
    let text = acquire_with(DELEGATED_JWT, &server).await.to_string();
    assert!(!text.contains("accepts") && !text.contains("scp"), "{text}");
}

#[tokio::test]
async fn a_403_inside_a_batch_names_what_its_operation_accepts() {
    use msgraph_sdk::runtime::tasks::batch::BatchRequest;
    let server = MockServer::start().await;
    let body = json!({"responses": [{"id": "token", "status": 403, "headers": {"content-type": "application/json"},
        "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}}}]});
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let client = builder(&server).credential(StaticToken::new(DELEGATED_JWT)).build().unwrap();
    let call = client.service_principals().synchronization_acquire_access_token(SP_ID).into_call().unwrap();
    let mut batch = BatchRequest::new();
    batch.add("token", call).unwrap();
    let response = batch.send(&client).await.unwrap();
    let text = response.get("token").unwrap().to_result().unwrap_err().to_string();
    assert!(
        text.contains("accepts (least privileged first) delegated (work or school): Synchronization.ReadWrite.All"),
        "{text}"
    );
    assert!(text.contains("the token's scopes and roles are unknown"), "{text}");
}

#[tokio::test]
async fn the_grants_shown_are_those_of_the_token_that_was_sent() {
    use msgraph_sdk::runtime::{HeaderValue, step_fn};
    // A step that exchanges the credential's (delegated) token for an app token, as a
    // token-exchange step would: the 403 describes the token that actually went out.
    let server = forbidden_server().await;
    let exchange = step_fn(|mut request, next| async move {
        let bearer = HeaderValue::from_str(&format!("Bearer {APP_JWT}")).unwrap();
        request.headers_mut().insert("authorization", bearer);
        next.run(request).await
    });
    let client = builder(&server).credential(StaticToken::new(DELEGATED_JWT)).append(exchange).build().unwrap();
    let error = client
        .service_principals()
        .synchronization_acquire_access_token(SP_ID)
        .body(AcquireAccessTokenRequestBody::default())
        .send()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("the token carried scp: none; roles: Application.ReadWrite.OwnedBy"), "{text}");
    assert!(!text.contains("User.Read"), "{text}");
}
