//! Redirect step: follows 301/302/303/307/308 itself so that credentials can be dropped when a
//! redirect leaves the origin (reqwest's own redirect handling is disabled).

use http::{Method, StatusCode, header};

use crate::pipeline::{HttpResponse, Request};

/// The redirect step's settings; the step itself runs in
/// [`Builtins::redirect_and_send`](crate::pipeline::Builtins::redirect_and_send).
pub(crate) struct FollowRedirects {
    pub(crate) max: u32,
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Scheme, host and port (with the scheme's default filled in).
fn origin(url: &url::Url) -> (String, Option<String>, Option<u16>) {
    (url.scheme().to_owned(), url.host_str().map(str::to_ascii_lowercase), url.port_or_known_default())
}

/// Where a redirect response sends the request next.
pub(crate) struct Hop {
    uri: http::Uri,
    /// The target is another scheme, host or port.
    cross_origin: bool,
}

/// The next hop for `response` to `current`, or `None` when the response is to be handed back
/// as-is: not a redirect, or a redirect that cannot be followed (it then becomes a service
/// error carrying the 3XX status, which is more useful than a generic failure).
pub(crate) fn next_hop(current: &Request, response: &HttpResponse) -> Option<Hop> {
    if !is_redirect(response.status()) {
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
    Some(Hop { uri, cross_origin: origin(&from) != origin(&to) })
}

impl Hop {
    /// Turns `request` into the request for this hop, after a redirect with `status`.
    pub(crate) fn apply(self, request: &mut Request, status: StatusCode) {
        if self.cross_origin {
            // The token was issued for the original service; never hand it to another.
            request.headers_mut().remove(header::AUTHORIZATION);
            request.headers_mut().remove(header::COOKIE);
        }
        if status == StatusCode::SEE_OTHER && request.method() != Method::HEAD {
            *request.method_mut() = Method::GET;
            *request.body_mut() = bytes::Bytes::new();
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
}
