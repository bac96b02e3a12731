//! Successful responses, buffered or streamed.

use std::any::Any;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, TransportError};
use crate::redact::RedactedHeaders;

/// A successful (2XX) response: status, headers and a value (raw bytes until decoded).
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    value: T,
}

impl<T> Response<T> {
    /// Assembles a response (useful for tests and custom steps).
    pub fn new(status: StatusCode, headers: HeaderMap, value: T) -> Self {
        Response { status, headers, value }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (the cmdlets' `-ResponseHeadersVariable`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, dropping status and headers.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Status, headers and value.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.value)
    }

    /// Transforms the value, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, value: f(self.value) }
    }

    /// What the cmdlets output for `-PassThru` on operations without a response body:
    /// `true` for a successful call.
    pub fn pass_thru(&self) -> bool {
        self.status.is_success()
    }
}

impl Response<Bytes> {
    /// Decodes the body as JSON into `Some(T)`, or gives `None` when there is no body
    /// (`204 No Content`, or an empty or all-whitespace body): Graph answers updates and
    /// replacements so, although its documents declare the entity. A body that is there
    /// and does not decode is an [`Error::Decode`], as with [`Response::json`].
    pub fn json_or_no_content<T: DeserializeOwned>(self) -> Result<Response<Option<T>>, Error> {
        if self.status == StatusCode::NO_CONTENT || self.value.iter().all(u8::is_ascii_whitespace) {
            return Ok(Response { status: self.status, headers: self.headers, value: None });
        }
        self.json::<T>().map(|response| response.map(Some))
    }

    /// Decodes the body as JSON. On failure the [`Error::Decode`] keeps the status, the
    /// headers and a bounded excerpt of the body.
    pub fn json<T: DeserializeOwned>(self) -> Result<Response<T>, Error> {
        match serde_json::from_slice::<T>(&self.value) {
            Ok(value) => Ok(Response { status: self.status, headers: self.headers, value }),
            Err(error) => Err(Error::Decode(Box::new(DecodeError::new(
                self.status,
                self.headers,
                &self.value,
                std::any::type_name::<T>(),
                &error,
            )))),
        }
    }

    /// Parses the body as trimmed UTF-8 text (Graph's `text/plain` answers, such as `$count`).
    /// On failure the [`Error::Decode`] keeps the status, the headers and a bounded excerpt.
    pub fn text<T>(self) -> Result<Response<T>, Error>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        let parsed = std::str::from_utf8(&self.value)
            .map_err(|e| e.to_string())
            .and_then(|text| text.trim().parse::<T>().map_err(|e| e.to_string()));
        match parsed {
            Ok(value) => Ok(Response { status: self.status, headers: self.headers, value }),
            Err(message) => Err(Error::Decode(Box::new(DecodeError::from_text(
                self.status,
                self.headers,
                &self.value,
                std::any::type_name::<T>(),
                &message,
            )))),
        }
    }

    /// Drops the body (for operations that return none, such as `acquireAccessToken`).
    pub fn without_body(self) -> Response<()> {
        self.map(|_| ())
    }
}

/// Raw bodies show as their length only: a success body may hold secrets (a generated
/// password, a token), and only typed values know which of their fields are
/// [`Secret`](crate::Secret)s.
impl<T: fmt::Debug + 'static> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Response");
        out.field("status", &self.status).field("headers", &RedactedHeaders(&self.headers));
        let value: &dyn Any = &self.value;
        let raw_len = value
            .downcast_ref::<Bytes>()
            .map(Bytes::len)
            .or_else(|| value.downcast_ref::<Vec<u8>>().map(Vec::len))
            .or_else(|| value.downcast_ref::<String>().map(String::len));
        match raw_len {
            Some(len) => out.field("value", &format_args!("<{len} bytes>")),
            None => out.field("value", &self.value),
        };
        out.finish()
    }
}

