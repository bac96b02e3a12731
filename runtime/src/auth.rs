//! Authentication: credentials, the token cache, and what the authentication step (run in
//! [`Builtins`](crate::pipeline::Builtins)) needs: the route check and claims challenges.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue, header::WWW_AUTHENTICATE};

use crate::error::Error;
use crate::pipeline::BoxFuture;
use crate::proxy::HttpRoute;
use crate::secret::Secret;

/// Tokens are renewed this long before they expire, so a token never expires in flight
/// (and clock skew between us and Entra ID does not matter).
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An access token and its expiry.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The bearer token (never shown by `Debug`).
    pub token: Secret,
    /// When the token stops being valid.
    pub expires_on: SystemTime,
}

impl AccessToken {
    /// Creates a token.
    pub fn new(token: impl Into<Secret>, expires_on: SystemTime) -> Self {
        AccessToken { token: token.into(), expires_on }
    }
}

/// Something that can produce access tokens for Microsoft Graph.
///
/// `claims` is set when the service answered 401 with a claims challenge (Conditional Access,
/// continuous access evaluation); the credential must then bypass any cache of its own and
/// request a token satisfying those claims. The runtime caches tokens itself, so
/// implementations need not.
///
/// With the `azure` feature, `AzureCredential` adapts any
/// `azure_identity` credential.
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Returns a token for `scopes` (e.g. `["https://graph.microsoft.com/.default"]`).
    /// Errors should be [`Error::Authentication`] and must not contain secret material.
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
        claims: Option<&'a str>,
    ) -> BoxFuture<'a, Result<AccessToken, Error>>;
}

impl<T: TokenCredential + ?Sized> TokenCredential for Arc<T> {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
        claims: Option<&'a str>,
    ) -> BoxFuture<'a, Result<AccessToken, Error>> {
        (**self).get_token(scopes, claims)
    }
}

/// A credential that always returns the same token (e.g. one obtained elsewhere, like the
/// cmdlets' `-AccessToken`). It cannot answer claims challenges and never refreshes.
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: Secret,
}

impl StaticToken {
    /// Wraps a bearer token (without the `Bearer ` prefix).
    pub fn new(token: impl Into<Secret>) -> Self {
        StaticToken { token: token.into() }
    }
}

impl TokenCredential for StaticToken {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&'a str],
        _claims: Option<&'a str>,
    ) -> BoxFuture<'a, Result<AccessToken, Error>> {
        // The real expiry is unknown; a day keeps it cached without ever looking expired.
        let token = AccessToken::new(self.token.clone(), SystemTime::now() + Duration::from_secs(24 * 3600));
        Box::pin(async move { Ok(token) })
    }
}

/// The `.default` scope of the service behind `base_url`: its origin followed by `/.default`,
/// e.g. `https://graph.microsoft.com/.default` for the global cloud,
/// `https://graph.microsoft.us/.default` for US Government L4. `None` if `base_url` is not an
/// absolute http(s) URL.
pub fn default_scope(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    Some(format!("{}/.default", url.origin().ascii_serialization()))
}

/// Caches one token per client, as the `Authorization` header value it becomes.
///
/// While the cached token is valid, calls read it without waiting (a read lock held for a
/// clone of the header value, which shares its bytes). Fetching goes through an async mutex
/// held across the credential call on purpose: concurrent calls that find no valid token wait
/// for the single fetch in progress instead of each asking Entra ID for a token.
pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    current: RwLock<Option<CachedToken>>,
    fetching: tokio::sync::Mutex<()>,
}

