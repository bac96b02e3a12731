//! Change notifications: what a notification endpoint needs besides an HTTP server.
//!
//! * The validation handshake (always available): when a subscription is created or renewed,
//!   Graph `POST`s to the notification URL with `?validationToken=<token>` and expects, within
//!   10 seconds, `200 OK`, `Content-Type: text/plain` and the decoded token as the body.
//!   [`validation_response`] reads the query and gives exactly that answer.
//! * Validation tokens (feature `notifications`): notifications with resource data carry
//!   `validationTokens`, JWTs Graph signs. [`TokenValidator`] checks each one's RS256
//!   signature against a key set the caller supplies (Microsoft publishes it at
//!   `https://login.microsoftonline.com/common/discovery/keys`; fetching it is a pluggable
//!   function, [`TokenValidator::key_fetcher`], called again when a token names a key it does
//!   not know), the issuer `https://sts.windows.net/{tenant id}/`, the audience (one of the
//!   app's ids), `azp` (Graph's change-tracking app, [`GRAPH_CHANGE_TRACKING_APP_ID`]), expiry
//!   and not-before.
//! * Decryption of rich notifications (feature `notifications`): [`EncryptedContent`] holds
//!   the `encryptedContent` of a notification; [`EncryptedContent::decrypt`] unwraps the
//!   symmetric key with the app's private key (RSA-OAEP with SHA-1, as Graph uses), checks
//!   `dataSignature` (HMAC-SHA256 of the encrypted data with that key) before anything else,
//!   and decrypts the data (AES-256-CBC, PKCS#7 padding, IV = the key's first 16 bytes).
//!
//! The cryptography is RustCrypto's (`rsa`, `hmac`, `sha1`, `sha2`, `aes`, `cbc`) and
//! `jsonwebtoken` on its RustCrypto backend; nothing is hand-written. Errors never contain a
//! token, a key or decrypted data.
//!
//! # Example
//!
//! ```
//! use msgraph_runtime::tasks::notifications::validation_response;
//!
//! // The query string of Graph's validation request.
//! let answer = validation_response("validationToken=Validation%3A%20Testing%20client%20application")
//!     .unwrap()
//!     .expect("a validation request");
//! assert_eq!(answer.status, 200);
//! assert_eq!(answer.content_type, "text/plain");
//! assert_eq!(answer.body, "Validation: Testing client application");
//! ```
//!
//! With the `notifications` feature:
//!
//! ```ignore
//! use msgraph_runtime::tasks::notifications::{DecryptionKey, EncryptedContent, TokenValidator};
//!
//! let validator = TokenValidator::new("tenant-id", ["app-id"]).keys_json(&jwks)?;
//! validator.validate_all(&notification_collection.validation_tokens).await?;
//! let key = DecryptionKey::from_pkcs8_pem(&private_key_pem)?.certificate_id("my-cert");
//! let resource: serde_json::Value = notification.encrypted_content.decrypt_json(&key)?;
//! ```

use percent_encoding::percent_decode_str;

use crate::error::Error;
use crate::tasks::{TaskKind, task_error};

#[cfg(feature = "notifications")]
pub use crypto::{
    DecryptionKey, EncryptedContent, GRAPH_CHANGE_TRACKING_APP_ID, KeyFetcher, TokenClaims, TokenValidator,
};

/// Longest validation token accepted. Graph's are short opaque strings; anything this long is
/// not from Graph, and echoing it back would make the endpoint a reflector.
const MAX_VALIDATION_TOKEN: usize = 4096;

/// The answer to Graph's validation request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationResponse {
    /// Always 200.
    pub status: u16,
    /// Always `text/plain`: the token is echoed as text, never as markup.
    pub content_type: &'static str,
    /// The decoded token.
    pub body: String,
}

