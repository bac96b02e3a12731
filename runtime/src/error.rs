//! The error type of every runtime operation.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::redact::RedactedHeaders;

/// Longest body excerpt kept for display, in bytes.
pub(crate) const EXCERPT_LIMIT: usize = 4 * 1024;
/// Longest error body kept for [`ServiceError::odata`]; real ODataError payloads are a few
/// hundred bytes, so anything longer is not worth holding on to.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// Characters of the excerpt shown inline by `Display` when the body is not an ODataError.
const DISPLAY_EXCERPT_CHARS: usize = 200;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong while preparing, sending or decoding a call.
///
/// The variants separate who has to act: the caller ([`Error::InvalidArgument`]), whoever set
/// up the client ([`Error::Configuration`], [`Error::Authentication`]), the network
/// ([`Error::Transport`], [`Error::Timeout`]), or the service ([`Error::Service`],
/// [`Error::Decode`]). No `Display` or `Debug` output of any variant contains a token, a
/// [`Secret`](crate::Secret) value, a proxy password or an `Authorization` header.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument of the call is invalid: an empty or dot path segment, a missing identity key,
    /// an invalid header, a body that cannot be serialized. Nothing was sent.
    #[error("{message}")]
    InvalidArgument {
        /// Name of the offending parameter or header, when there is one.
        parameter: Option<String>,
        /// Human-readable explanation (never contains the offending header value).
        message: String,
    },
    /// The client is misconfigured (invalid base URL, proxy or default header). Nothing was sent.
    #[error("invalid client configuration: {0}")]
    Configuration(String),
    /// The credential could not produce an access token, or a token would have been sent over
    /// an insecure connection.
    #[error("authentication failed: {message}")]
    Authentication {
        /// What went wrong.
        message: String,
        /// The credential's own error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// The request could not be delivered or the response could not be read (connection
    /// refused or reset, DNS failure, TLS failure, proxy failure), after all retries.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// The call did not complete within its timeout (per client or per call).
    #[error("the call did not complete within its timeout of {after:?}")]
    Timeout {
        /// The timeout that was exceeded.
        after: Duration,
    },
    /// The service answered with a non-2XX status.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The service answered 2XX but the body is not of the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The service redirected more times than allowed.
    #[error("too many redirects: the service redirected more than {max} times")]
    TooManyRedirects {
        /// The configured maximum number of redirects.
        max: u32,
    },
    /// A custom pipeline step failed.
    #[error("pipeline step failed: {message}")]
    Step {
        /// What went wrong.
        message: String,
        /// The step's own error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A redirect was not followed because following it would expose the request: it leads
    /// from `https` to plain `http`, or it would resend a body holding
    /// [`Secret`](crate::Secret) values to another origin. Nothing was sent to the target.
    #[error("refused to follow a redirect ({status}) to {target}: {reason}")]
    RedirectRefused {
        /// The redirect's status (301, 302, 303, 307 or 308).
        status: StatusCode,
        /// The origin (scheme, host and port) the redirect pointed to; never its path or query,
        /// which may carry a signature.
        target: String,
        /// Why the redirect was refused.
        reason: RedirectRefusal,
    },
    /// A buffered response body was longer than the limit
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body), per
    /// call [`CallOptions::max_response_body`](crate::CallOptions::max_response_body)). Reading
    /// stopped at the limit; use [`Client::execute_streaming`](crate::Client::execute_streaming)
    /// for downloads of any size.
    #[error(
        "the {status} response body is larger than the limit of {limit} bytes{}; raise max_response_body or use \
         Client::execute_streaming",
        content_length.map(|length| format!(" (Content-Length: {length})")).unwrap_or_default()
    )]
    ResponseTooLarge {
        /// The status of the response.
        status: StatusCode,
        /// The limit in force, in bytes.
        limit: usize,
        /// The length the server announced, if it did.
        content_length: Option<u64>,
    },
    /// Paging stopped because the service sent an `@odata.nextLink` that was already followed:
    /// following it again would loop forever. The pages before it were delivered.
    #[error("paging stopped after {pages} pages: the service repeated a next-page link already followed")]
    PagingLoop {
        /// Pages received before the repeated link, the one that carried it included.
        pages: usize,
        /// The repeated link, as the service sent it (may carry query values; not displayed).
        link: String,
    },
    /// A multi-request task (JSON batch, large file upload, long-running operation, change
    /// notification) failed; see [`TaskError`](crate::tasks::TaskError).
    #[error(transparent)]
    Task(Box<crate::tasks::TaskError>),
}