/// A token as the header value it becomes, and its expiry.
struct CachedToken {
    /// `Bearer <token>`, marked sensitive; `None` if the token cannot be a header value (every
    /// call using it then fails, as it would without the cache).
    header: Option<HeaderValue>,
    expires_on: SystemTime,
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>, scopes: Vec<String>) -> Self {
        TokenCache { credential, scopes, current: RwLock::new(None), fetching: tokio::sync::Mutex::new(()) }
    }

    /// The `Authorization` value of the cached token, if it is still valid for longer than
    /// the refresh margin.
    pub(crate) fn current(&self) -> Option<Result<HeaderValue, Error>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        let cached = current.as_ref().filter(|cached| cached.expires_on > SystemTime::now() + REFRESH_MARGIN)?;
        Some(cached.header.clone().ok_or_else(invalid_token))
    }

    /// Fetches a token from the credential (one fetch at a time) and caches it; without
    /// `claims`, a valid token cached by another call in the meantime is used instead.
    pub(crate) async fn fetch(&self, claims: Option<&str>) -> Result<HeaderValue, Error> {
        let _fetching = self.fetching.lock().await;
        // Another call may have fetched a token while this one waited for the lock.
        if claims.is_none()
            && let Some(valid) = self.current()
        {
            return valid;
        }
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let token = self.credential.get_token(&scopes, claims).await.map_err(|e| match e {
            e @ Error::Authentication { .. } => e,
            other => Error::Authentication {
                message: format!("the credential could not provide a token: {other}"),
                source: Some(Box::new(other)),
            },
        })?;
        if token.token.is_empty() {
            return Err(Error::authentication("the credential returned an empty token", None));
        }
        tracing::debug!(
            target: "msgraph_runtime",
            claims = claims.is_some(),
            expires_in_s = token.expires_on.duration_since(SystemTime::now()).unwrap_or_default().as_secs(),
            "acquired access token"
        );
        let header = bearer_header(&token.token);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) =
            Some(CachedToken { header: header.clone(), expires_on: token.expires_on });
        header.ok_or_else(invalid_token)
    }
}

/// `Bearer <token>` as a header value marked sensitive (so `http`'s own `Debug` hides it), or
/// `None` if the token contains bytes a header value cannot.
fn bearer_header(token: &Secret) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn invalid_token() -> Error {
    Error::authentication("the credential returned a token that is not a valid header value", None)
}

/// The authentication step's credential; the step itself runs in
/// [`Builtins`](crate::pipeline::Builtins) and sets `Authorization: Bearer …` on every attempt.
pub(crate) struct Authenticate {
    pub(crate) cache: TokenCache,
}

/// Credentials travel only over TLS, except to this machine (local test servers, proxies
/// and emulators), and then only if they do not leave it: a plain-`http` request that goes
/// through a proxy on another host (configured on the client or taken from the environment)
/// would hand the credential to that proxy, and to the network, in clear text. `what` names
/// the credential in the error ("a bearer token", "an Authorization header").
pub(crate) fn ensure_secure(uri: &http::Uri, route: &HttpRoute, what: &str) -> Result<(), Error> {
    if uri.scheme_str() == Some("https") {
        return Ok(());
    }
    let host = uri.host().unwrap_or_default();
    if !is_loopback(host) {
        return Err(Error::authentication(
            format!("refusing to send {what} over plain HTTP to '{host}'; use an https base URL"),
            None,
        ));
    }
    match route.proxy_host(uri) {
        Some(proxy) if !is_loopback(&proxy) => Err(Error::authentication(
            format!(
                "refusing to send {what} over plain HTTP to '{host}' through the proxy '{proxy}', which \
                 would see it in clear text; use an https base URL, a proxy on this machine or no proxy"
            ),
            None,
        )),
        _ => Ok(()),
    }
}

/// `localhost` or a loopback address (IPv6 in brackets or not).
pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The decoded `claims` parameter of a `WWW-Authenticate: Bearer …` challenge.
pub(crate) fn claims_challenge(headers: &HeaderMap) -> Option<String> {
    headers.get_all(WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).find_map(|challenge| {
        let lower = challenge.to_ascii_lowercase();
        let start = lower.find("claims=")? + "claims=".len();
        let rest = &challenge[start..];
        let raw = match rest.strip_prefix('"') {
            Some(quoted) => &quoted[..quoted.find('"')?],
            None => rest.split([',', ' ']).next().unwrap_or_default(),
        };
        if raw.is_empty() {
            return None;
        }
        // Graph sends the claims base64-encoded; tolerate a plain JSON value too.
        let decoded = decode_base64(raw).and_then(|bytes| String::from_utf8(bytes).ok());
        Some(decoded.filter(|d| d.trim_start().starts_with('{')).unwrap_or_else(|| raw.to_owned()))
    })
}

