//! Explicit proxy configuration (the cmdlets' `-Proxy` and `-ProxyCredential`).
//!
//! Without an explicit proxy the client uses the environment's proxy settings
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, and on Windows/macOS the system
//! configuration), which is the closest Rust equivalent of `-ProxyUseDefaultCredentials`:
//! there is no NTLM/Kerberos "default credentials" support, but credentials embedded in the
//! proxy URL (`http://user:password@proxy:8080`) are sent as Basic authentication.

use std::fmt;

use crate::error::Error;
use crate::secret::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    All,
    Http,
    Https,
}

/// A proxy server, optionally with Basic credentials.
///
/// ```
/// use msgraph_runtime::{Client, Proxy};
///
/// # fn main() -> Result<(), msgraph_runtime::Error> {
/// let proxy = Proxy::all("http://proxy.contoso.com:8080")?.basic_auth("alice", "p@ss");
/// let client = Client::builder().proxy(proxy).build()?;
/// assert!(!format!("{client:?}").contains("p@ss"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Proxy {
    scope: Scope,
    url: url::Url,
    credentials: Option<(String, Secret)>,
}

impl Proxy {
    /// Sends all traffic (http and https) through the proxy at `url`.
    pub fn all(url: impl AsRef<str>) -> Result<Proxy, Error> {
        Proxy::parse(Scope::All, url.as_ref())
    }

    /// Sends only `http://` traffic through the proxy at `url`.
    pub fn http(url: impl AsRef<str>) -> Result<Proxy, Error> {
        Proxy::parse(Scope::Http, url.as_ref())
    }

    /// Sends only `https://` traffic through the proxy at `url`.
    pub fn https(url: impl AsRef<str>) -> Result<Proxy, Error> {
        Proxy::parse(Scope::Https, url.as_ref())
    }

    /// Authenticates to the proxy with Basic credentials (`Proxy-Authorization`).
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Proxy {
        self.credentials = Some((username.into(), password.into()));
        self
    }

    /// The proxy URL, without credentials.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The user name sent to the proxy, if any.
    pub fn username(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(user, _)| user.as_str())
    }

    fn parse(scope: Scope, raw: &str) -> Result<Proxy, Error> {
        // Error messages never echo the URL: it may embed a password.
        let mut url = url::Url::parse(raw.trim()).map_err(|e| {
            Error::Configuration(format!("invalid proxy URL ({e}); the URL is not shown as it may contain credentials"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Configuration(format!(
                "unsupported proxy scheme '{}': use http or https",
                url.scheme()
            )));
        }
        if url.host_str().is_none() {
            return Err(Error::Configuration("the proxy URL has no host".to_owned()));
        }
        let mut credentials = None;
        if !url.username().is_empty() || url.password().is_some() {
            let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            credentials = Some((decode(url.username()), Secret::new(decode(url.password().unwrap_or_default()))));
            // Only the scheme check above can make these fail, and it already passed.
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        Ok(Proxy { scope, url, credentials })
    }

    pub(crate) fn to_reqwest(&self) -> Result<reqwest::Proxy, Error> {
        let url = self.url.as_str();
        let proxy = match self.scope {
            Scope::All => reqwest::Proxy::all(url),
            Scope::Http => reqwest::Proxy::http(url),
            Scope::Https => reqwest::Proxy::https(url),
        }
        .map_err(|_| Error::Configuration(format!("the proxy URL {url} is not supported")))?;
        Ok(match &self.credentials {
            Some((user, password)) => proxy.basic_auth(user, password.expose_secret()),
            None => proxy,
        })
    }
}

/// Which proxy, if any, a plain-`http` request goes through: the same choice reqwest makes.
/// The first explicit proxy for http traffic wins; with explicit proxies but none for http, or
/// with [`ClientBuilder::no_proxy`](crate::ClientBuilder::no_proxy), requests go direct;
/// otherwise the environment's (or system's) proxy settings decide, `NO_PROXY` included.
pub(crate) enum HttpRoute {
    Direct,
    Explicit(url::Url),
    System(Box<hyper_util::client::proxy::matcher::Matcher>),
}

impl HttpRoute {
    /// Read once, when the client is built, like reqwest reads the environment.
    pub(crate) fn new(proxies: &[Proxy], no_proxy: bool) -> Self {
        if !proxies.is_empty() {
            return match proxies.iter().find(|p| matches!(p.scope, Scope::All | Scope::Http)) {
                Some(proxy) => HttpRoute::Explicit(proxy.url.clone()),
                None => HttpRoute::Direct,
            };
        }
        if no_proxy {
            return HttpRoute::Direct;
        }
        HttpRoute::System(Box::new(hyper_util::client::proxy::matcher::Matcher::from_system()))
    }

    /// The host of the proxy that a plain-`http` request to `uri` goes through, if any.
    pub(crate) fn proxy_host(&self, uri: &http::Uri) -> Option<String> {
        match self {
            HttpRoute::Direct => None,
            HttpRoute::Explicit(url) => Some(url.host_str().unwrap_or_default().to_owned()),
            HttpRoute::System(matcher) => {
                matcher.intercept(uri).map(|proxy| proxy.uri().host().unwrap_or_default().to_owned())
            }
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("scope", &self.scope)
            .field("url", &self.url.as_str())
            .field("username", &self.username())
            .field("password", &self.credentials.as_ref().map(|(_, password)| password))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_moved_out_of_it() {
        let proxy = Proxy::all("http://bob:s%3Acret@proxy.local:3128").unwrap();
        assert_eq!(proxy.url(), "http://proxy.local:3128/");
        assert_eq!(proxy.username(), Some("bob"));
        let text = format!("{proxy:?}");
        assert!(!text.contains("s:cret") && !text.contains("s%3Acret"), "{text}");
        assert!(proxy.to_reqwest().is_ok());
    }

    #[test]
    fn invalid_urls_are_reported_without_echoing_them() {
        let error = Proxy::https("http://user:pw@").unwrap_err().to_string();
        assert!(!error.contains("pw"), "{error}");
        assert!(Proxy::http("ftp://proxy").is_err());
        assert!(Proxy::all("no scheme").is_err());
    }
}
