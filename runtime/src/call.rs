//! The request a generated builder assembles.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, utf8_percent_encode};

use crate::error::Error;
use crate::operation::OperationInfo;
use crate::path;
use crate::pipeline::Step;
use crate::redact::{RedactedHeaders, is_safe_to_echo, is_sensitive_header};
use crate::secret;

/// Upper bound on retries, whatever the caller asks for: more would only prolong an outage.
pub(crate) const MAX_RETRIES_LIMIT: u32 = 10;

/// OData system query options (`$top`, `$filter`) keep their `$`; Graph accepts both forms but
/// the literal one is what the documentation and logs show.
const QUERY_NAME: &AsciiSet = &path::COMPONENT.remove(b'$').remove(b'@');

/// How the body is shown by a what-if preview.
#[derive(Clone, Debug)]
pub(crate) enum Preview {
    /// The body contains no [`Secret`](crate::Secret): show the body itself.
    Body,
    /// The body with every secret replaced by `"<redacted>"`.
    Redacted(Bytes),
    /// The body contains secrets at these byte ranges (each a JSON string): the preview is
    /// the body with each replaced by `"<redacted>"`.
    Secrets(Vec<Range<usize>>),
    /// Not JSON produced by us: show only its size and type.
    Opaque,
}

#[derive(Clone)]
pub(crate) struct Body {
    pub(crate) content_type: HeaderValue,
    pub(crate) bytes: Bytes,
    pub(crate) preview: Preview,
    /// The body holds at least one [`Secret`](crate::Secret) value, so it is never resent to
    /// another origin by a redirect.
    pub(crate) holds_secrets: bool,
}

/// One request being assembled by a generated builder.
///
/// Setters never panic and never fail on the spot: the first invalid input is recorded and
/// returned by [`Client::execute`](crate::Client::execute) or
/// [`Client::what_if`](crate::Client::what_if) before any I/O. `Debug` shows no body bytes and
/// no sensitive header values.
pub struct Call {
    operation: &'static OperationInfo,
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    pub(crate) options: CallOptions,
    /// Absolute URL of the next page (`@odata.nextLink`), replacing template and query.
    pub(crate) next_link: Option<String>,
    error: Option<Error>,
    /// How many headers were set so far, to name an invalid one by position.
    headers_set: usize,
}

impl Call {
    /// Starts a call of `operation`.
    pub fn new(operation: &'static OperationInfo) -> Call {
        Call {
            operation,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            options: CallOptions::default(),
            next_link: None,
            error: None,
            headers_set: 0,
        }
    }

    /// A call of the same operation, with the same headers and per-call options, that fetches
    /// `next_link` (an `@odata.nextLink` from a previous page) instead of expanding the path
    /// template. The link must point at the client's base URL (same scheme, host and port):
    /// otherwise the call fails before sending, so a page can never redirect the bearer token.
    pub fn follow_next_link(&self, next_link: &str) -> Call {
        Call {
            operation: self.operation,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: self.headers.clone(),
            body: None,
            options: self.options.clone(),
            next_link: Some(next_link.to_owned()),
            error: None,
            headers_set: self.headers_set,
        }
    }