/// Why a redirect was not followed (see [`Error::RedirectRefused`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectRefusal {
    /// The redirect leads from `https` to plain `http`, where the request (and any credential
    /// in it) would travel in clear text.
    DowngradeToHttp,
    /// The redirect would resend a request body holding [`Secret`](crate::Secret) values to
    /// another scheme, host or port.
    SecretBodyToAnotherOrigin,
}

impl fmt::Display for RedirectRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectRefusal::DowngradeToHttp => "it leads from https to plain http",
            RedirectRefusal::SecretBodyToAnotherOrigin => {
                "the request body holds secrets and would be resent to another origin"
            }
        })
    }
}

impl Error {
    /// An [`Error::InvalidArgument`] naming `parameter`.
    pub fn invalid_argument(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument { parameter: Some(parameter.into()), message: message.into() }
    }

    /// An [`Error::Authentication`], for [`TokenCredential`](crate::TokenCredential)
    /// implementations. The message and source must not contain the secret material.
    pub fn authentication(
        message: impl Into<String>,
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Error::Authentication { message: message.into(), source }
    }

    /// An [`Error::Step`], for custom pipeline steps.
    pub fn step(message: impl Into<String>) -> Self {
        Error::Step { message: message.into(), source: None }
    }

    /// The HTTP status of the response behind this error, if one was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::RedirectRefused { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the request may have reached the service and been acted on although no
    /// success was seen: a transport failure after the connection was established (a reset, a
    /// cut body) or a timeout. Such calls are not retried when their method is not idempotent
    /// (POST, PATCH): check the service's state before calling again. `false` means the service
    /// answered with an error, or nothing was sent.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Transport(e) => e.may_have_been_applied(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The `Retry-After` of the response behind a throttling or unavailability error (429,
    /// 503), e.g. when the wait did not fit in the call's timeout and the error was returned
    /// instead of waiting.
    pub fn retry_after(&self) -> Option<Duration> {
        self.service_error().and_then(ServiceError::retry_after)
    }

    /// The headers of the response behind this error, if one was received.
    pub fn response_headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Service(e) => Some(&e.headers),
            Error::Decode(e) => Some(&e.headers),
            _ => None,
        }
    }

    /// The service error, when the service answered with a non-2XX status.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// True for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True for errors raised before anything was sent because an argument was invalid.
    pub fn is_invalid_argument(&self) -> bool {
        matches!(self, Error::InvalidArgument { .. })
    }
}

/// Details of an [`Error::Transport`].
pub struct TransportError {
    pub(crate) message: String,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) connect: bool,
    pub(crate) attempts: u32,
    /// Not retried although retries were left, because the method is not idempotent and the
    /// request may have been applied.
    pub(crate) not_retried: bool,
    pub(crate) source: Option<BoxError>,
}

impl TransportError {
    /// A short description of the failure (e.g. `tcp connect error: Connection refused`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The URL that could not be reached (query values as sent).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// True when no connection could be established (nothing reached the service).
    pub fn is_connect(&self) -> bool {
        self.connect
    }