/// Standard or URL-safe base64, padding optional. Small enough not to warrant a dependency.
fn decode_base64(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in input.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_national_cloud() {
        let cases = [
            ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"),
            ("https://graph.microsoft.com/beta/", "https://graph.microsoft.com/.default"),
            ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
            ("https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default"),
            ("https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default"),
            ("https://GRAPH.microsoft.com:443/v1.0", "https://graph.microsoft.com/.default"),
            ("http://127.0.0.1:8080/v1.0", "http://127.0.0.1:8080/.default"),
        ];
        for (base, scope) in cases {
            assert_eq!(default_scope(base).as_deref(), Some(scope), "{base}");
        }
        assert_eq!(default_scope("not a url"), None);
        assert_eq!(default_scope("ftp://example.com/"), None);
    }

    #[test]
    fn base64_variants() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("+/8=").unwrap(), [0xfb, 0xff]);
        assert!(decode_base64("a b").is_none());
    }

    #[test]
    fn parses_claims_challenges() {
        let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;
        let encoded = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNjA0MTA2NjUxIn19fQ==";
        let mut headers = HeaderMap::new();
        headers.append(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"x\""));
        headers.append(
            WWW_AUTHENTICATE,
            HeaderValue::from_str(&format!(
                r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="{encoded}""#
            ))
            .unwrap(),
        );
        assert_eq!(claims_challenge(&headers).as_deref(), Some(claims));

        let mut plain = HeaderMap::new();
        plain.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer error="invalid_token""#));
        assert_eq!(claims_challenge(&plain), None);
        plain.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer claims="""#));
        assert_eq!(claims_challenge(&plain), None);
    }

    const T: &str = "a bearer token";

    #[test]
    fn tokens_only_over_tls_or_loopback() {
        let direct = HttpRoute::new(&[], true);
        for ok in ["https://graph.microsoft.com/v1.0", "http://127.0.0.1:1/", "http://localhost:1/", "http://[::1]:1/"]
        {
            assert!(ensure_secure(&ok.parse().unwrap(), &direct, T).is_ok(), "{ok}");
        }
        let error = ensure_secure(&"http://graph.microsoft.com/v1.0".parse().unwrap(), &direct, T).unwrap_err();
        assert!(error.to_string().contains("plain HTTP"), "{error}");
    }

    #[test]
    fn loopback_http_through_a_remote_proxy_is_refused() {
        let remote = crate::Proxy::all("http://user:pw@proxy.example:8080").unwrap();
        let local = crate::Proxy::http("http://127.0.0.1:3128").unwrap();
        let https_only = crate::Proxy::https("http://proxy.example:8080").unwrap();
        let loopback: http::Uri = "http://127.0.0.1:1/v1.0/x".parse().unwrap();
        let error = ensure_secure(&loopback, &HttpRoute::new(std::slice::from_ref(&remote), false), T).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("through the proxy 'proxy.example'"), "{text}");
        assert!(!text.contains("pw"), "{text}");
        // The first proxy for http traffic decides, as in reqwest.
        assert!(ensure_secure(&loopback, &HttpRoute::new(&[local.clone(), remote.clone()], false), T).is_ok());
        assert!(ensure_secure(&loopback, &HttpRoute::new(&[remote.clone(), local], false), T).is_err());
        assert!(ensure_secure(&loopback, &HttpRoute::new(&[https_only], false), T).is_ok());
        // Over TLS the proxy only tunnels the encrypted stream.
        let tls: http::Uri = "https://graph.microsoft.com/v1.0".parse().unwrap();
        assert!(ensure_secure(&tls, &HttpRoute::new(&[remote], false), T).is_ok());
    }

    #[test]
    fn static_token_debug_is_redacted() {
        let text = format!("{:?}", StaticToken::new("very-secret-token"));
        assert!(!text.contains("very-secret-token"), "{text}");
    }
}
