//! The innermost step: sends one request over the network with reqwest.

use std::error::Error as StdError;
use std::time::Instant;

use bytes::Bytes;

use crate::error::{Error, TransportError};
use crate::logging;
use crate::pipeline::{HttpResponse, Request};
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
fn frame_body(headers: &mut http::HeaderMap, method: &http::Method, body: &[u8]) {
    headers.remove(http::header::CONTENT_LENGTH);
    let expects_body = matches!(*method, http::Method::POST | http::Method::PUT | http::Method::PATCH);
    if expects_body && body.is_empty() {
        headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from_static("0"));
    }
}

/// One request on its way through reqwest: what the logs and errors need to know about it.
pub(crate) struct Exchange<'r> {
    request: &'r Request,
    attempt: u32,
    started: Instant,
}

impl Transport {
    /// Logs `request` (attempt number `attempt`) and turns it into a reqwest request; `url` is
    /// `request.uri()` already parsed, when the caller has it. Send the result with
    /// `self.client`, then hand reqwest's answer to the returned [`Exchange`].
    ///
    /// The request is left as it is, for a retry or a redirect: reqwest gets a copy of its
    /// header map (values are shared, not copied) and a handle on its body.
    pub(crate) fn start<'r>(
        &self,
        request: &'r Request,
        attempt: u32,
        url: Option<url::Url>,
    ) -> Result<(reqwest::Request, Exchange<'r>), Error> {
        let method = request.method();
        let url = match url {
            Some(url) => url,
            None => url::Url::parse(&request.uri().to_string()).map_err(|e| Error::InvalidArgument {
                parameter: None,
                message: format!("the request URL is not valid: {e}"),
            })?,
        };
        let mut outgoing = reqwest::Request::new(method.clone(), url);
        *outgoing.version_mut() = request.version();
        // Room for the headers reqwest and `frame_body` may add (`accept`, `content-length`),
        // so that adding them does not grow the map again.
        let headers = outgoing.headers_mut();
        headers.reserve(request.headers().len() + 2);
        for (name, value) in request.headers() {
            headers.append(name.clone(), value.clone());
        }
        frame_body(headers, method, request.body());
        // Logged as framed, i.e. as sent.
        logging::request(method, request.uri(), attempt, headers);
        *outgoing.body_mut() = Some(request.body().clone().into());
        Ok((outgoing, Exchange { request, attempt, started: Instant::now() }))
    }
}

impl Exchange<'_> {
    /// The error for a request that failed in reqwest (connecting, sending or reading).
    pub(crate) fn failed(&self, error: reqwest::Error) -> Error {
        let (method, uri) = (self.request.method(), self.request.uri());
        let message = describe(&error);
        logging::failure(method, uri, self.attempt, self.started.elapsed(), &message);
        Error::Transport(Box::new(TransportError {
            message,
            method: method.to_string(),
            url: loggable_url(uri),
            connect: error.is_connect(),
            attempts: 1,
            source: Some(Box::new(error.without_url())),
        }))
    }

    /// Status, version and headers of reqwest's response, the headers moved out rather than
    /// copied; read them before its body.
    pub(crate) fn head(response: &mut reqwest::Response) -> Head {
        Head { status: response.status(), version: response.version(), headers: std::mem::take(response.headers_mut()) }
    }

    /// The response, from its head and its body.
    pub(crate) fn received(&self, head: Head, body: Bytes) -> HttpResponse {
        let (method, uri) = (self.request.method(), self.request.uri());
        logging::response(method, uri, self.attempt, head.status, self.started.elapsed(), &head.headers);
        let mut out = http::Response::new(body);
        *out.status_mut() = head.status;
        *out.version_mut() = head.version;
        *out.headers_mut() = head.headers;
        out
    }
}

/// Status line and headers of a response whose body is still being read.
pub(crate) struct Head {
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
}
