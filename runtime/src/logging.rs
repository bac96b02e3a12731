//! `tracing` events for each HTTP exchange. Only allow-listed headers are printed with their
//! values, query values outside the OData system options are hidden, bodies are never logged.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode, Uri};

use crate::redact::{LoggedHeaders, loggable_url};

pub(crate) const TARGET: &str = "msgraph_runtime";

pub(crate) fn request(method: &Method, uri: &Uri, attempt: u32, headers: &HeaderMap) {
    if tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        tracing::debug!(target: TARGET, method = %method, url = %loggable_url(uri), attempt, "sending request");
    }
    if tracing::enabled!(target: TARGET, tracing::Level::TRACE) {
        tracing::trace!(target: TARGET, headers = %LoggedHeaders(headers), "request headers");
    }
}

pub(crate) fn response(
    method: &Method,
    uri: &Uri,
    attempt: u32,
    status: StatusCode,
    elapsed: Duration,
    headers: &HeaderMap,
) {
    if tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        tracing::debug!(
            target: TARGET,
            method = %method,
            url = %loggable_url(uri),
            attempt,
            status = status.as_u16(),
            duration_ms = elapsed.as_millis() as u64,
            request_id = %header("request-id"),
            client_request_id = %header("client-request-id"),
            "received response"
        );
    }
    if tracing::enabled!(target: TARGET, tracing::Level::TRACE) {
        tracing::trace!(target: TARGET, headers = %LoggedHeaders(headers), "response headers");
    }
}

pub(crate) fn failure(method: &Method, uri: &Uri, attempt: u32, elapsed: Duration, message: &str) {
    tracing::debug!(
        target: TARGET,
        method = %method,
        url = %loggable_url(uri),
        attempt,
        duration_ms = elapsed.as_millis() as u64,
        error = %message,
        "request failed"
    );
}
