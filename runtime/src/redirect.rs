//! Redirect step: follows 301/302/303/307/308 itself (reqwest's own redirect handling is
//! disabled) so that nothing secret follows a redirect to another origin.
//!
//! Method and body follow the rules browsers and reqwest apply: a POST redirected with 301 or
//! 302, and anything but HEAD redirected with 303, becomes a GET without body; 307 and 308 keep
//! the method and the body. On a hop to another scheme, host or port every sensitive header
//! (the one rule of [`crate::redact`]: `Authorization`, `Cookie`, `Ocp-Apim-Subscription-Key`,
//! any credential-shaped value…) is dropped. Two redirects are refused with
//! [`Error::RedirectRefused`] before anything is sent to the target: from `https` to plain
//! `http`, and one that would resend a body holding [`Secret`](crate::Secret) values to another
//! origin.

use http::{Method, StatusCode, header};

use crate::error::{Error, RedirectRefusal};
use crate::pipeline::{HttpResponse, Request};
use crate::redact::is_sensitive_header;

/// The redirect step's settings; the step itself runs in
/// [`Builtins::redirect_and_send`](crate::pipeline::Builtins::redirect_and_send).
pub(crate) struct FollowRedirects {
    pub(crate) max: u32,
}

/// Marks a request whose body holds [`Secret`](crate::Secret) values (set when the call is
/// prepared; kept by copies of the request).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyHoldsSecrets;

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Scheme, host and port (with the scheme's default filled in).
pub(crate) fn origin(url: &url::Url) -> (String, Option<String>, Option<u16>) {
    (url.scheme().to_owned(), url.host_str().map(str::to_ascii_lowercase), url.port_or_known_default())
}

/// Whether a request with `method` redirected with `status` becomes a GET without body.
fn becomes_get(status: StatusCode, method: &Method) -> bool {
    match status.as_u16() {
        301 | 302 => method == Method::POST,
        303 => method != Method::GET && method != Method::HEAD,
        _ => false,
    }
}

/// Where a redirect response sends the request next.
pub(crate) struct Hop {
    uri: http::Uri,
    /// The target is another scheme, host or port.
    cross_origin: bool,
    becomes_get: bool,
}

/// The next hop for `response` to `current`: `None` when the response is to be handed back
/// as-is (not a redirect, or a redirect that cannot be followed: it then becomes a service
/// error carrying the 3XX status, which is more useful than a generic failure), an error when
/// following it would expose the request.
pub(crate) fn next_hop(current: &Request, response: &HttpResponse) -> Option<Result<Hop, Error>> {
    let status = response.status();
    if !is_redirect(status) {
        return None;
    }
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok())?;
    let from = url::Url::parse(&current.uri().to_string()).ok()?;
    let mut to = from.join(location).ok()?;
    if !matches!(to.scheme(), "http" | "https") {
        return None;
    }
    to.set_fragment(None);
    let uri = to.as_str().parse::<http::Uri>().ok()?;
    let cross_origin = origin(&from) != origin(&to);
    let becomes_get = becomes_get(status, current.method());
    let refuse =
        |reason| Some(Err(Error::RedirectRefused { status, target: to.origin().ascii_serialization(), reason }));
    if from.scheme() == "https" && to.scheme() == "http" {
        return refuse(RedirectRefusal::DowngradeToHttp);
    }
    if cross_origin && !becomes_get && current.extensions().get::<BodyHoldsSecrets>().is_some() {
        return refuse(RedirectRefusal::SecretBodyToAnotherOrigin);
    }
    Some(Ok(Hop { uri, cross_origin, becomes_get }))
}

impl Hop {
    /// Turns `request` into the request for this hop.
    pub(crate) fn apply(self, request: &mut Request) {
        if self.cross_origin {
            // Credentials were meant for the original service; never hand them to another.
            let sensitive: Vec<header::HeaderName> = request
                .headers()
                .iter()
                .filter(|(name, value)| is_sensitive_header(name, value))
                .map(|(name, _)| name.clone())
                .collect();
            for name in sensitive {
                request.headers_mut().remove(name);
            }
        }
        if self.becomes_get {
            *request.method_mut() = Method::GET;
            *request.body_mut() = bytes::Bytes::new();
            request.extensions_mut().remove::<BodyHoldsSecrets>();
            request.headers_mut().remove(header::CONTENT_TYPE);
            request.headers_mut().remove(header::CONTENT_LENGTH);
        }
        *request.uri_mut() = self.uri;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        origin(&url::Url::parse(a).unwrap()) == origin(&url::Url::parse(b).unwrap())
    }