/// The decoded `validationToken` of a request's query string (with or without the leading
/// `?`), `None` when the query has none (an ordinary notification).
///
/// Refused with [`Error::Task`]: a token that is empty, not UTF-8 once decoded, longer than
/// 4 KiB, or that contains control characters.
pub fn validation_token(query: &str) -> Result<Option<String>, Error> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let Some(raw) = query.split('&').find_map(|pair| pair.strip_prefix("validationToken=")) else {
        return Ok(None);
    };
    let refuse = |why: &str| task_error(TaskKind::Notification, format!("the validationToken {why}; not echoed"), None);
    // Form encoding writes spaces as '+'.
    let spaced = raw.replace('+', " ");
    let token = percent_decode_str(&spaced).decode_utf8().map_err(|_| refuse("is not UTF-8"))?.into_owned();
    if token.is_empty() {
        return Err(refuse("is empty"));
    }
    if token.len() > MAX_VALIDATION_TOKEN {
        return Err(refuse("is longer than 4 KiB"));
    }
    if token.chars().any(char::is_control) {
        return Err(refuse("contains control characters"));
    }
    Ok(Some(token))
}

/// What to answer a request with this query string: the validation handshake's response when
/// it carries a `validationToken`, `None` for an ordinary notification (answer it `202`).
pub fn validation_response(query: &str) -> Result<Option<ValidationResponse>, Error> {
    Ok(validation_token(query)?.map(|body| ValidationResponse { status: 200, content_type: "text/plain", body }))
}

#[cfg(feature = "notifications")]
mod crypto {
    use std::collections::HashSet;
    use std::fmt;
    use std::sync::{Arc, RwLock};