/// The body of a [`Client::execute_streaming`](crate::Client::execute_streaming) response,
/// chunk by chunk as it arrives, with no size limit. A failure while reading is an
/// [`Error::Transport`] item, after which the stream ends. Dropping the stream closes the
/// connection.
pub struct ByteStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
}

impl ByteStream {
    /// A stream of the given chunks (for tests and custom steps).
    pub fn from_chunks(chunks: impl IntoIterator<Item = Bytes>) -> Self {
        let chunks: Vec<Result<Bytes, Error>> = chunks.into_iter().map(Ok).collect();
        ByteStream { inner: Box::pin(futures::stream::iter(chunks)) }
    }

    pub(crate) fn from_reqwest(response: reqwest::Response, method: String, url: String) -> Self {
        let state = Some((response, method, url));
        let stream = futures::stream::unfold(state, |state| async move {
            let (mut response, method, url) = state?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some((response, method, url)))),
                Ok(None) => None,
                Err(error) => {
                    let failure = TransportError {
                        message: format!("could not read the response body: {}", error.without_url()),
                        method,
                        url,
                        connect: false,
                        attempts: 1,
                        not_retried: false,
                        source: None,
                    };
                    Some((Err(Error::Transport(Box::new(failure))), None))
                }
            }
        });
        ByteStream { inner: Box::pin(stream) }
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_parts() {
        let response = Response::new(StatusCode::OK, HeaderMap::new(), Bytes::from_static(br#"{"a":1}"#));
        let decoded = response.json::<serde_json::Value>().unwrap();
        assert_eq!(decoded.value()["a"], 1);
        let mapped = decoded.map(|v| v["a"].as_i64());
        assert!(mapped.pass_thru());
        let (status, _, value) = mapped.into_parts();
        assert_eq!((status, value), (StatusCode::OK, Some(1)));
    }

    #[test]
    fn json_or_no_content_reads_a_missing_body_as_none() {
        let read = |status: u16, body: &'static [u8]| {
            Response::new(StatusCode::from_u16(status).unwrap(), HeaderMap::new(), Bytes::from_static(body))
                .json_or_no_content::<serde_json::Value>()
        };
        assert_eq!(read(204, b"").unwrap().into_inner(), None);
        // A 204 carries no body by definition, whatever a broken server appends.
        assert_eq!(read(204, b"garbage").unwrap().into_inner(), None);
        assert_eq!(read(200, b" \r\n").unwrap().into_inner(), None);
        assert_eq!(read(200, br#"{"a":1}"#).unwrap().into_inner(), Some(serde_json::json!({"a": 1})));
        let error = read(200, b"{not json").unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
    }

    #[test]
    fn debug_of_raw_bodies_shows_only_their_length() {
        let secret = "generated-password-s3cr3t";
        let body = Bytes::from(format!(r#"{{"secretText":"{secret}"}}"#));
        let len = body.len();
        let response = Response::new(StatusCode::OK, HeaderMap::new(), body);
        for text in [format!("{response:?}"), format!("{response:#?}")] {
            assert!(!text.contains(secret) && text.contains(&format!("<{len} bytes>")), "{text}");
        }
        let text = format!("{:?}", response.map(|b| String::from_utf8(b.to_vec()).unwrap()));
        assert!(!text.contains(secret), "{text}");
        let typed = Response::new(StatusCode::OK, HeaderMap::new(), Some(5u32));
        assert!(format!("{typed:?}").contains("Some(5)"));
    }

    #[test]
    fn decode_errors_keep_context_but_not_values() {
        let body = Bytes::from_static(br#"{"secretText":"s3cr3t-value"}"#);
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "rid".parse().unwrap());
        let error = Response::new(StatusCode::OK, headers, body).json::<Vec<u32>>().unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(error.response_headers().unwrap()["request-id"], "rid");
        let Error::Decode(decode) = &error else { panic!("{error:?}") };
        assert!(decode.excerpt().contains("secretText"));
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains("s3cr3t-value"), "{text}");
        }
    }
}
