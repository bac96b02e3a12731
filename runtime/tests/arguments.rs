//! Invalid arguments are refused before any I/O; valid ones are encoded exactly once.

use crate::common;

use std::time::Duration;

use common::*;
use msgraph_runtime::{Call, Client, Error, identity_key, step_fn};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_204() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    server
}

#[tokio::test]
async fn path_values_arrive_encoded_as_one_segment() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "a/b?c#d%e f é");
    client.execute(call).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.path(), "/v1.0/users/a%2Fb%3Fc%23d%25e%20f%20%C3%A9");
    assert_eq!(received[0].url.query(), None);
}

#[tokio::test]
async fn empty_and_dot_segments_are_refused_before_sending() {
    let server = server_204().await;
    let credential = CountingCredential::new();
    let client = builder(&server).credential_arc(credential.clone()).build().unwrap();
    for value in ["", ".", ".."] {
        let mut call = Call::new(&ACQUIRE);
        call.path_param("servicePrincipal-id", value);
        let error = client.execute(call).await.unwrap_err();
        assert!(error.is_invalid_argument(), "{error:?}");
        assert!(error.to_string().contains("'servicePrincipal-id'"), "{error}");
        let Error::InvalidArgument { parameter, .. } = &error else { unreachable!() };
        assert_eq!(parameter.as_deref(), Some("servicePrincipal-id"));
    }
    // A call whose parameter was never set is refused too.
    let error = client.execute(Call::new(&ACQUIRE)).await.unwrap_err();
    assert_eq!(error.to_string(), "missing value for path parameter 'servicePrincipal-id'");
    assert!(requests(&server).await.is_empty());
    assert_eq!(credential.fetches(), 0, "no token is fetched for a call that cannot be sent");
}

#[tokio::test]
async fn odata_quoted_alternate_keys_double_single_quotes() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&GET_APP_BY_APP_ID);
    call.path_param("appId", "o'brien/x");
    client.execute(call).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received[0].url.path(), "/v1.0/applications(appId='o%27%27brien%2Fx')");

    let mut call = Call::new(&GET_APP_BY_APP_ID);
    call.path_param("appId", "");
    assert!(client.execute(call).await.unwrap_err().is_invalid_argument());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn query_parameters_are_encoded_and_keep_dollar() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();
    let mut call = Call::new(&GET_USER);
    call.path_param("user-id", "u");
    call.query_param("$filter", "displayName eq 'A&B'");
    call.query_param("$top", "5");
    client.execute(call).await.unwrap();
    let received = requests(&server).await;
    assert_eq!(received[0].url.query(), Some("$filter=displayName%20eq%20%27A%26B%27&$top=5"));
}

#[test]
fn identity_keys_must_have_a_value() {
    for missing in [None, Some("")] {
        let error = identity_key(missing, "ServicePrincipalId").unwrap_err();
        assert_eq!(error.to_string(), "identity has no value for ServicePrincipalId");
    }
    assert_eq!(identity_key(Some("sp-1"), "ServicePrincipalId").unwrap(), "sp-1");
}

#[tokio::test]
async fn invalid_headers_are_refused_without_showing_the_value() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();

    let mut call = acquire_call("pw");
    call.header("x-bad", "multi\r\nline-value-777");
    let error = client.execute(call).await.unwrap_err();
    assert!(error.to_string().contains("x-bad") && !error.to_string().contains("value-777"), "{error}");

    // An invalid name is named by position only: it is often a whole "Name: value" line.
    let mut call = acquire_call("pw");
    call.header("x-fine", "v");
    call.header("Authorization: Bearer name-token-999", "v");
    let error = client.execute(call).await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("header #2") && text.contains("invalid name") && !text.contains("name-token-999"), "{text}");

    let mut call = acquire_call("pw");
    call.options_mut().header("x-opt", "\u{1}hidden-888");
    let error = client.execute(call).await.unwrap_err();
    assert!(error.to_string().contains("x-opt") && !format!("{error:?}").contains("hidden-888"), "{error:?}");

    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn unknown_path_parameters_are_refused() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();
    let mut call = acquire_call("pw");
    call.path_param("user-id", "x");
    assert!(client.execute(call).await.unwrap_err().to_string().contains("no path parameter 'user-id'"));
    assert!(requests(&server).await.is_empty());
}

/// A builder as the generator emits it.
pub struct AcquireAccessToken {
    call: Call,
    client: Client,
}

// Invoked the way generated code does, through the `crate::runtime` re-export.
crate::runtime::call_options!(AcquireAccessToken);

impl AcquireAccessToken {
    async fn send(self) -> Result<bool, Error> {
        Ok(self.client.execute(self.call).await?.pass_thru())
    }
}

#[tokio::test]
async fn call_options_macro_applies_per_call_options() {
    let server = server_204().await;
    let client = builder(&server).build().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (prepend_seen, append_seen) = (seen.clone(), seen.clone());
    let passed = AcquireAccessToken { call: acquire_call("pw"), client }
        .header("ConsistencyLevel", "eventual")
        .headers([("x-a", "1"), ("x-b", "2")])
        .headers(std::collections::HashMap::from([("x-c".to_owned(), "3".to_owned())]))
        .timeout(Duration::from_secs(30))
        .max_retries(99)
        .max_retry_delay(Duration::from_secs(1))
        .prepend(step_fn(move |request, next| {
            prepend_seen.lock().unwrap().push("prepend");
            next.run(request)
        }))
        .append(step_fn(move |request, next| {
            append_seen.lock().unwrap().push("append");
            next.run(request)
        }))
        .send()
        .await
        .unwrap();
    assert!(passed, "-PassThru outputs True");
    let received = requests(&server).await;
    for (name, value) in [("consistencylevel", "eventual"), ("x-a", "1"), ("x-b", "2"), ("x-c", "3")] {
        assert_eq!(header(&received[0], name), Some(value), "{name}");
    }
    assert_eq!(*seen.lock().unwrap(), ["prepend", "append"]);

    let capped =
        AcquireAccessToken { call: acquire_call("pw"), client: builder(&server).build().unwrap() }.max_retries(99);
    assert_eq!(capped.call.options().get_max_retries(), Some(10));
}
