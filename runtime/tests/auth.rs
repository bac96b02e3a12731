//! Authentication: token caching, refresh, claims challenges, credential failures.

use crate::common;

use std::time::Duration;

use common::*;
use msgraph_runtime::{AccessToken, BoxFuture, Error, StaticToken, StatusCode, TokenCredential};
use wiremock::matchers::{any, header as has_header};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLAIMS: &str = r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;
const CLAIMS_B64: &str = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjA0MTA2NjUxIn19fQ==";

fn challenge() -> ResponseTemplate {
    ResponseTemplate::new(401).insert_header(
        "www-authenticate",
        format!(
            r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="{CLAIMS_B64}""#
        )
        .as_str(),
    )
}

#[tokio::test]
async fn a_claims_challenge_gets_one_retry_with_a_fresh_token() {
    let server = MockServer::start().await;
    Mock::given(has_header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(challenge())
        .mount(&server)
        .await;
    Mock::given(has_header("authorization", format!("Bearer {TOKEN}-2").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();

    client.execute(acquire_call("pw")).await.unwrap();

    assert_eq!(credential.fetches(), 2);
    assert_eq!(*credential.claims.lock().unwrap(), [None, Some(CLAIMS.to_owned())]);
    let received = requests(&server).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);

    // The token obtained for the claims is cached for later calls.
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(credential.fetches(), 2);
}

#[tokio::test]
async fn a_second_challenge_is_not_retried_again() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(challenge()).mount(&server).await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(requests(&server).await.len(), 2);
    assert_eq!(credential.fetches(), 2);
}

#[tokio::test]
async fn a_plain_401_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).insert_header("www-authenticate", r#"Bearer error="invalid_token""#))
        .mount(&server)
        .await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();
    assert_eq!(client.execute(acquire_call("pw")).await.unwrap_err().status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(requests(&server).await.len(), 1);
    assert_eq!(credential.fetches(), 1);
}

#[tokio::test]
async fn tokens_are_cached_and_refreshed_before_expiry() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;

    let long_lived = CountingCredential::new();
    let client = builder(&server).credential_arc(long_lived.clone()).build().unwrap();
    for _ in 0..3 {
        client.execute(acquire_call("pw")).await.unwrap();
    }
    assert_eq!(long_lived.fetches(), 1);

    // A token expiring within the 5-minute margin is replaced before the next call.
    let short_lived = CountingCredential::with(Duration::from_secs(240), Duration::ZERO);
    let client = builder(&server).credential_arc(short_lived.clone()).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(short_lived.fetches(), 2);
    let received = requests(&server).await;
    let last = received.last().unwrap();
    assert_eq!(header(last, "authorization"), Some(format!("Bearer {TOKEN}-2").as_str()));
}

#[derive(Debug)]
struct FailingCredential;

impl TokenCredential for FailingCredential {
    fn get_token<'a>(&'a self, _: &'a [&'a str], _: Option<&'a str>) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async { Err(Error::authentication("AADSTS7000215: Invalid client secret provided.", None)) })
    }
}

#[tokio::test]
async fn credential_failures_are_authentication_errors_and_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).credential(FailingCredential).build().unwrap();
    let error = client.execute(acquire_call("pw")).await.unwrap_err();
    assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
    assert!(error.to_string().contains("AADSTS7000215"));
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn static_tokens_scopes_and_explicit_authorization() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).credential(StaticToken::new("static-tok")).build().unwrap();
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(header(&requests(&server).await[0], "authorization"), Some("Bearer static-tok"));

    let credential = CountingCredential::new();
    let client = builder(&server)
        .credential_arc(credential.clone())
        .scopes(["https://graph.microsoft.com/User.Read"])
        .build()
        .unwrap();
    assert_eq!(client.scopes(), ["https://graph.microsoft.com/User.Read"]);
    let mut call = acquire_call("pw");
    call.header("Authorization", "Bearer caller-token");
    client.execute(call).await.unwrap();
    assert_eq!(header(&requests(&server).await[1], "authorization"), Some("Bearer caller-token"));
    assert_eq!(credential.fetches(), 0, "an explicit Authorization header wins");
    client.execute(acquire_call("pw")).await.unwrap();
    assert_eq!(*credential.scopes.lock().unwrap(), ["https://graph.microsoft.com/User.Read"]);
}

#[test]
fn national_cloud_scopes() {
    for (base, scope) in [
        (msgraph_runtime::DEFAULT_BASE_URL, "https://graph.microsoft.com/.default"),
        ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
        ("https://dod-graph.microsoft.us/beta", "https://dod-graph.microsoft.us/.default"),
        ("https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default"),
    ] {
        let client = msgraph_runtime::Client::builder().base_url(base).build().unwrap();
        assert_eq!(client.scopes(), [scope]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token_fetch() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let credential = CountingCredential::with(Duration::from_secs(3600), Duration::from_millis(50));
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute(acquire_call("pw")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(credential.fetches(), 1);
}

#[cfg(feature = "azure")]
mod azure {
    use super::*;
    use azure_core::credentials::{
        AccessToken as AzureToken, TokenCredential as AzureTokenCredential, TokenRequestOptions,
    };
    use msgraph_runtime::AzureCredential;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::Mutex;

    /// What `#[async_trait]` would generate, written out to avoid a dev-dependency.
    #[derive(Debug, Default)]
    struct FakeAzure {
        scopes: Mutex<Vec<String>>,
    }

    impl AzureTokenCredential for FakeAzure {
        fn get_token<'life0, 'life1, 'life2, 'life3, 'async_trait>(
            &'life0 self,
            scopes: &'life1 [&'life2 str],
            _options: Option<TokenRequestOptions<'life3>>,
        ) -> Pin<Box<dyn Future<Output = azure_core::Result<AzureToken>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            'life2: 'async_trait,
            'life3: 'async_trait,
            Self: 'async_trait,
        {
            *self.scopes.lock().unwrap() = scopes.iter().map(|s| s.to_string()).collect();
            Box::pin(async move {
                Ok(AzureToken::new(
                    "azure-token",
                    azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
                ))
            })
        }
    }

    #[tokio::test]
    async fn azure_credentials_authenticate_the_client() {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
        let fake = Arc::new(FakeAzure::default());
        let credential = AzureCredential::new(fake.clone());
        assert!(!format!("{credential:?}").contains("azure-token"));
        let client = builder(&server).credential(credential).build().unwrap();
        client.execute(acquire_call("pw")).await.unwrap();
        assert_eq!(header(&requests(&server).await[0], "authorization"), Some("Bearer azure-token"));
        assert_eq!(*fake.scopes.lock().unwrap(), [format!("{}/.default", server.uri())]);
    }
}
