//! The README's quick-start snippets, verbatim, run against a local server.
//!
//! Each snippet sits between `// README:begin` and `// README:end` in a module of its own;
//! `readme_contains_every_snippet_verbatim` fails when README.md no longer contains one of
//! them (after removing this file's indentation), so README and tested code cannot drift
//! apart. Every Rust block of the README is also compiled as a doc-test of this crate
//! (`src/lib.rs`).

use crate::common;

use common::*;
use serde_json::json;

const README: &str = include_str!("../../README.md");
const THIS_FILE: &str = include_str!("readme.rs");

/// The snippets of this file, indentation removed.
fn snippets() -> Vec<String> {
    let mut snippets = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in THIS_FILE.lines() {
        match line.trim() {
            "// README:begin" => current = Some(Vec::new()),
            "// README:end" => snippets.push(current.take().expect("begin before end").join("\n")),
            _ => {
                if let Some(lines) = current.as_mut() {
                    lines.push(line.strip_prefix("    ").unwrap_or(line));
                }
            }
        }
    }
    snippets
}

#[test]
fn readme_contains_every_snippet_verbatim() {
    let snippets = snippets();
    assert_eq!(
        snippets.len(),
        7,
        "one client snippet, one per parameter set, the PATCH that clears and the Mail listing"
    );
    for snippet in snippets {
        assert!(
            README.contains(&snippet),
            "README.md lacks this snippet (update it from tests/tests/readme.rs):\n{snippet}"
        );
    }
}

#[test]
fn readme_names_the_commands_a_newcomer_runs() {
    assert!(README.contains("\ncargo xtask codegen\n"), "the codegen command");
    // CI (.ci/run) calls exactly this command.
    assert!(README.contains("\ncargo test --workspace --all-features\n"), "the test command");
    assert!(README.contains("cargo run -p msgraph-tests --example acquire_access_token -- "), "the example command");
}

fn expected_body() -> serde_json::Value {
    json!({"credentials": [
        {"key": "BaseAddress", "value": "https://scim.contoso.com/v2"},
        {"key": "SecretToken", "value": "s3cr3t-t0ken"},
    ]})
}

const README_SP_PATH: &str =
    "/v1.0/servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/synchronization/microsoft.graph.acquireAccessToken";

async fn assert_readme_request(server: &wiremock::MockServer) {
    let request = only_request(server).await;
    assert_standard_headers(&request);
    assert_eq!(request.url.path(), README_SP_PATH);
    assert_eq!(body_json(&request), expected_body());
}

mod client_setup {
    use super::*;

    // README:begin
    use msgraph_sdk::prelude::*;
    use msgraph_sdk::runtime::StaticToken;

    fn graph_client(token: String) -> Result<Client, Error> {
        Client::builder().credential(StaticToken::new(token)).build()
    }
    // README:end

    #[test]
    fn the_client_snippet_targets_graph_v1() {
        let client = graph_client(TOKEN.to_owned()).unwrap();
        assert_eq!(client.base_url(), "https://graph.microsoft.com/v1.0");
        assert_eq!(client.scopes(), ["https://graph.microsoft.com/.default"]);
    }
}

mod acquire_expanded {
    use super::*;

    // README:begin
    use msgraph_sdk::models::SynchronizationSecret;
    use msgraph_sdk::prelude::*;

    /// AcquireExpanded: -ServicePrincipalId, -Credentials, -PassThru.
    async fn acquire_expanded(client: &Client) -> Result<bool, Error> {
        let response = client
            .service_principals()
            .synchronization_acquire_access_token("8e881353-1735-45af-af21-ee1344582a4d")
            .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
            .credential(SynchronizationSecret::SecretToken, "s3cr3t-t0ken")
            .send()
            .await?;
        Ok(response.pass_thru()) // true: Graph answered 204 No Content
    }
    // README:end

    #[tokio::test]
    async fn sends_the_expanded_body() {
        let server = server_answering(204).await;
        assert!(acquire_expanded(&client(&server)).await.unwrap());
        assert_readme_request(&server).await;
    }
}