    /// The operation being called.
    pub fn operation(&self) -> &'static OperationInfo {
        self.operation
    }

    /// Sets the value of placeholder `{name}` of the path template.
    ///
    /// The value is percent-encoded as exactly one path segment (everything but RFC 3986
    /// unreserved characters is encoded, so `/`, `?`, `#`, `%`, spaces and non-ASCII cannot
    /// change the path). `""`, `"."` and `".."` are refused. Inside OData quotes
    /// (`(appId='{appId}')`) single quotes are doubled first; `""` is still refused.
    pub fn path_param(&mut self, name: &'static str, value: &str) {
        match path::validate(self.operation.path_template, name, value) {
            Ok(()) => {
                self.path_params.retain(|(n, _)| *n != name);
                self.path_params.push((name, value.to_owned()));
            }
            Err(error) => self.fail(error),
        }
    }

    /// Sets a query parameter, replacing an earlier value of the same name. Name and value are
    /// percent-encoded; a leading `$` in OData system query option names (`$top`, `$filter`)
    /// and the `@` of `@id` are kept literal.
    pub fn query_param(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        let name = utf8_percent_encode(name, QUERY_NAME).to_string();
        self.query.retain(|(existing, _)| *existing != name);
        self.query.push((name, utf8_percent_encode(&value, path::COMPONENT).to_string()));
    }

    /// Sets a request header, replacing any previous value. An invalid name or value is
    /// reported later; the error names the header but never shows its value.
    pub fn header(&mut self, name: &str, value: &str) {
        self.headers_set += 1;
        match parse_header(name, value, self.headers_set, "call") {
            Ok((name, value)) => {
                self.headers.insert(name, value);
            }
            Err(error) => self.fail(error),
        }
    }

    /// Serializes `body` as the `application/json` request body.
    pub fn json_body<T: serde::Serialize + ?Sized>(&mut self, body: &T) {
        let json = match secret::serialize_json(body) {
            Ok(json) => json,
            Err(error) => return self.fail(body_error(&error)),
        };
        // What a what-if preview shows: the body itself when it contains no secret; else the
        // body with every secret redacted, derived from where the secrets were written or, if
        // they could not all be located, from a second, redacted serialization.
        let holds_secrets = json.secrets.as_ref().is_none_or(|secrets| !secrets.is_empty());
        let preview = match json.secrets {
            Some(secrets) if secrets.is_empty() => Preview::Body,
            Some(secrets) => Preview::Secrets(secrets),
            None => match secret::redacted(|| serde_json::to_vec(body)) {
                Ok(redacted) => Preview::Redacted(redacted.into()),
                Err(_) => Preview::Opaque,
            },
        };
        self.body = Some(Body {
            content_type: HeaderValue::from_static("application/json"),
            bytes: json.bytes.into(),
            preview,
            holds_secrets,
        });
    }

    /// Like [`Call::json_body`], but every [`Secret`](crate::Secret) inside serializes as
    /// `"<redacted>"`. Meant for calls that are only previewed with
    /// [`Client::what_if`](crate::Client::what_if); executing such a call sends the redacted text.
    pub fn json_body_redacted<T: serde::Serialize + ?Sized>(&mut self, body: &T) {
        match secret::redacted(|| serde_json::to_vec(body)) {
            Ok(bytes) => {
                self.body = Some(Body {
                    content_type: HeaderValue::from_static("application/json"),
                    bytes: bytes.into(),
                    preview: Preview::Body,
                    holds_secrets: false,
                });
            }
            Err(error) => self.fail(body_error(&error)),
        }
    }

    /// Sets a body that is not JSON (or is already serialized). What-if previews show only its
    /// size and content type. The runtime cannot know whether such a body holds secrets, so a
    /// redirect to another origin resends it (307/308) like a browser would; put secrets in
    /// [`Secret`](crate::Secret) fields of a JSON body to keep them at their origin.
    pub fn raw_body(&mut self, content_type: &str, body: Bytes) {
        match HeaderValue::from_str(content_type) {
            Ok(content_type) => {
                self.body = Some(Body { content_type, bytes: body, preview: Preview::Opaque, holds_secrets: false })
            }
            Err(_) => self.fail(Error::invalid_argument("content-type", "invalid content type for the request body")),
        }
    }

    /// The per-call options (the cmdlets' common parameters).
    pub fn options_mut(&mut self) -> &mut CallOptions {
        &mut self.options
    }

    /// The per-call options.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The first invalid input recorded so far, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Takes the first invalid input recorded so far, leaving the call without it: for code
    /// that hands the call on and wants the error now rather than when it is executed.
    pub fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    fn fail(&mut self, error: Error) {
        // The first problem is the one the user should fix first; later ones are often
        // consequences of it.
        if self.error.is_none() {
            self.error = Some(error);
        }
    }
}

fn body_error(error: &serde_json::Error) -> Error {
    Error::invalid_argument("body", format!("the request body cannot be serialized as JSON: {error}"))
}

