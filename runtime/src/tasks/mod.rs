//! Helpers for Graph's tasks that take more than one request, as the other Graph SDKs' core
//! libraries ship them:
//!
//! * [`batch`]: JSON batching (`POST /$batch`), up to 20 requests per batch, split
//!   automatically, per-item results by id, per-item throttling retried;
//! * [`upload`]: large file uploads through upload sessions (drive items, mail attachments,
//!   print documents), slice by slice, resumable;
//! * [`delta`]: delta queries, every change and the `@odata.deltaLink` to resume from;
//! * [`long_running`]: operations answered with `202 Accepted` and a monitor URL, polled to
//!   completion;
//! * [`notifications`]: change notifications: the validation handshake, and (feature
//!   `notifications`) validation tokens and decryption of rich notifications.
//!
//! Paging that never loops forever lives in [`paging`](crate::paging).
//!
//! Requests that belong to Graph go through the client's pipeline like any call (token,
//! telemetry, retries, redirects). Requests to URLs Graph hands out pre-authenticated (upload
//! URLs, some monitor URLs on another host) are sent with the client's HTTP client but outside
//! the pipeline: no `Authorization` header, no redirects followed, `https` only (plain `http`
//! only to a loopback address).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::error::{Error, ServiceError, TransportError};
use crate::logging;
use crate::redact::loggable_url;
use crate::response::Response;

pub mod batch;
pub mod delta;
pub mod long_running;
pub mod notifications;
pub mod upload;

/// What `into_call` of a generated builder (see [`call_options!`](crate::call_options)) returns
/// for a builder without a `body` field. Not meant to be called directly.
#[doc(hidden)]
pub fn builder_call(call: crate::call::Call) -> Result<crate::call::Call, Error> {
    let writes =
        matches!(call.operation().method, crate::HttpMethod::Post | crate::HttpMethod::Put | crate::HttpMethod::Patch);
    if writes && call.body.is_none() && call.error().is_none() {
        return Err(Error::invalid_argument(
            "body",
            format!(
                "{} keeps its request body in the builder until it is sent, so into_call cannot include it; build the Call yourself (or use BatchRequest::add_raw)",
                call.operation().signature()
            ),
        ));
    }
    Ok(call)
}

/// Which multi-request task failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskKind {
    /// A JSON batch ([`batch`]).
    Batch,
    /// A large file upload ([`upload`]).
    Upload,
    /// A delta query ([`delta`]).
    Delta,
    /// A long-running operation ([`long_running`]).
    LongRunningOperation,
    /// A change notification ([`notifications`]).
    Notification,
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskKind::Batch => "batch",
            TaskKind::Upload => "upload",
            TaskKind::Delta => "delta query",
            TaskKind::LongRunningOperation => "long-running operation",
            TaskKind::Notification => "change notification",
        })
    }
}

/// Details of an [`Error::Task`]: which task, what was being done (what was sent, never a
/// secret), and the error behind it (what Graph answered), when there is one.
///
/// `Display` shows the message followed by the cause, so that printing the error says both
/// what was sent and what came back.
pub struct TaskError {
    kind: TaskKind,
    message: String,
    cause: Option<Error>,
}

impl TaskError {
    /// Which task failed.
    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// What went wrong, with what was sent (a slice's range, a batch item's method and URL).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error behind this one: usually [`Error::Service`] with what Graph answered (status,
    /// headers, body), or [`Error::Transport`].
    pub fn cause(&self) -> Option<&Error> {
        self.cause.as_ref()
    }

    /// The cause, taken out.
    pub fn into_cause(self) -> Option<Error> {
        self.cause
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("cause", &self.cause)
            .finish()
    }
}

impl std::error::Error for TaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Already part of `Display`; exposed through `cause()` rather than the source chain so
        // that reporters printing the chain do not print it twice.
        None
    }
}

/// An [`Error::Task`].
pub(crate) fn task_error(kind: TaskKind, message: impl Into<String>, cause: Option<Error>) -> Error {
    Error::Task(Box::new(TaskError { kind, message: message.into(), cause }))
}