mod acquire {
    use super::*;

    // README:begin
    use msgraph_sdk::models::{
        AcquireAccessTokenRequestBody, SynchronizationSecret, SynchronizationSecretKeyStringValuePair as Pair,
    };
    use msgraph_sdk::prelude::*;

    /// Acquire: -ServicePrincipalId, -BodyParameter.
    async fn acquire(client: &Client) -> Result<bool, Error> {
        let body = AcquireAccessTokenRequestBody::default().with_credentials(vec![
            Pair::new(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2"),
            Pair::new(SynchronizationSecret::SecretToken, "s3cr3t-t0ken"),
        ]);
        let response = client
            .service_principals()
            .synchronization_acquire_access_token("8e881353-1735-45af-af21-ee1344582a4d")
            .body(body)
            .send()
            .await?;
        Ok(response.pass_thru())
    }
    // README:end

    #[tokio::test]
    async fn sends_the_body_parameter() {
        let server = server_answering(204).await;
        assert!(acquire(&client(&server)).await.unwrap());
        assert_readme_request(&server).await;
    }
}

mod acquire_via_identity_expanded {
    use super::*;

    // README:begin
    use msgraph_sdk::models::SynchronizationSecret;
    use msgraph_sdk::prelude::*;
    use msgraph_sdk::service_principals::SynchronizationAcquireAccessToken;

    /// AcquireViaIdentityExpanded: -InputObject, -Credentials.
    async fn acquire_via_identity_expanded(client: &Client) -> Result<bool, Error> {
        let identity = ApplicationsIdentity::new().with_service_principal_id("8e881353-1735-45af-af21-ee1344582a4d");
        let response = SynchronizationAcquireAccessToken::via_identity(client, &identity)? // Err if the identity lacks the id
            .credential(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2")
            .credential(SynchronizationSecret::SecretToken, "s3cr3t-t0ken")
            .send()
            .await?;
        Ok(response.pass_thru())
    }
    // README:end

    #[tokio::test]
    async fn sends_to_the_identity_path() {
        let server = server_answering(204).await;
        assert!(acquire_via_identity_expanded(&client(&server)).await.unwrap());
        assert_readme_request(&server).await;
    }
}

mod acquire_via_identity {
    use super::*;

    // README:begin
    use msgraph_sdk::models::AcquireAccessTokenRequestBody;
    use msgraph_sdk::prelude::*;
    use msgraph_sdk::service_principals::SynchronizationAcquireAccessToken;

    /// AcquireViaIdentity: -InputObject, -BodyParameter, both as PowerShell's ConvertTo-Json writes them.
    async fn acquire_via_identity(client: &Client) -> Result<bool, Box<dyn std::error::Error>> {
        let identity: ApplicationsIdentity =
            serde_json::from_str(r#"{ "ServicePrincipalId": "8e881353-1735-45af-af21-ee1344582a4d" }"#)?;
        let body: AcquireAccessTokenRequestBody = serde_json::from_str(
            r#"{ "credentials": [
                    { "key": "BaseAddress", "value": "https://scim.contoso.com/v2" },
                    { "key": "SecretToken", "value": "s3cr3t-t0ken" } ] }"#,
        )?;
        let response = SynchronizationAcquireAccessToken::via_identity(client, &identity)?.body(body).send().await?;
        Ok(response.pass_thru())
    }
    // README:end

    #[tokio::test]
    async fn sends_the_parsed_body_to_the_identity_path() {
        let server = server_answering(204).await;
        assert!(acquire_via_identity(&client(&server)).await.unwrap());
        assert_readme_request(&server).await;
    }
}

#[cfg(feature = "applications")]
mod clear_a_property {
    use super::*;

    // README:begin
    use msgraph_sdk::prelude::*;

