//! The innermost step: sends one request over the network with reqwest.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use crate::error::{ERROR_BODY_LIMIT, Error, TransportError};
use crate::logging;
use crate::pipeline::{HttpResponse, Request};
use crate::redact::loggable_url;
use crate::response::ByteStream;

/// How the transport reads response bodies for one call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyPolicy {
    /// Longest 2XX body read into memory, in bytes; a longer one is refused while it streams in.
    pub(crate) limit: usize,
    /// A 2XX body is not read but handed over as a stream (`Client::execute_streaming`).
    pub(crate) stream: bool,
}

/// Attached to a non-2XX response whose body was cut after the first
/// [`ERROR_BODY_LIMIT`] bytes: the length of the whole body, as far as it is known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TruncatedBody {
    pub(crate) full_len: usize,
}

/// Attached to a 2XX response of a streaming call: its body, still unread. The slot is shared
/// because response extensions must be cloneable.
#[derive(Clone)]
pub(crate) struct PendingStream(pub(crate) Arc<Mutex<Option<ByteStream>>>);

impl PendingStream {
    pub(crate) fn take(&self) -> Option<ByteStream> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

#[derive(Clone)]
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
            not_retried: false,
            source: Some(Box::new(error.without_url())),
        }))
    }

    /// Reads reqwest's response as `policy` says: a 2XX body whole but at most `policy.limit`
    /// bytes (or not at all, for a streaming call); any other body only up to the
    /// [`ERROR_BODY_LIMIT`] bytes an error keeps, so an endless error body is never drained.
    pub(crate) async fn read(
        &self,
        mut response: reqwest::Response,
        policy: BodyPolicy,
    ) -> Result<HttpResponse, Error> {
        let head = Exchange::head(&mut response);
        if !head.status.is_success() {
            let (body, truncated) = self.read_prefix(&mut response, ERROR_BODY_LIMIT).await?;
            let mut out = self.received(head, body);
            if let Some(truncated) = truncated {
                out.extensions_mut().insert(truncated);
            }
            return Ok(out);
        }
        if policy.stream {
            let stream =
                ByteStream::from_reqwest(response, self.request.method().to_string(), loggable_url(self.request.uri()));
            let mut out = self.received(head, Bytes::new());
            out.extensions_mut().insert(PendingStream(Arc::new(Mutex::new(Some(stream)))));
            return Ok(out);
        }
        let too_large =
            |content_length| Error::ResponseTooLarge { status: head.status, limit: policy.limit, content_length };
        let announced = response.content_length();
        if announced.is_some_and(|length| length > policy.limit as u64) {
            logging::failure(
                self.request.method(),
                self.request.uri(),
                self.attempt,
                self.started.elapsed(),
                "response body over the limit",
            );
            return Err(too_large(announced));
        }
        // One chunk is kept as it is (no copy); more are gathered into one buffer.
        let mut first: Option<Bytes> = None;
        let mut gathered: Option<BytesMut> = None;
        let mut received = 0usize;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failed(e))? {
            received = received.saturating_add(chunk.len());
            if received > policy.limit {
                logging::failure(
                    self.request.method(),
                    self.request.uri(),
                    self.attempt,
                    self.started.elapsed(),
                    "response body over the limit",
                );
                return Err(too_large(announced));
            }
            match (&mut gathered, first.take()) {
                (Some(buffer), _) => buffer.extend_from_slice(&chunk),
                (None, None) => first = Some(chunk),
                (None, Some(previous)) => {
                    let capacity = announced.map_or(previous.len() + chunk.len(), |length| length as usize);
                    let mut buffer = BytesMut::with_capacity(capacity.max(previous.len() + chunk.len()));
                    buffer.extend_from_slice(&previous);
                    buffer.extend_from_slice(&chunk);
                    gathered = Some(buffer);
                }
            }
        }
        let body = match gathered {
            Some(buffer) => buffer.freeze(),
            None => first.unwrap_or_default(),
        };
        Ok(self.received(head, body))
    }

    /// At most `keep` bytes of the body, copied into a buffer of their own; reading stops once
    /// more than `keep` bytes arrived, and the second value then says how long the whole body
    /// is (`Content-Length`, else what was received).
    async fn read_prefix(
        &self,
        response: &mut reqwest::Response,
        keep: usize,
    ) -> Result<(Bytes, Option<TruncatedBody>), Error> {
        let announced = response.content_length().and_then(|length| usize::try_from(length).ok());
        let mut kept: Vec<u8> = Vec::with_capacity(announced.unwrap_or(0).min(keep));
        let mut received = 0usize;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failed(e))? {
            received = received.saturating_add(chunk.len());
            let room = keep - kept.len();
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if received > keep {
                // Dropping the response closes the connection instead of draining the rest.
                kept.shrink_to_fit();
                let full_len = announced.unwrap_or(received).max(received);
                return Ok((Bytes::from(kept), Some(TruncatedBody { full_len })));
            }
        }
        kept.shrink_to_fit();
        Ok((Bytes::from(kept), None))
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