    use aes::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind, jwk::JwkSet};
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use serde::de::DeserializeOwned;

    use crate::error::Error;
    use crate::pipeline::BoxFuture;
    use crate::tasks::{TaskKind, task_error};

    /// The app id Graph's change notifications are issued by (`azp` of validation tokens).
    pub const GRAPH_CHANGE_TRACKING_APP_ID: &str = "0bf30f3b-4a52-48df-9a82-234910c4a086";

    fn refused(message: impl Into<String>) -> Error {
        task_error(TaskKind::Notification, message, None)
    }

    fn base64_decode(what: &str, text: &str) -> Result<Vec<u8>, Error> {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim().as_bytes())
            .map_err(|_| refused(format!("{what} is not valid base64")))
    }

    /// Fetches the signing key set (JWKS JSON), e.g. from
    /// `https://login.microsoftonline.com/common/discovery/keys`.
    pub type KeyFetcher = Arc<dyn Fn() -> BoxFuture<'static, Result<String, Error>> + Send + Sync>;

    /// Checks the `validationTokens` of notifications with resource data. See the
    /// [module documentation](super).
    pub struct TokenValidator {
        tenant_id: String,
        app_ids: Vec<String>,
        keys: RwLock<JwkSet>,
        fetcher: Option<KeyFetcher>,
    }

    /// The claims of a valid token that an endpoint may want to log or check further.
    #[derive(Clone, Debug, serde::Deserialize)]
    pub struct TokenClaims {
        /// `iss`
        pub iss: String,
        /// `aud`
        pub aud: String,
        /// `azp`
        pub azp: String,
        /// `tid`, when present
        #[serde(default)]
        pub tid: Option<String>,
        /// `exp` (seconds since the Unix epoch)
        pub exp: u64,
    }

    impl TokenValidator {
        /// A validator for tokens issued to `app_ids` (the app's client ids) in tenant
        /// `tenant_id`, with no key yet: add them with [`TokenValidator::keys_json`] or
        /// [`TokenValidator::key_fetcher`].
        pub fn new<I, S>(tenant_id: impl Into<String>, app_ids: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            TokenValidator {
                tenant_id: tenant_id.into(),
                app_ids: app_ids.into_iter().map(Into::into).collect(),
                keys: RwLock::new(JwkSet { keys: Vec::new() }),
                fetcher: None,
            }
        }

        /// Uses the keys of a JWKS document (`{"keys": [{"kid": …, "kty": "RSA", "n": …, "e": …}]}`).
        pub fn keys_json(self, jwks: &str) -> Result<Self, Error> {
            let keys: JwkSet = serde_json::from_str(jwks).map_err(|_| refused("the key set is not a JWKS document"))?;
            *self.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = keys;
            Ok(self)
        }

        /// Fetches the key set with `fetch` when a token names a key the validator does not
        /// have (first use, key rotation). Tests pass a function returning a local key set.
        pub fn key_fetcher(
            mut self,
            fetch: impl Fn() -> BoxFuture<'static, Result<String, Error>> + Send + Sync + 'static,
        ) -> Self {
            self.fetcher = Some(Arc::new(fetch));
            self
        }

        /// Validates every token of a notification collection; an empty list is refused (a
        /// collection with resource data always has one).
        pub async fn validate_all(&self, tokens: &[String]) -> Result<Vec<TokenClaims>, Error> {
            if tokens.is_empty() {
                return Err(refused("the notification has no validation token"));
            }
            let mut claims = Vec::with_capacity(tokens.len());
            for (index, token) in tokens.iter().enumerate() {
                claims.push(self.validate(token).await.map_err(|error| match error {
                    Error::Task(task) => refused(format!("validation token {index}: {}", task.message())),
                    other => other,
                })?);
            }
            Ok(claims)
        }

        /// Validates one token.
        pub async fn validate(&self, token: &str) -> Result<TokenClaims, Error> {
            let header = jsonwebtoken::decode_header(token).map_err(|_| refused("the token is not a JWT"))?;
            if header.alg != Algorithm::RS256 {
                return Err(refused(format!("the token is signed with {:?}; Graph signs with RS256", header.alg)));
            }
            let Some(kid) = header.kid else {
                return Err(refused("the token names no signing key (kid)"));
            };
            let key = match self.key(&kid)? {
                Some(key) => key,
                None => {
                    let Some(fetch) = &self.fetcher else {
                        return Err(refused(format!(
                            "the token is signed by key '{kid}', which is not in the key set"
                        )));
                    };
                    let jwks = fetch().await?;
                    let keys: JwkSet = serde_json::from_str(&jwks)
                        .map_err(|_| refused("the fetched key set is not a JWKS document"))?;
                    *self.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = keys;
                    self.key(&kid)?.ok_or_else(|| {
                        refused(format!("the token is signed by key '{kid}', which is not in the fetched key set"))
                    })?
                }
            };
            let mut validation = Validation::new(Algorithm::RS256);
            validation.set_issuer(&[format!("https://sts.windows.net/{}/", self.tenant_id)]);
            validation.set_audience(&self.app_ids);
            validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            validation.validate_nbf = true;
            // Installs the RustCrypto backend unless the application chose one already, so that a
            // build where another crate also enables jsonwebtoken's aws-lc backend still works.
            let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
            let data = jsonwebtoken::decode::<TokenClaims>(token, &key, &validation).map_err(|error| {
                refused(match error.kind() {
                    ErrorKind::InvalidSignature => "the token's signature does not verify with its key".to_owned(),
                    ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
                    ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".to_owned(),
                    ErrorKind::InvalidIssuer => format!("the token was not issued by tenant {}", self.tenant_id),
                    ErrorKind::InvalidAudience => "the token is not for this app (aud)".to_owned(),
                    ErrorKind::MissingRequiredClaim(claim) => format!("the token has no '{claim}' claim"),
                    _ => "the token is malformed".to_owned(),
                })
            })?;
            if data.claims.azp != GRAPH_CHANGE_TRACKING_APP_ID {
                return Err(refused("the token was not issued to Graph's change-tracking app (azp)"));
            }
            Ok(data.claims)
        }

        fn key(&self, kid: &str) -> Result<Option<DecodingKey>, Error> {
            let keys = self.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            match keys.find(kid) {
                Some(jwk) => DecodingKey::from_jwk(jwk)
                    .map(Some)
                    .map_err(|_| refused(format!("key '{kid}' of the key set is not a usable RSA key"))),
                None => Ok(None),
            }
        }
    }

    impl fmt::Debug for TokenValidator {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let kids: HashSet<String> = self
                .keys
                .read()
                .map(|keys| keys.keys.iter().filter_map(|k| k.common.key_id.clone()).collect())
                .unwrap_or_default();
            f.debug_struct("TokenValidator")
                .field("tenant_id", &self.tenant_id)
                .field("app_ids", &self.app_ids)
                .field("key_ids", &kids)
                .field("key_fetcher", &self.fetcher.is_some())
                .finish()
        }
    }

    /// The app's private key for rich notifications (the one of the certificate given as
    /// `encryptionCertificate` when subscribing). `Debug` never shows it.
    pub struct DecryptionKey {
        key: rsa::PrivateKey,
        certificate_id: Option<String>,
    }

    impl DecryptionKey {
        /// From a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
        pub fn from_pkcs8_pem(pem: &str) -> Result<Self, Error> {
            let key =
                rsa::PrivateKey::from_pkcs8_pem(pem).map_err(|_| refused("the private key is not a PKCS#8 RSA key"))?;
            Ok(DecryptionKey { key, certificate_id: None })
        }

        /// From a PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`).
        pub fn from_pkcs1_pem(pem: &str) -> Result<Self, Error> {
            let key =
                rsa::PrivateKey::from_pkcs1_pem(pem).map_err(|_| refused("the private key is not a PKCS#1 RSA key"))?;
            Ok(DecryptionKey { key, certificate_id: None })
        }

        /// From PKCS#8 DER.
        pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
            let key =
                rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| refused("the private key is not a PKCS#8 RSA key"))?;
            Ok(DecryptionKey { key, certificate_id: None })
        }

        /// The `encryptionCertificateId` given when subscribing: content encrypted for another
        /// certificate is then refused with a clear error instead of failing to decrypt.
        pub fn certificate_id(mut self, id: impl Into<String>) -> Self {
            self.certificate_id = Some(id.into());
            self
        }
    }

    impl fmt::Debug for DecryptionKey {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("DecryptionKey")
                .field("key", &"<redacted>")
                .field("certificate_id", &self.certificate_id)
                .finish()
        }
    }

    /// `encryptedContent` of a rich notification.
    #[derive(Clone, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EncryptedContent {
        /// The resource data, AES-encrypted, base64.
        pub data: String,
        /// HMAC-SHA256 of the encrypted data, base64.
        pub data_signature: String,
        /// The symmetric key, RSA-OAEP-encrypted with the app's public key, base64.
        pub data_key: String,
        /// The id of the certificate given when subscribing.
        #[serde(default)]
        pub encryption_certificate_id: Option<String>,
        /// The thumbprint of that certificate.
        #[serde(default)]
        pub encryption_certificate_thumbprint: Option<String>,
    }

    impl fmt::Debug for EncryptedContent {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("EncryptedContent")
                .field("data_len", &self.data.len())
                .field("encryption_certificate_id", &self.encryption_certificate_id)
                .field("encryption_certificate_thumbprint", &self.encryption_certificate_thumbprint)
                .finish_non_exhaustive()
        }
    }

    impl EncryptedContent {
        /// The decrypted resource data. The signature is checked before decrypting; any
        /// failure is an [`Error::Task`] that says which step failed, never what was inside.
        pub fn decrypt(&self, key: &DecryptionKey) -> Result<Vec<u8>, Error> {
            if let (Some(expected), Some(actual)) = (&key.certificate_id, &self.encryption_certificate_id)
                && expected != actual
            {
                return Err(refused(format!("the content is encrypted for certificate '{actual}', not '{expected}'")));
            }
            let wrapped = base64_decode("dataKey", &self.data_key)?;
            let symmetric = key
                .key
                .oaep_decrypt::<sha1::Sha1>(&wrapped)
                .map_err(|_| refused("the data key cannot be decrypted with this private key (RSA-OAEP)"))?;
            if symmetric.len() != 32 {
                return Err(refused(format!("the data key has {} bytes; AES-256 needs 32", symmetric.len())));
            }
            let data = base64_decode("data", &self.data)?;
            let signature = base64_decode("dataSignature", &self.data_signature)?;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&symmetric)
                .map_err(|_| refused("the data key cannot key HMAC-SHA256"))?;
            mac.update(&data);
            // Constant-time comparison.
            mac.verify_slice(&signature).map_err(|_| {
                refused(
                    "the data signature does not match: the notification was altered or not encrypted with this key",
                )
            })?;
            let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(&symmetric, &symmetric[..16])
                .map_err(|_| refused("the data key cannot key AES-256-CBC"))?;
            decryptor
                .decrypt_padded_vec::<Pkcs7>(&data)
                .map_err(|_| refused("the data does not decrypt (bad AES-CBC padding)"))
        }

        /// [`EncryptedContent::decrypt`], the data decoded as JSON into `T`. A decoding
        /// failure names the position only (the data may be confidential).
        pub fn decrypt_json<T: DeserializeOwned>(&self, key: &DecryptionKey) -> Result<T, Error> {
            let plain = self.decrypt(key)?;
            serde_json::from_slice(&plain).map_err(|error| {
                refused(format!(
                    "the decrypted data is not a {} (JSON error at line {}, column {})",
                    std::any::type_name::<T>(),
                    error.line(),
                    error.column()
                ))
            })
        }
    }
}