    /// How many attempts were made, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// True when the connection was established, so the request may have reached the service
    /// and been applied (see [`Error::may_have_been_applied`]).
    pub fn may_have_been_applied(&self) -> bool {
        !self.connect
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} could not be completed: {}", self.method, self.url, self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if self.may_have_been_applied() {
            f.write_str("; the request may have reached the service and been applied")?;
        }
        if self.not_retried {
            write!(f, ", so it was not retried ({} is not idempotent)", self.method)?;
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("message", &self.message)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("connect", &self.connect)
            .field("attempts", &self.attempts)
            .field("not_retried", &self.not_retried)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// A non-2XX answer from the service.
///
/// `code` and `message` come from the ODataError body
/// (`{"error":{"code":..,"message":..,"innerError":{..}}}`) when it can be parsed; the
/// request ids and date come from the response headers, else from `innerError`. The raw body
/// is kept (up to 64 KiB, copied out of the received buffer so a huge body is not pinned) for
/// [`ServiceError::odata`], and a UTF-8-safe excerpt of at most 4 KiB for display. The runtime
/// stops reading an error body once 64 KiB are in: the rest is never received.
pub struct ServiceError {
    pub(crate) operation: String,
    pub(crate) status: StatusCode,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_request_id: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) body_len: usize,
    pub(crate) excerpt: String,
    pub(crate) attempt_statuses: Vec<StatusCode>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) accepted: Option<&'static crate::Permissions>,
    pub(crate) grants: Option<crate::TokenGrants>,
}

