//! Redirect step: follows 301/302/303/307/308 itself so that credentials can be dropped when a
//! redirect leaves the origin (reqwest's own redirect handling is disabled).

use http::{Method, StatusCode, header};

use crate::error::Error;
use crate::pipeline::{BoxFuture, HttpResponse, Next, Request, Step};

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

impl Step for FollowRedirects {
    fn send<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let mut current = request;
            let mut hops = 0u32;
            loop {
                let response = next.clone().run(current.clone()).await?;
                if !is_redirect(response.status()) {
                    return Ok(response);
                }
                // A redirect we cannot follow is handed back as-is and becomes a service error
                // carrying the 3XX status, which is more useful than a generic failure.
                let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) else {
                    return Ok(response);
                };
                let Ok(from) = url::Url::parse(&current.uri().to_string()) else {
                    return Ok(response);
                };
                let Ok(mut to) = from.join(location) else {
                    return Ok(response);
                };
                if !matches!(to.scheme(), "http" | "https") {
                    return Ok(response);
                }
                to.set_fragment(None);
                let Ok(uri) = to.as_str().parse::<http::Uri>() else {
                    return Ok(response);
                };
                if hops >= self.max {
                    return Err(Error::TooManyRedirects { max: self.max });
                }
                hops += 1;
                tracing::debug!(
                    target: "msgraph_runtime",
                    status = response.status().as_u16(),
                    hop = hops,
                    "following redirect"
                );
                if origin(&from) != origin(&to) {
                    // The token was issued for the original service; never hand it to another.
                    current.headers_mut().remove(header::AUTHORIZATION);
                    current.headers_mut().remove(header::COOKIE);
                }
                if response.status() == StatusCode::SEE_OTHER && current.method() != Method::HEAD {
                    *current.method_mut() = Method::GET;
                    *current.body_mut() = bytes::Bytes::new();
                    current.headers_mut().remove(header::CONTENT_TYPE);
                    current.headers_mut().remove(header::CONTENT_LENGTH);
                }
                *current.uri_mut() = uri;
            }
        })
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
