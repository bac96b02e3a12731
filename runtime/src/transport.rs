//! The innermost step: sends one request over the network with reqwest.

use std::error::Error as StdError;
use std::time::Instant;

use crate::error::{Error, TransportError};
use crate::logging;
use crate::pipeline::{Attempt, BoxFuture, HttpResponse, Next, Request, Step};
use crate::redact::loggable_url;

pub(crate) struct Transport {
    pub(crate) client: reqwest::Client,
}

/// Describes a reqwest failure from its source chain. reqwest's own top-level message embeds
/// the full URL; the chain below it ("tcp connect error: Connection refused") is what helps.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "could not read the response"
    } else {
        "the request failed"
    };
    let mut parts: Vec<String> = vec![kind.to_owned()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) && !text.is_empty() {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// hyper derives `Content-Length` from the body, except that it omits it for an empty body,
/// and Graph answers a body-less POST without it with 411 Length Required. A length set by a
/// step is dropped because the body may have been changed after it was set.
fn frame_body(request: &mut Request) {
    let headers = request.headers_mut();
    headers.remove(http::header::CONTENT_LENGTH);
    let expects_body = matches!(*request.method(), http::Method::POST | http::Method::PUT | http::Method::PATCH);
    if expects_body && request.body().is_empty() {
        request.headers_mut().insert(http::header::CONTENT_LENGTH, http::HeaderValue::from_static("0"));
    }
}

impl Step for Transport {
    fn send<'a>(&'a self, mut request: Request, _next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        Box::pin(async move {
            frame_body(&mut request);
            let attempt = request.extensions().get::<Attempt>().map_or(1, |a| a.0);
            let method = request.method().clone();
            let uri = request.uri().clone();
            logging::request(&method, &uri, attempt, request.headers());
            let started = Instant::now();
            let fail = |error: reqwest::Error| {
                let message = describe(&error);
                logging::failure(&method, &uri, attempt, started.elapsed(), &message);
                Error::Transport(Box::new(TransportError {
                    message,
                    method: method.to_string(),
                    url: loggable_url(&uri),
                    connect: error.is_connect(),
                    attempts: 1,
                    source: Some(Box::new(error.without_url())),
                }))
            };
            let outgoing = reqwest::Request::try_from(request).map_err(|e| Error::InvalidArgument {
                parameter: None,
                message: format!("the request cannot be sent: {}", describe(&e)),
            })?;
            let response = self.client.execute(outgoing).await.map_err(&fail)?;
            let status = response.status();
            let version = response.version();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(&fail)?;
            logging::response(&method, &uri, attempt, status, started.elapsed(), &headers);
            let mut out = http::Response::new(body);
            *out.status_mut() = status;
            *out.version_mut() = version;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}