impl ServiceError {
    /// Builds the error from a final non-2XX response. `body` may be a prefix of the body
    /// whose full length is `body_len`.
    pub(crate) fn from_response(
        operation: String,
        status: StatusCode,
        headers: HeaderMap,
        body: &Bytes,
        body_len: usize,
        attempt_statuses: Vec<StatusCode>,
    ) -> Self {
        let body_len = body_len.max(body.len());
        let parsed = if body_len == body.len() { ParsedODataError::parse(body) } else { ParsedODataError::default() };
        let header =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty()).map(str::to_owned);
        let request_id = header("request-id").or(parsed.request_id);
        let client_request_id = header("client-request-id").or(parsed.client_request_id);
        let date = header("date").or(parsed.date);
        // A copy, not a slice: a slice would keep the whole received buffer alive for as long
        // as the error lives.
        let kept = Bytes::copy_from_slice(&body[..body.len().min(ERROR_BODY_LIMIT)]);
        let retry_after = crate::retry::retry_after(&headers);
        ServiceError {
            operation,
            status,
            code: parsed.code,
            message: parsed.message,
            request_id,
            client_request_id,
            date,
            excerpt: excerpt(body, EXCERPT_LIMIT),
            body: kept,
            body_len,
            headers,
            attempt_statuses,
            retry_after,
            accepted: None,
            grants: None,
        }
    }

    /// Adds what a 403 needs to explain itself: the permissions the operation accepts and
    /// what the bearer token granted. Kept for 403 only.
    pub(crate) fn with_permissions(
        mut self,
        accepted: Option<&'static crate::Permissions>,
        grants: Option<crate::TokenGrants>,
    ) -> Self {
        if self.status == StatusCode::FORBIDDEN {
            self.accepted = accepted;
            self.grants = grants;
        }
        self
    }

    /// On a 403: the permissions the operation accepts, least privileged first, from
    /// Microsoft's permission reference (`None` when it does not list the operation).
    pub fn accepted_permissions(&self) -> Option<&'static crate::Permissions> {
        self.accepted
    }

    /// On a 403: the delegated scopes (`scp`) and app roles (`roles`) of the bearer token
    /// the call sent, when it was a JWT (read without verification; the token is not kept).
    pub fn token_grants(&self) -> Option<&crate::TokenGrants> {
        self.grants.as_ref()
    }

    /// The wait the service asked for in `Retry-After` (seconds or an HTTP date), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The HTTP status of the final response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// `error.code` of the ODataError body (e.g. `Authorization_RequestDenied`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// `error.message` of the ODataError body.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `request-id` response header, else `error.innerError.request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `client-request-id` response header, else `error.innerError.client-request-id`.
    pub fn client_request_id(&self) -> Option<&str> {
        self.client_request_id.as_deref()
    }

    /// The `Date` response header, else `error.innerError.date`.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// All headers of the final response.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body, truncated to 64 KiB.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Length of the full body before truncation: as received, or as announced by
    /// `Content-Length` when reading stopped after the first 64 KiB.
    pub fn body_len(&self) -> usize {
        self.body_len
    }

    /// At most 4 KiB of the body as text, cut on a character boundary (invalid UTF-8 replaced).
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// The status of every attempt that received a response, in order, when the call was
    /// retried; empty when there was a single attempt.
    pub fn attempt_statuses(&self) -> &[StatusCode] {
        &self.attempt_statuses
    }

    /// `METHOD /path/template` of the operation that failed.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// Decodes the body into a typed error (usually the generated `ODataError`).
    /// `None` when the body is empty, truncated, or not of that shape.
    pub fn odata<T: DeserializeOwned>(&self) -> Option<T> {
        if self.body.len() < self.body_len {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with status {}", self.operation, self.status)?;
        // The service's text is shown on one line and at bounded length: a message that echoes
        // a caller's value could otherwise forge log lines or flood them.
        let code = self.code.as_deref().map(one_line);
        let message = self.message.as_deref().map(one_line);
        match (&code, &message) {
            (Some(code), Some(message)) => write!(f, ": {code}: {message}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (None, None) if self.body_len == 0 => f.write_str(" and an empty body")?,
            (None, None) => {
                let inline: String = self
                    .excerpt
                    .chars()
                    .take(DISPLAY_EXCERPT_CHARS)
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                let ellipsis = if self.body_len > inline.len() { "…" } else { "" };
                write!(f, ": {}{ellipsis} ({} bytes)", inline.trim(), self.body_len)?;
            }
        }
        let mut ids = Vec::new();
        if let Some(id) = &self.request_id {
            ids.push(format!("request-id: {}", one_line(id)));
        }
        if let Some(id) = &self.client_request_id {
            ids.push(format!("client-request-id: {}", one_line(id)));
        }
        if let Some(date) = &self.date {
            ids.push(format!("date: {}", one_line(date)));
        }
        if !ids.is_empty() {
            write!(f, " ({})", ids.join(", "))?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (Retry-After: {} s)", wait.as_secs())?;
        }
        if self.attempt_statuses.len() > 1 {
            let statuses: Vec<String> = self.attempt_statuses.iter().map(|s| s.as_u16().to_string()).collect();
            write!(f, " after {} attempts [{}]", self.attempt_statuses.len(), statuses.join(", "))?;
        }
        if let Some(accepted) = self.accepted {
            write!(f, ". This operation accepts (least privileged first) {accepted}")?;
            match &self.grants {
                Some(grants) => {
                    write!(f, "; the token carried {grants}")?;
                    if accepted.accepts(grants) == Some(true) {
                        // Then the 403 is about the resource (ownership, a role, a policy),
                        // not about consent.
                        f.write_str(", which includes an accepted permission")?;
                    }
                }
                None => f.write_str(
                    "; the token's scopes and roles are unknown (it was not a JWT, or, in a batch, not inspected)",
                )?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("client_request_id", &self.client_request_id)
            .field("date", &self.date)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body_len)
            .field("excerpt", &self.excerpt)
            .field("attempt_statuses", &self.attempt_statuses)
            .field("retry_after", &self.retry_after)
            .field("accepted", &self.accepted.map(ToString::to_string))
            .field("grants", &self.grants)
            .finish()
    }
}

impl StdError for ServiceError {}

/// A 2XX response whose body is not of the expected type.
///
/// Only the position and category of the JSON error are shown: `serde_json` messages quote
/// values from the body, and a success body may carry secrets (e.g. a generated password).
pub struct DecodeError {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) type_name: &'static str,
    pub(crate) category: &'static str,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) body_len: usize,
    pub(crate) excerpt: String,
}

impl DecodeError {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        body: &Bytes,
        type_name: &'static str,
        error: &serde_json::Error,
    ) -> Self {
        let category = match error.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        DecodeError {
            status,
            headers,
            type_name,
            category,
            line: error.line(),
            column: error.column(),
            body_len: body.len(),
            excerpt: excerpt(body, EXCERPT_LIMIT),
        }
    }

    /// A `text/plain` body that does not parse as `type_name`. The parser's message is not
    /// kept: like serde's, it could quote the body.
    pub(crate) fn from_text(
        status: StatusCode,
        headers: HeaderMap,
        body: &Bytes,
        type_name: &'static str,
        _message: &str,
    ) -> Self {
        DecodeError {
            status,
            headers,
            type_name,
            category: "text",
            line: 1,
            column: 1,
            body_len: body.len(),
            excerpt: excerpt(body, EXCERPT_LIMIT),
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// At most 4 KiB of the body as text. Not included in `Display`/`Debug`, since success
    /// bodies may contain secrets; print it only where that is acceptable.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// Length of the body as received.
    pub fn body_len(&self) -> usize {
        self.body_len
    }

    /// Rust type the body was decoded into.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response body ({} bytes) could not be decoded as {}: {} error at line {} column {}",
            self.status, self.body_len, self.type_name, self.category, self.line, self.column
        )
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("type_name", &self.type_name)
            .field("category", &self.category)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("body_len", &self.body_len)
            .finish_non_exhaustive()
    }
}

