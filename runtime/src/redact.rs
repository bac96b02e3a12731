//! The one rule for what is sensitive, and helpers that show headers safely.
//!
//! Every place that shows or forwards headers asks this module: `Debug` of the client, calls,
//! options, responses and errors; what-if previews; the TRACE logs (which additionally use an
//! allow-list); the redirect step, which drops every sensitive header on a hop to another
//! origin; and the messages of invalid-header errors. A header is sensitive when its *name*
//! says so ([`is_sensitive_name`]) or when its *value* looks like a credential
//! ([`is_credential_shaped`]), whatever the name: `X-Ms-Authorization-Auxiliary: Bearer …`
//! or a JWT in a custom header is caught by the value even if a name rule missed it.

use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::secret::REDACTED;

/// Headers whose value is a credential, by exact name.
const SENSITIVE_NAMES: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];
/// Headers whose value is a credential, by a part of the name (`x-api-key`, `x-ms-token-aad`,
/// `Ocp-Apim-Subscription-Key`, `X-Ms-Authorization-Auxiliary`, `x-goog-signature`…). None of
/// them occurs in the names of the ordinary Graph headers (`ConsistencyLevel`, `Prefer`,
/// `If-Match`, `client-request-id`, `Retry-After`, `Keep-Alive`…), which a unit test checks.
const SENSITIVE_PARTS: &[&str] = &[
    "auth",
    "secret",
    "token",
    "key",
    "password",
    "passwd",
    "signature",
    "credential",
    "session",
    "sas",
    "cookie",
    "jwt",
    "private",
];

/// Authorization schemes (RFC 9110 `credentials`, plus Azure's) whose value follows them.
const CREDENTIAL_SCHEMES: &[&str] = &[
    "bearer ",
    "basic ",
    "pop ",
    "digest ",
    "negotiate ",
    "ntlm ",
    "hawk ",
    "aws4-hmac-sha256 ",
    "sharedkey ",
    "sharedkeylite ",
    "sharedaccesssignature ",
];

/// Shortest run of base64 characters taken for a key or password by its look alone: shorter
/// values (`eventual`, `return=minimal`, a 32-digit hex hash) are ordinary header values.
const OPAQUE_BLOB_MIN_LEN: usize = 40;

/// True when a header called `name` carries a credential by its name alone.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAMES.contains(&name.as_str()) || SENSITIVE_PARTS.iter().any(|part| name.contains(part))
}

/// True when `value` looks like a credential whatever header carries it: an authorization
/// scheme with its parameters (`Bearer …`, `Basic …`, `PoP …`, `SharedAccessSignature …`), a
/// JWT (`eyJ…` with two or more dots), a shared access signature query (`sv=…&sig=…`), or a
/// long opaque blob of mixed-case base64 (an API key, a client secret).
///
/// Quoted values (ETags such as `W/"JzEt…"`), GUIDs, dates, URLs and words never match: the
/// blob rule needs at least 40 characters from the base64 alphabet only, with upper case,
/// lower case and digits, which none of Graph's ordinary header values has.
pub(crate) fn is_credential_shaped(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if CREDENTIAL_SCHEMES.iter().any(|scheme| lower.starts_with(scheme)) || lower.starts_with("sharedaccesssignature") {
        return true;
    }
    if lower.contains("sig=") && (lower.contains("sv=") || lower.contains("se=") || lower.contains("sr=")) {
        return true;
    }
    text.split(|c: char| c.is_ascii_whitespace() || c == ',' || c == ';')
        .any(|word| is_jwt(word) || is_opaque_blob(word))
}

