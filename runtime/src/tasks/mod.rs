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
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::auth::is_loopback;
use crate::client::DEFAULT_MAX_RESPONSE_BODY;
use crate::error::{Error, ServiceError};
use crate::pipeline::Request;
use crate::redact::loggable_url;
use crate::response::Response;
use crate::transport::{BodyPolicy, Transport, TruncatedBody};

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
        "http" if parsed.host_str().is_some_and(is_loopback) => {}
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

/// Whether `url` has the origin (scheme, host, port) of the client's base URL.
pub(crate) fn same_origin(url: &url::Url, base_url: &str) -> bool {
    url::Url::parse(base_url).is_ok_and(|base| crate::redirect::origin(url) == crate::redirect::origin(&base))
}

/// One request sent with the client's transport but outside its pipeline: no token, no
/// redirects, within `timeout`. It is framed, logged and read like any attempt (the body
/// bounded by the client's default limit, an error body by the part an error keeps). A 2XX
/// answer is `Ok`; any other status is [`Error::Service`] naming `METHOD <url without query
/// values>`.
pub(crate) async fn send_unauthenticated(
    transport: &Transport,
    method: Method,
    url: &url::Url,
    headers: HeaderMap,
    body: Bytes,
    timeout: Duration,
) -> Result<Response<Bytes>, Error> {
    let shown = shown_url(url);
    let mut request = Request::new(body);
    *request.method_mut() = method.clone();
    *request.uri_mut() =
        url.as_str().parse().map_err(|_| Error::invalid_argument("url", format!("invalid URL {shown}")))?;
    *request.headers_mut() = headers;
    // These answers (slice receipts, monitor status, the uploaded item) are small JSON; a
    // hostile upload or monitor URL must not make us buffer without bound.
    let policy = BodyPolicy { limit: DEFAULT_MAX_RESPONSE_BODY, stream: false };
    let exchange = async {
        let (outgoing, exchange) = transport.start(&request, 1, Some(url.clone()))?;
        let response = transport.client.execute(outgoing).await.map_err(|e| exchange.failed(e))?;
        exchange.read(response, policy).await
    };
    let response = tokio::time::timeout(timeout, exchange).await.map_err(|_| Error::Timeout { after: timeout })??;
    let (mut parts, body) = response.into_parts();
    if parts.status.is_success() {
        return Ok(Response::new(parts.status, parts.headers, body));
    }
    let body_len = parts.extensions.remove::<TruncatedBody>().map_or(body.len(), |truncated| truncated.full_len);
    Err(Error::Service(Box::new(ServiceError::from_response(
        format!("{method} {shown}"),
        parts.status,
        parts.headers,
        &body,
        body_len,
        Vec::new(),
    ))))
}