impl StdError for DecodeError {}

/// The interesting parts of an ODataError body, read leniently: Graph is not consistent about
/// the casing of `innerError` and sometimes puts numbers or null where strings are expected.
#[derive(Default)]
struct ParsedODataError {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    date: Option<String>,
}

impl ParsedODataError {
    fn parse(body: &[u8]) -> Self {
        // A 10 MB error body is not an ODataError; don't spend time parsing it.
        if body.is_empty() || body.len() > ERROR_BODY_LIMIT {
            return Self::default();
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Self::default();
        };
        let Some(error) = value.get("error").and_then(|e| e.as_object()) else {
            return Self::default();
        };
        let text = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let inner = error.iter().find(|(k, _)| k.eq_ignore_ascii_case("innerError")).and_then(|(_, v)| v.as_object());
        let inner_text =
            |key: &str| inner.and_then(|o| text(o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)));
        ParsedODataError {
            code: text(error.get("code")),
            message: text(error.get("message")),
            request_id: inner_text("request-id"),
            client_request_id: inner_text("client-request-id"),
            date: inner_text("date"),
        }
    }
}

/// Longest `code` or `message` shown by `Display`, in characters.
const DISPLAY_TEXT_CHARS: usize = 1024;

/// `text` with control characters (line breaks, escape sequences) replaced by spaces, cut to
/// [`DISPLAY_TEXT_CHARS`] characters.
fn one_line(text: &str) -> String {
    one_line_within(text, DISPLAY_TEXT_CHARS)
}

/// `text` with control characters replaced by spaces, cut to `limit` characters (`…` marks
/// the cut): for text from the service or the caller that an error shows.
pub(crate) fn one_line_within(text: &str, limit: usize) -> String {
    let mut out: String = text.chars().take(limit).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(limit).is_some() {
        out.push('…');
    }
    out
}

