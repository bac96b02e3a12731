//! Telemetry step: SDK identification headers and a per-call `client-request-id`.

use http::{HeaderMap, HeaderValue, header::USER_AGENT};

use crate::error::Error;
use crate::pipeline::{BoxFuture, HttpResponse, Next, Request, Step};

pub(crate) const SDK_VERSION_HEADER: &str = "sdkversion";
pub(crate) const CLIENT_REQUEST_ID: &str = "client-request-id";

pub(crate) fn user_agent() -> String {
    format!("msgraph-rust-sdk/{}", crate::VERSION)
}

pub(crate) fn sdk_version() -> String {
    format!("graph-rust/{}", crate::VERSION)
}

/// A random (version 4) UUID. The id only has to be unique enough for Microsoft support to
/// find one call in their logs, which 122 random bits are.
pub(crate) fn new_request_id() -> String {
    let mut bits: u128 = rand::random();
    bits = (bits & !(0xf << 76)) | (0x4 << 76); // version 4
    bits = (bits & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Adds the telemetry headers to `headers`, keeping values the caller set.
pub(crate) fn apply(headers: &mut HeaderMap) {
    let ours = user_agent();
    let agent = match headers.get(USER_AGENT).and_then(|v| v.to_str().ok()) {
        Some(theirs) if !theirs.contains(&ours) => format!("{theirs} {ours}"),
        Some(theirs) => theirs.to_owned(),
        None => ours,
    };
    if let Ok(value) = HeaderValue::from_str(&agent) {
        headers.insert(USER_AGENT, value);
    }
    let ours = sdk_version();
    let version = match headers.get(SDK_VERSION_HEADER).and_then(|v| v.to_str().ok()) {
        Some(theirs) if !theirs.contains(&ours) => format!("{ours}, {theirs}"),
        Some(theirs) => theirs.to_owned(),
        None => ours,
    };
    if let Ok(value) = HeaderValue::from_str(&version) {
        headers.insert(SDK_VERSION_HEADER, value);
    }
    if !headers.contains_key(CLIENT_REQUEST_ID)
        && let Ok(value) = HeaderValue::from_str(&new_request_id())
    {
        headers.insert(CLIENT_REQUEST_ID, value);
    }
}

/// The telemetry step; runs once per call.
pub(crate) struct Telemetry;

impl Step for Telemetry {
    fn send<'a>(&'a self, mut request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        apply(request.headers_mut());
        next.run(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_uuid_v4_and_differ() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')));
    }

    #[test]
    fn keeps_caller_values() {
        let mut headers = HeaderMap::new();
        headers.insert(CLIENT_REQUEST_ID, HeaderValue::from_static("mine"));
        headers.insert(USER_AGENT, HeaderValue::from_static("PowerShell/7"));
        apply(&mut headers);
        assert_eq!(headers[CLIENT_REQUEST_ID], "mine");
        assert_eq!(headers[USER_AGENT], format!("PowerShell/7 {}", user_agent()).as_str());
        assert_eq!(headers[SDK_VERSION_HEADER], sdk_version().as_str());
        // Idempotent: applying twice does not duplicate product tokens.
        apply(&mut headers);
        assert_eq!(headers[USER_AGENT], format!("PowerShell/7 {}", user_agent()).as_str());
    }
}
