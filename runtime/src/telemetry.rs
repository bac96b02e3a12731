//! Telemetry step: SDK identification headers and a per-call `client-request-id`.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header::USER_AGENT};

pub(crate) const SDK_VERSION_HEADER: HeaderName = HeaderName::from_static("sdkversion");
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// Our product token in `User-Agent`.
const USER_AGENT_VALUE: &str = concat!("msgraph-rust-sdk/", env!("CARGO_PKG_VERSION"));
/// Our entry in `SdkVersion`.
const SDK_VERSION_VALUE: &str = concat!("graph-rust/", env!("CARGO_PKG_VERSION"));

#[cfg(test)]
pub(crate) fn user_agent() -> String {
    format!("msgraph-rust-sdk/{}", crate::VERSION)
}

#[cfg(test)]
pub(crate) fn sdk_version() -> String {
    format!("graph-rust/{}", crate::VERSION)
}

/// A random (version 4) UUID in its 36-character form. The id only has to be unique enough
/// for Microsoft support to find one call in their logs, which 122 random bits are.
fn request_id() -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    /// Where the two hex digits of each byte go in `8-4-4-4-12`.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut bits: u128 = rand::random();
    bits = (bits & !(0xf << 76)) | (0x4 << 76); // version 4
    bits = (bits & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
    let mut text = [b'-'; 36];
    for (byte, at) in bits.to_be_bytes().into_iter().zip(AT) {
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0xf)];
    }
    text
}

#[cfg(test)]
pub(crate) fn new_request_id() -> String {
    String::from_utf8_lossy(&request_id()).into_owned()
}

/// Adds the telemetry headers to `headers`, keeping values the caller set.
pub(crate) fn apply(headers: &mut HeaderMap) {
    match headers.get(USER_AGENT).and_then(|v| v.to_str().ok()) {
        None => {
            headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        }
        Some(theirs) if !theirs.contains(USER_AGENT_VALUE) => {
            if let Ok(value) = HeaderValue::from_str(&format!("{theirs} {USER_AGENT_VALUE}")) {
                headers.insert(USER_AGENT, value);
            }
        }
        Some(_) => {}
    }
    match headers.get(SDK_VERSION_HEADER).and_then(|v| v.to_str().ok()) {
        None => {
            headers.insert(SDK_VERSION_HEADER, HeaderValue::from_static(SDK_VERSION_VALUE));
        }
        Some(theirs) if !theirs.contains(SDK_VERSION_VALUE) => {
            if let Ok(value) = HeaderValue::from_str(&format!("{SDK_VERSION_VALUE}, {theirs}")) {
                headers.insert(SDK_VERSION_HEADER, value);
            }
        }
        Some(_) => {}
    }
    // One allocation that holds the bytes and their reference count, so that copies of the
    // header map share the value without allocating.
    if !headers.contains_key(CLIENT_REQUEST_ID)
        && let Ok(value) = HeaderValue::from_maybe_shared(Bytes::from_owner(request_id()))
    {
        headers.insert(CLIENT_REQUEST_ID, value);
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
    fn request_ids_match_the_textual_form_of_their_bits() {
        for _ in 0..100 {
            let id = new_request_id();
            let hex: String = id.chars().filter(|c| *c != '-').collect();
            let bits = u128::from_str_radix(&hex, 16).unwrap();
            let formatted = format!("{bits:032x}");
            let expected = format!(
                "{}-{}-{}-{}-{}",
                &formatted[..8],
                &formatted[8..12],
                &formatted[12..16],
                &formatted[16..20],
                &formatted[20..]
            );
            assert_eq!(id, expected);
            assert_eq!((bits >> 76) & 0xf, 4);
            assert_eq!((bits >> 62) & 0x3, 2);
        }
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
