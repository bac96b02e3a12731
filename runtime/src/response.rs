//! Successful responses.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error};
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

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("value", &self.value)
            .finish()
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
