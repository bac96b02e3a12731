//! Which header values may be shown, and helpers that show headers safely.

use std::fmt;

use http::{HeaderMap, HeaderName};

use crate::secret::REDACTED;

/// Headers whose value is a credential, by exact name.
const SENSITIVE_NAMES: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];
/// Headers whose value is a credential, by a part of the name (`x-api-key`, `x-ms-token-aad`…).
const SENSITIVE_PARTS: &[&str] = &["secret", "token", "key", "password"];

/// True when the value of header `name` must never be shown (Debug, what-if, errors).
pub(crate) fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAMES.contains(&name.as_str()) || SENSITIVE_PARTS.iter().any(|part| name.contains(part))
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
            if is_sensitive(name.as_str()) || value.is_sensitive() {
                map.entry(&name.as_str(), &REDACTED);
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
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
            if is_log_allowed(name) && !value.is_sensitive() {
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
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["content-type", "client-request-id", "user-agent", "consistencylevel", "keep-alive"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }

    #[test]
    fn debug_hides_sensitive_values() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        headers.insert("x-my-token", "tok".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let text = format!("{:?}", RedactedHeaders(&headers));
        assert!(!text.contains("abc") && !text.contains("tok\""), "{text}");
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