/// At most `limit` bytes of `body` as text, never splitting a character.
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    let mut cut = &body[..body.len().min(limit)];
    if let Err(e) = std::str::from_utf8(cut)
        && e.error_len().is_none()
    {
        // The cut landed inside a multi-byte character: drop its leading bytes.
        cut = &cut[..e.valid_up_to()];
    }
    let text = String::from_utf8_lossy(cut);
    if text.len() <= limit {
        return text.into_owned();
    }
    // Replacement characters are wider than the bytes they replace; trim back to the limit.
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(body: &str, headers: HeaderMap) -> ServiceError {
        ServiceError::from_response(
            "POST /x".into(),
            StatusCode::FORBIDDEN,
            headers,
            &Bytes::copy_from_slice(body.as_bytes()),
            body.len(),
            Vec::new(),
        )
    }

    #[test]
    fn the_kept_body_is_a_copy_that_does_not_pin_the_received_buffer() {
        let received = Bytes::from(vec![b'x'; 4 * ERROR_BODY_LIMIT]);
        let error = ServiceError::from_response(
            "GET /x".into(),
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderMap::new(),
            &received,
            received.len(),
            Vec::new(),
        );
        assert_eq!(error.body_len(), 4 * ERROR_BODY_LIMIT);
        // Unique means no other handle shares its allocation: a slice of `received` would share
        // it. Its capacity is exactly the kept length.
        let kept = error.body.clone();
        drop(error);
        let kept = kept.try_into_mut().expect("the kept body shares the received buffer");
        assert_eq!((kept.len(), kept.capacity()), (ERROR_BODY_LIMIT, ERROR_BODY_LIMIT));
        assert_eq!(received.len(), 4 * ERROR_BODY_LIMIT, "the received buffer is still alive here");
    }

    #[test]
    fn parses_odata_error_with_inner_error() {
        let e = service(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges",
               "innerError":{"date":"2024-05-01T00:00:00","request-id":"rid","client-request-id":"cid","extra":null,"n":5}}}"#,
            HeaderMap::new(),
        );
        assert_eq!(e.code(), Some("Authorization_RequestDenied"));
        assert_eq!(e.message(), Some("Insufficient privileges"));
        assert_eq!(e.request_id(), Some("rid"));
        assert_eq!(e.client_request_id(), Some("cid"));
        assert_eq!(e.date(), Some("2024-05-01T00:00:00"));
        let text = e.to_string();
        assert!(text.contains("403 Forbidden: Authorization_RequestDenied: Insufficient privileges"), "{text}");
        assert!(text.contains("request-id: rid"), "{text}");
    }

    #[test]
    fn headers_win_over_inner_error() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "from-header".parse().unwrap());
        let e = service(r#"{"error":{"code":"c","innererror":{"request-id":"from-body"}}}"#, headers);
        assert_eq!(e.request_id(), Some("from-header"));
    }

    #[test]
    fn tolerates_non_odata_bodies() {
        for body in ["", "plain text", "{\"error\":", "[1,2]", "{\"error\":\"x\"}", "{\"error\":{\"code\":5}}"] {
            let e = service(body, HeaderMap::new());
            assert_eq!(e.message(), None, "{body}");
            let _ = e.to_string();
        }
        assert_eq!(service("{\"error\":{\"code\":5}}", HeaderMap::new()).code(), Some("5"));
        assert!(service("", HeaderMap::new()).to_string().contains("empty body"));
    }

    #[test]
    fn excerpt_is_bounded_and_utf8_safe() {
        let mut body = vec![b'a'; EXCERPT_LIMIT - 1];
        body.extend_from_slice("é".as_bytes()); // straddles the limit
        body.extend_from_slice(&[b'b'; 100]);
        let text = excerpt(&body, EXCERPT_LIMIT);
        assert_eq!(text.len(), EXCERPT_LIMIT - 1);
        assert!(text.chars().all(|c| c == 'a'));

        let invalid = vec![0xff; EXCERPT_LIMIT * 2];
        let text = excerpt(&invalid, EXCERPT_LIMIT);
        assert!(text.len() <= EXCERPT_LIMIT);
        assert!(text.chars().all(|c| c == char::REPLACEMENT_CHARACTER));
    }

    #[test]
    fn odata_decodes_typed_errors() {
        #[derive(serde::Deserialize)]
        struct ODataError {
            error: Main,
        }
        #[derive(serde::Deserialize)]
        struct Main {
            code: String,
        }
        let e = service(r#"{"error":{"code":"NotFound","message":"m"}}"#, HeaderMap::new());
        assert_eq!(e.odata::<ODataError>().map(|o| o.error.code), Some("NotFound".to_owned()));
        assert!(service("nope", HeaderMap::new()).odata::<ODataError>().is_none());
    }
}