/// `eyJ…` (base64url of `{"`) followed by at least two more dot-separated base64url parts.
fn is_jwt(word: &str) -> bool {
    let word = word.trim_matches('"');
    if !word.starts_with("eyJ") {
        return false;
    }
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() >= 3
        && parts[0].len() >= 10
        && parts.iter().all(|part| part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

fn is_opaque_blob(word: &str) -> bool {
    let body = word.trim_end_matches('=');
    if body.len() < OPAQUE_BLOB_MIN_LEN
        || !body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
    {
        return false;
    }
    let has = |test: fn(&u8) -> bool| body.as_bytes().iter().any(test);
    has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)
}

/// True when the value of this header must never be shown or carried to another origin: the
/// value is marked sensitive, or the name or the value say it is a credential.
pub(crate) fn is_sensitive_header(name: &HeaderName, value: &HeaderValue) -> bool {
    value.is_sensitive() || is_sensitive_name(name.as_str()) || is_credential_shaped(value.as_bytes())
}

/// The value of a header as it may be shown: the text, or `<redacted>` when it is sensitive.
pub(crate) fn shown_value(name: &HeaderName, value: &HeaderValue) -> String {
    if is_sensitive_header(name, value) {
        REDACTED.to_owned()
    } else {
        String::from_utf8_lossy(value.as_bytes()).into_owned()
    }
}

/// True when a header name given by a caller may be repeated in an error message. A valid
/// name can still be a credential pasted in the wrong place (a JWT is a valid header name).
pub(crate) fn is_safe_to_echo(name: &str) -> bool {
    !is_credential_shaped(name.as_bytes())
}

/// Headers whose values the logging step may print. Everything else is logged as `REDACTED`:
/// an allow-list fails safe when a service or a user adds a header we have never heard of.
const LOG_ALLOWED: &[&str] = &[
    "accept",
    "cache-control",
    "client-request-id",
    "content-length",
    "content-type",
    "date",
    "etag",
    "odata-version",
    "request-id",
    "retry-after",
    "retry-attempt",
    "sdkversion",
    "user-agent",
    "x-ms-ags-diagnostic",
    "x-ms-resource-unit",
    "x-ms-throttle-information",
    "x-ms-throttle-limit-percentage",
    "x-ms-throttle-scope",
];

pub(crate) fn is_log_allowed(name: &HeaderName) -> bool {
    LOG_ALLOWED.contains(&name.as_str())
}

/// `Debug` for a header map that hides sensitive values.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            map.entry(&name.as_str(), &shown_value(name, value));
        }
        map.finish()
    }
}

/// Header list for TRACE logs: `name: value` for allow-listed headers, `name: REDACTED` else.
pub(crate) struct LoggedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Display for LoggedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, value) in self.0 {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            if is_log_allowed(name) && !is_sensitive_header(name, value) {
                write!(f, "{}: {}", name, String::from_utf8_lossy(value.as_bytes()))?;
            } else {
                write!(f, "{name}: REDACTED")?;
            }
        }
        Ok(())
    }
}

/// OData system query options are safe to log; any other query value (a `$filter` or `$search`
/// expression, a custom parameter) may contain personal data and is logged as `REDACTED`.
const QUERY_ALLOWED: &[&str] =
    &["$select", "$expand", "$top", "$skip", "$count", "$orderby", "$format", "$skiptoken", "api-version"];