/// Parses a header, marking credentials as sensitive so `http`'s own `Debug` hides them too.
///
/// `position` (1-based) and `set_on` (`"call"`, `"client"`) name the header in errors. An
/// invalid name is never repeated: the usual mistake is a whole `Authorization: Bearer …` line
/// passed as the name, so the name would carry the value. A valid name is repeated unless it
/// looks like a credential itself; the value never is.
pub(crate) fn parse_header(
    name: &str,
    value: &str,
    position: usize,
    set_on: &str,
) -> Result<(HeaderName, HeaderValue), Error> {
    let by_position = || format!("header #{position}");
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Error::invalid_argument(
            by_position(),
            format!(
                "header #{position} set on this {set_on} has an invalid name (not shown, as it may contain a \
                 credential; a name is one token without spaces or ':')"
            ),
        )
    })?;
    let mut header_value = HeaderValue::from_str(value).map_err(|_| {
        let (parameter, shown) = if is_safe_to_echo(name) {
            (header_name.as_str().to_owned(), format!("'{header_name}'"))
        } else {
            (by_position(), format!("#{position} set on this {set_on}"))
        };
        Error::invalid_argument(
            parameter,
            format!("invalid value for header {shown} (the value is not shown; header values must be visible ASCII without line breaks)"),
        )
    })?;
    if is_sensitive_header(&header_name, &header_value) {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation.operation_id)
            .field("method", &self.operation.method)
            .field("path_template", &self.operation.path_template)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("headers", &RedactedHeaders(&self.headers))
            .field(
                "body",
                &self.body.as_ref().map(|b| {
                    format!("<{} bytes of {}>", b.bytes.len(), String::from_utf8_lossy(b.content_type.as_bytes()))
                }),
            )
            .field("options", &self.options)
            .field("error", &self.error)
            .finish()
    }
}

/// Per-call options: the cmdlets' per-call parameters (`-Headers`, `-HttpPipelinePrepend`,
/// `-HttpPipelineAppend`) plus timeout and retry overrides. Unset values fall back to the
/// client's.
#[derive(Clone, Default)]
pub struct CallOptions {
    headers: HeaderMap,
    invalid_header: Option<(String, String)>,
    /// How many headers were set so far, to name an invalid one by position.
    headers_set: usize,
    max_response_body: Option<usize>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    max_retry_delay: Option<Duration>,
    pub(crate) prepend: Vec<Arc<dyn Step>>,
    pub(crate) append: Vec<Arc<dyn Step>>,
}

impl CallOptions {
    /// Options that override nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header for this call, replacing a value set by the operation or the client.
    /// An invalid name or value is reported when the call is executed.
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        self.headers_set += 1;
        match parse_header(name, value, self.headers_set, "call") {
            Ok((name, value)) => {
                self.headers.insert(name, value);
            }
            Err(error) => {
                if self.invalid_header.is_none() {
                    let parameter = match &error {
                        Error::InvalidArgument { parameter, .. } => parameter.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                    self.invalid_header = Some((parameter, error.to_string()));
                }
            }
        }
        self
    }

    /// Overrides the client's timeout for this call (retries and their delays included).
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overrides the client's maximum number of retries; values above 10 are capped at 10.
    pub fn max_retries(&mut self, max_retries: u32) -> &mut Self {
        self.max_retries = Some(max_retries.min(MAX_RETRIES_LIMIT));
        self
    }

    /// Overrides the client's cap on the total time spent waiting between retries.
    pub fn max_retry_delay(&mut self, max_retry_delay: Duration) -> &mut Self {
        self.max_retry_delay = Some(max_retry_delay);
        self
    }

    /// Overrides the client's limit on a buffered response body for this call, in bytes (see
    /// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)).
    pub fn max_response_body(&mut self, max_bytes: usize) -> &mut Self {
        self.max_response_body = Some(max_bytes);
        self
    }

    /// Adds a step that runs once for this call, after the client's prepend steps and before
    /// telemetry, retries and authentication (`-HttpPipelinePrepend`).
    pub fn prepend(&mut self, step: impl Step) -> &mut Self {
        self.prepend.push(Arc::new(step));
        self
    }

    /// Adds a step that runs for every attempt of this call, before the client's append steps
    /// and the transport (`-HttpPipelineAppend`).
    pub fn append(&mut self, step: impl Step) -> &mut Self {
        self.append.push(Arc::new(step));
        self
    }

    /// Headers added for this call.
    pub fn get_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The timeout override, if any.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The retry-count override, if any.
    pub fn get_max_retries(&self) -> Option<u32> {
        self.max_retries
    }