    /// PATCH /applications/{id}: a new display name, and the description cleared.
    async fn rename_and_clear_description(client: &Client) -> Result<bool, Error> {
        let response = client
            .applications()
            .update_application("00af5dfb-85da-4b41-a677-0c6b86dd34f8")
            .display_name("Contoso HR")
            .description_null()
            .send()
            .await?;
        Ok(response.pass_thru()) // the body was {"description":null,"displayName":"Contoso HR"}
    }
    // README:end

    #[tokio::test]
    async fn sends_null_for_the_cleared_property_and_nothing_for_the_others() {
        let server = server_answering(204).await;
        assert!(rename_and_clear_description(&client(&server)).await.unwrap());
        let request = only_request(&server).await;
        assert_eq!(request.method.as_str(), "PATCH");
        assert_eq!(request.url.path(), "/v1.0/applications/00af5dfb-85da-4b41-a677-0c6b86dd34f8");
        // Byte for byte: `null` for the cleared property, nothing for the ones left alone.
        assert_eq!(std::str::from_utf8(&request.body).unwrap(), r#"{"description":null,"displayName":"Contoso HR"}"#);
    }

    #[tokio::test]
    async fn an_update_answered_with_the_representation_returns_it() {
        // With `Prefer: return=representation` Graph answers 200 with the entity; by default 204.
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("PATCH"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({"id": "a1", "description": null})))
            .mount(&server)
            .await;
        let response = client(&server)
            .applications()
            .update_application("a1")
            .description_null()
            .header("Prefer", "return=representation")
            .send()
            .await
            .unwrap();
        let app = response.into_inner().expect("a 200 with a body");
        assert!(app.description.is_null());
        let server = server_answering(204).await;
        let response = client(&server).applications().update_application("a1").description_null().send().await.unwrap();
        assert_eq!(response.status(), 204);
        assert!(response.into_inner().is_none());
    }
}

#[cfg(feature = "full")]
mod list_messages {
    use super::*;

    // README:begin
    use futures::TryStreamExt;
    use msgraph_sdk::models::Message;
    use msgraph_sdk::prelude::*;

    /// Get-MgUserMessage -UserId … -Property subject,from,receivedDateTime -Top 50 -All
    /// (Mail module, feature `mail`): every message, 50 per request, following @odata.nextLink.
    async fn list_messages(client: &Client, user_id: &str) -> Result<Vec<Message>, Error> {
        client
            .users()
            .list_message(user_id)
            .select(["subject", "from", "receivedDateTime"])
            .top(50)
            .items()
            .try_collect()
            .await
    }
    // README:end

    #[tokio::test]
    async fn follows_every_page_with_the_options_of_the_first() {
        use wiremock::matchers::{method, path, query_param};
        let server = wiremock::MockServer::start().await;
        let next = format!(
            "{}/users/48d31887-5fad-4d73-a9f5-3c356e68a038/messages?$select=subject,from,receivedDateTime&$top=50&$skip=50",
            base_url(&server)
        );
        wiremock::Mock::given(method("GET"))
            .and(path("/v1.0/users/48d31887-5fad-4d73-a9f5-3c356e68a038/messages"))
            .and(query_param("$skip", "50"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
                "value": [{"id": "m3", "subject": "Lunch?"}]
            })))
            .mount(&server)
            .await;
        wiremock::Mock::given(method("GET"))
            .and(path("/v1.0/users/48d31887-5fad-4d73-a9f5-3c356e68a038/messages"))
            .and(query_param("$top", "50"))
            .and(query_param("$select", "subject,from,receivedDateTime"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
                "@odata.nextLink": next,
                "value": [{"id": "m1", "subject": "Budget"}, {"id": "m2", "subject": "Re: Budget"}]
            })))
            .mount(&server)
            .await;
        let messages = list_messages(&client(&server), "48d31887-5fad-4d73-a9f5-3c356e68a038").await.unwrap();
        let subjects: Vec<Option<&str>> = messages.iter().map(|m| m.subject.as_deref()).collect();
        assert_eq!(subjects, [Some("Budget"), Some("Re: Budget"), Some("Lunch?")]);
        assert_eq!(received(&server).await.len(), 2, "one request per page");
    }
}