/// The URL with query values outside the allow-list replaced by `REDACTED`.
pub(crate) fn loggable_url(uri: &http::Uri) -> String {
    let mut out = String::new();
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        // Userinfo never reaches here (rejected at build time), but strip it defensively.
        let authority = authority.as_str();
        out.push_str(authority.rsplit_once('@').map_or(authority, |(_, host)| host));
    }
    out.push_str(uri.path());
    if let Some(query) = uri.query() {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| {
                let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
                let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
                if QUERY_ALLOWED.iter().any(|allowed| decoded.eq_ignore_ascii_case(allowed)) {
                    pair.to_owned()
                } else {
                    format!("{name}=REDACTED")
                }
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "set-cookie",
            "x-api-key",
            "X-Client-Secret",
            "x-ms-token",
            "password-hint",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "X-Ms-Authorization-Auxiliary",
            "Ocp-Apim-Subscription-Key",
            "x-ms-session-id",
            "X-Goog-Signature",
            "x-client-credential",
            "x-sas",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in ORDINARY_HEADERS.iter().map(|(name, _)| name) {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    /// Headers Graph and its callers use every day, with realistic values: none may be hidden.
    const ORDINARY_HEADERS: &[(&str, &str)] = &[
        ("content-type", "application/json; charset=utf-8"),
        ("client-request-id", "6f1c2a9e-3d4b-4c5d-8e9f-0a1b2c3d4e5f"),
        ("request-id", "D7A5E4C3-B2A1-4F0E-9D8C-7B6A5F4E3D2C"),
        ("user-agent", "msgraph-rust-sdk/0.1.0"),
        ("sdkversion", "graph-rust/0.1.0"),
        ("consistencylevel", "eventual"),
        ("prefer", "odata.maxpagesize=999, return=minimal"),
        ("if-match", "W/\"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc=\""),
        ("if-none-match", "\"{8B2F6E10-4D3C-4B2A-9F1E-0D9C8B7A6F5E},12\""),
        ("etag", "W/\"CQAAABYAAADbXhVw8y5wRYrjLZmDP3kdAAAUSPlq\""),
        ("keep-alive", "timeout=5"),
        ("retry-after", "30"),
        ("retry-attempt", "2"),
        ("date", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ("location", "https://graph.microsoft.com/v1.0/applications/00000000-0000-0000-0000-000000000001"),
        ("odata-version", "4.0"),
        ("x-ms-ags-diagnostic", "{\"ServerInfo\":{\"DataCenter\":\"West Europe\",\"Slice\":\"E\"}}"),
        ("x-ms-resource-unit", "1"),
        ("x-ms-throttle-limit-percentage", "0.8"),
        ("strict-transport-security", "max-age=31536000"),
        ("cache-control", "no-cache"),
        ("content-length", "1234"),
        ("accept", "application/json"),
        ("x-content-sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ];

    #[test]
    fn credential_shaped_values_are_sensitive_under_any_name() {
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl";
        for value in [
            "Bearer abc.def",
            "bearer x",
            "Basic dXNlcjpwYXNz",
            "PoP eyJhbGciOi",
            "SharedAccessSignature sr=x&sig=y&se=1",
            "sv=2024-01-01&ss=b&sig=abc%3D",
            jwt,
            &format!("\"{jwt}\""),
            "Kx7vQ2mN9pL4rT8wY1zA3bC6dE0fG5hJ2kM8nP4qR7sU",
            "Z3Vlc3M/bXkrc2VjcmV0L2tleT0xMjM0NTY3ODkwYWJjZGVm==",
        ] {
            assert!(is_credential_shaped(value.as_bytes()), "{value}");
            let header = HeaderValue::from_str(value).unwrap();
            assert!(is_sensitive_header(&HeaderName::from_static("x-harmless-name"), &header), "{value}");
        }
        for (name, value) in ORDINARY_HEADERS {
            let header = HeaderValue::from_str(value).unwrap();
            assert!(!is_sensitive_header(&HeaderName::from_static(name), &header), "{name}: {value}");
        }
        assert!(!is_safe_to_echo(jwt));
        assert!(is_safe_to_echo("x-custom"));
    }

    #[test]
    fn debug_hides_sensitive_values() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        headers.insert("x-my-token", "tok".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("x-ms-authorization-auxiliary", "Bearer aux-token".parse().unwrap());
        headers.insert("x-forwarded", "Basic dXNlcjpwYXNz".parse().unwrap());
        let text = format!("{:?}", RedactedHeaders(&headers));
        assert!(!text.contains("abc") && !text.contains("tok\""), "{text}");
        assert!(!text.contains("aux-token") && !text.contains("dXNlcjpwYXNz"), "{text}");
        assert!(text.contains("application/json"));
    }

    #[test]
    fn logged_headers_use_the_allow_list() {
        let mut headers = HeaderMap::new();
        headers.insert("x-custom", "personal".parse().unwrap());
        headers.insert("request-id", "rid".parse().unwrap());
        let text = LoggedHeaders(&headers).to_string();
        assert_eq!(text, "x-custom: REDACTED, request-id: rid");
    }

    #[test]
    fn loggable_url_redacts_free_text_queries() {
        let uri: http::Uri =
            "https://graph.microsoft.com/v1.0/users?$filter=mail%20eq%20'a'&$top=5&x=1".parse().unwrap();
        assert_eq!(loggable_url(&uri), "https://graph.microsoft.com/v1.0/users?$filter=REDACTED&$top=5&x=REDACTED");
    }
}
