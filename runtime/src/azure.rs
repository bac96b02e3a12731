//! Adapter from `azure_core` credentials (everything in `azure_identity`) to
//! [`TokenCredential`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::{AccessToken, TokenCredential};
use crate::error::Error;
use crate::pipeline::BoxFuture;
use crate::secret::Secret;

/// Lets any `azure_core::credentials::TokenCredential` — `DeveloperToolsCredential`,
/// `ManagedIdentityCredential`, `ClientSecretCredential`, … from `azure_identity` —
/// authenticate a [`Client`](crate::Client).
///
/// ```no_run
/// # fn demo(credential: std::sync::Arc<dyn azure_core::credentials::TokenCredential>) -> Result<(), msgraph_runtime::Error> {
/// use msgraph_runtime::{AzureCredential, Client};
/// let client = Client::builder().credential(AzureCredential::new(credential)).build()?;
/// # let _ = client; Ok(())
/// # }
/// ```
///
/// Claims challenges: `azure_core` 1.1's `TokenRequestOptions` cannot carry claims, so the
/// adapter answers a challenge by requesting a fresh token from the credential without them
/// (the runtime bypasses its own cache). If the credential serves the same token from its own
/// cache, the retried request fails again with 401 and the call returns that error.
#[derive(Clone)]
pub struct AzureCredential {
    inner: Arc<dyn azure_core::credentials::TokenCredential>,
}

impl AzureCredential {
    /// Wraps an Azure credential.
    pub fn new(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        AzureCredential { inner: credential }
    }
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The wrapped credential's own Debug is not ours to trust with secrets.
        f.debug_struct("AzureCredential").finish_non_exhaustive()
    }
}

impl TokenCredential for AzureCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
        _claims: Option<&'a str>,
    ) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let token = self.inner.get_token(scopes, None).await.map_err(|e| {
                Error::authentication(format!("the Azure credential could not provide a token: {e}"), Some(Box::new(e)))
            })?;
            let expires_on = u64::try_from(token.expires_on.unix_timestamp())
                .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
                .unwrap_or(SystemTime::UNIX_EPOCH);
            Ok(AccessToken { token: Secret::new(token.token.secret()), expires_on })
        })
    }
}