/// Whether `url` may receive a request outside the pipeline: `https`, or plain `http` to a
/// loopback address (local test servers). Anything else is refused with a message naming the
/// task and the URL without its query (which may hold a pre-authentication token).
pub(crate) fn check_unauthenticated_url(kind: TaskKind, what: &str, url: &str) -> Result<url::Url, Error> {
    let parsed =
        url::Url::parse(url).map_err(|_| task_error(kind, format!("the {what} is not an absolute URL"), None))?;
    let shown = shown_url(&parsed);
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(task_error(
                kind,
                format!("the {what} {shown} is plain http to a host that is not loopback; only https is accepted"),
                None,
            ));
        }
        other => {
            return Err(task_error(kind, format!("the {what} has scheme '{other}'; only https is accepted"), None));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(task_error(kind, format!("the {what} must not contain credentials"), None));
    }
    Ok(parsed)
}

/// `url` as logs show it: query values outside the OData options hidden, no credentials.
pub(crate) fn shown_url(url: &url::Url) -> String {
    match url.as_str().parse::<http::Uri>() {
        Ok(uri) => loggable_url(&uri),
        Err(_) => format!("{}://{}", url.scheme(), url.host_str().unwrap_or("")),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether `url` has the origin (scheme, host, port) of the client's base URL.
pub(crate) fn same_origin(url: &url::Url, base_url: &str) -> bool {
    url::Url::parse(base_url).is_ok_and(|base| {
        url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
    })
}

/// One request sent with the client's HTTP client but outside its pipeline: no token, no
/// redirects, within `timeout`. A 2XX answer is `Ok`; any other status is
/// [`Error::Service`] naming `METHOD <url without query values>`. Logged like any exchange.
pub(crate) async fn send_unauthenticated(
    http: &reqwest::Client,
    method: Method,
    url: &url::Url,
    headers: HeaderMap,
    body: Bytes,
    timeout: Duration,
) -> Result<Response<Bytes>, Error> {
    let shown = shown_url(url);
    let uri: http::Uri =
        url.as_str().parse().map_err(|_| Error::invalid_argument("url", format!("invalid URL {shown}")))?;
    let mut request = reqwest::Request::new(method.clone(), url.clone());
    *request.headers_mut() = headers;
    logging::request(&method, &uri, 1, request.headers());
    *request.body_mut() = Some(body.into());
    let started = std::time::Instant::now();
    // These answers (slice receipts, monitor status, the uploaded item) are small JSON; a
    // hostile upload or monitor URL must not make us buffer without bound.
    let limit = crate::client::DEFAULT_MAX_RESPONSE_BODY;
    let exchange = async {
        let mut response = http.execute(request).await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > limit {
                return Ok(Err(Error::ResponseTooLarge { status, limit, content_length: response.content_length() }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>(Ok((status, headers, body.freeze())))
    };
    let (status, headers, body) = match tokio::time::timeout(timeout, exchange).await {
        Err(_) => return Err(Error::Timeout { after: timeout }),
        Ok(Ok(Err(too_large))) => return Err(too_large),
        Ok(Err(error)) => {
            let message = transport_message(&error);
            logging::failure(&method, &uri, 1, started.elapsed(), &message);
            return Err(Error::Transport(Box::new(TransportError {
                message,
                method: method.to_string(),
                url: shown,
                connect: error.is_connect(),
                attempts: 1,
                not_retried: false,
                source: Some(Box::new(error.without_url())),
            })));
        }
        Ok(Ok(Ok(answer))) => answer,
    };
    logging::response(&method, &uri, 1, status, started.elapsed(), &headers);
    if status.is_success() {
        return Ok(Response::new(status, headers, body));
    }
    Err(Error::Service(Box::new(ServiceError::from_response(
        format!("{method} {shown}"),
        status,
        headers,
        &body,
        body.len(),
        Vec::new(),
    ))))
}

/// reqwest's error chain without its top-level message, which embeds the full URL.
fn transport_message(error: &reqwest::Error) -> String {
    let mut parts = vec![if error.is_connect() { "could not connect" } else { "the request failed" }.to_owned()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) && !text.is_empty() {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// Statuses after which a request is worth sending again (as the retry step decides).
pub(crate) fn is_retryable(status: StatusCode) -> bool {
    crate::retry::is_retryable_status(status)
}