    /// The retry-delay-cap override, if any.
    pub fn get_max_retry_delay(&self) -> Option<Duration> {
        self.max_retry_delay
    }

    /// The response-body limit override, if any.
    pub fn get_max_response_body(&self) -> Option<usize> {
        self.max_response_body
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.invalid_header {
            Some((parameter, message)) => {
                Err(Error::InvalidArgument { parameter: Some(parameter.clone()), message: message.clone() })
            }
            None => Ok(()),
        }
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("headers", &RedactedHeaders(&self.headers))
            .field("invalid_header", &self.invalid_header.as_ref().map(|(_, message)| message))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("max_retry_delay", &self.max_retry_delay)
            .field("max_response_body", &self.max_response_body)
            .field("prepend_steps", &self.prepend.len())
            .field("append_steps", &self.append.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::HttpMethod;
    use crate::secret::Secret;

    static OP: OperationInfo = OperationInfo {
        operation_id: "test",
        method: HttpMethod::Post,
        path_template: "/things/{id}",
        permissions: None,
    };

    #[test]
    fn first_error_wins_and_header_values_are_never_echoed() {
        let mut call = Call::new(&OP);
        call.header("x-ok", "fine");
        call.header("x-bad", "line\nbreak-secret");
        call.header("bad name", "v");
        let error = call.error().unwrap().to_string();
        assert!(error.contains("x-bad") && !error.contains("break-secret"), "{error}");
    }

    #[test]
    fn invalid_header_names_and_credential_shaped_names_are_never_echoed() {
        let mut call = Call::new(&OP);
        call.header("x-ok", "fine");
        call.header("Authorization: Bearer tok-in-name", "v");
        let error = call.error().unwrap();
        let text = format!("{error} {error:?}");
        assert!(text.contains("header #2") && !text.contains("tok-in-name"), "{text}");

        // A JWT is a valid header name; with an invalid value, it is named by position only.
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let mut options = CallOptions::new();
        options.header(jwt, "bad\nvalue");
        let error = options.check().unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains("header #1") && !text.to_ascii_lowercase().contains("eyjzdwiioij4in0"), "{text}");

        // Credential-shaped values are marked sensitive whatever the name.
        let (_, value) = parse_header("x-ms-authorization-auxiliary", "Bearer aux", 1, "call").unwrap();
        assert!(value.is_sensitive());
        let (_, value) = parse_header("x-anything", "PoP eyJhbGciOi", 1, "call").unwrap();
        assert!(value.is_sensitive());
        let (_, value) = parse_header("consistencylevel", "eventual", 1, "call").unwrap();
        assert!(!value.is_sensitive());
    }

    #[test]
    fn debug_hides_bodies_and_sensitive_headers() {
        #[derive(serde::Serialize)]
        struct Body {
            password: Secret,
        }
        let mut call = Call::new(&OP);
        call.path_param("id", "1");
        call.header("Authorization", "Bearer tok-123");
        call.json_body(&Body { password: Secret::from("pw-456") });
        let text = format!("{call:?}");
        assert!(!text.contains("tok-123") && !text.contains("pw-456"), "{text}");
        assert!(matches!(call.body.as_ref().unwrap().preview, Preview::Secrets(_)));
        assert!(String::from_utf8_lossy(&call.body.as_ref().unwrap().bytes).contains("pw-456"));
    }

    #[test]
    fn query_names_keep_dollar() {
        let mut call = Call::new(&OP);
        call.query_param("$filter", "name eq 'a&b'");
        assert_eq!(call.query[0], ("$filter".to_owned(), "name%20eq%20%27a%26b%27".to_owned()));
    }

    #[test]
    fn options_cap_retries_and_report_bad_headers() {
        let mut options = CallOptions::new();
        options.max_retries(50).header("x", "ok").header("x-bad", "\u{7f}secret");
        assert_eq!(options.get_max_retries(), Some(MAX_RETRIES_LIMIT));
        let error = options.check().unwrap_err().to_string();
        assert!(error.contains("x-bad") && !error.contains("secret"), "{error}");
    }

    #[test]
    fn unserializable_body_is_deferred() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1);
        let mut call = Call::new(&OP);
        call.json_body(&map);
        assert!(call.error().unwrap().to_string().contains("cannot be serialized"));
    }
}