    #[test]
    fn origins() {
        assert!(same("https://graph.microsoft.com/v1.0/a", "https://GRAPH.microsoft.com:443/beta/b"));
        assert!(!same("https://graph.microsoft.com/", "http://graph.microsoft.com/"), "scheme");
        assert!(!same("https://graph.microsoft.com/", "https://graph.microsoft.com:8443/"), "port");
        assert!(!same("https://graph.microsoft.com/", "https://evil.example/"), "host");
    }

    fn request(method: Method, uri: &str, secret_body: bool) -> Request {
        let mut request = http::Request::new(bytes::Bytes::from_static(b"{}"));
        *request.method_mut() = method;
        *request.uri_mut() = uri.parse().unwrap();
        if secret_body {
            request.extensions_mut().insert(BodyHoldsSecrets);
        }
        request
    }

    fn redirect(status: u16, location: &str) -> HttpResponse {
        let mut response = http::Response::new(bytes::Bytes::new());
        *response.status_mut() = StatusCode::from_u16(status).unwrap();
        response.headers_mut().insert(header::LOCATION, location.parse().unwrap());
        response
    }

    /// No TLS server runs in the tests, so the https side of the downgrade rule is checked on
    /// the decision itself; the integration tests cover the others against real servers.
    #[test]
    fn https_to_http_is_refused_whatever_the_method_or_body() {
        for method in [Method::GET, Method::POST] {
            for status in [301, 302, 303, 307, 308] {
                let current = request(method.clone(), "https://graph.microsoft.com/v1.0/me", false);
                let Some(Err(error)) = next_hop(&current, &redirect(status, "http://graph.microsoft.com/v1.0/me"))
                else {
                    panic!("{status} {method} was followed");
                };
                assert!(
                    matches!(error, Error::RedirectRefused { reason: RedirectRefusal::DowngradeToHttp, ref target, .. } if target == "http://graph.microsoft.com"),
                    "{error:?}"
                );
            }
        }
        let current = request(Method::GET, "http://127.0.0.1:1/a", false);
        assert!(matches!(next_hop(&current, &redirect(302, "https://graph.microsoft.com/b")), Some(Ok(_))));
    }

    #[test]
    fn a_secret_body_stays_at_its_origin_unless_the_redirect_drops_it() {
        let current = request(Method::POST, "https://graph.microsoft.com/v1.0/x", true);
        let other = "https://evil.example/collect";
        assert!(matches!(next_hop(&current, &redirect(307, other)), Some(Err(_))));
        assert!(matches!(next_hop(&current, &redirect(308, other)), Some(Err(_))));
        assert!(matches!(next_hop(&current, &redirect(307, "/v1.0/y")), Some(Ok(_))));
        let Some(Ok(hop)) = next_hop(&current, &redirect(302, other)) else { panic!("302 POST becomes a GET") };
        let mut next = current;
        hop.apply(&mut next);
        assert_eq!(next.method(), Method::GET);
        assert!(next.body().is_empty() && next.extensions().get::<BodyHoldsSecrets>().is_none());
    }

    #[test]
    fn which_redirects_become_a_get() {
        for (status, method, get) in [
            (301, Method::POST, true),
            (302, Method::POST, true),
            (303, Method::POST, true),
            (303, Method::PATCH, true),
            (303, Method::HEAD, false),
            (302, Method::PATCH, false),
            (301, Method::DELETE, false),
            (307, Method::POST, false),
            (308, Method::PATCH, false),
        ] {
            assert_eq!(becomes_get(StatusCode::from_u16(status).unwrap(), &method), get, "{status} {method}");
        }
    }
}
