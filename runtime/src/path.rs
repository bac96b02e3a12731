//! Expansion of path templates such as `/servicePrincipals/{servicePrincipal-id}/…` and
//! `/applications(appId='{appId}')`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;

/// Everything except RFC 3986 unreserved characters is encoded, so a value can never introduce
/// a `/`, `?`, `#`, `%`-escape, `(`, `)`, `'` or `,` that the server would read as syntax.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// RFC 3986 unreserved characters: exactly the bytes `COMPONENT` does not encode.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// How a placeholder sits in its template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// A whole path segment (or part of one) — `.`/`..` would be resolved away by servers
    /// and proxies, and `""` would collapse the segment.
    Plain,
    /// Inside OData single quotes (`'{appId}'`): the value is an OData string literal.
    Quoted,
}

/// The first position of `byte` in `text`. Templates are short: a plain scan beats the setup
/// of `memchr`.
fn find(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

/// Placements of every occurrence of `{name}` in `template`.
fn placements<'a>(template: &'a str, name: &'a str) -> impl Iterator<Item = Placement> + 'a {
    let bytes = template.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let start = from + find(&template[from..], b'{')?;
            from = start + 1;
            let Some(after) = template[start + 1..].strip_prefix(name).and_then(|rest| rest.strip_prefix('}')) else {
                continue;
            };
            let end = template.len() - after.len();
            let quoted = start > 0 && bytes[start - 1] == b'\'' && bytes.get(end) == Some(&b'\'');
            return Some(if quoted { Placement::Quoted } else { Placement::Plain });
        }
    })
}

/// Checks a value for `{name}` without encoding it, so the error can be reported when the
/// argument is supplied rather than when the call is sent.
pub(crate) fn validate(template: &str, name: &str, value: &str) -> Result<(), Error> {
    let mut found = false;
    for placement in placements(template, name) {
        found = true;
        check(name, value, placement)?;
    }
    if !found {
        return Err(Error::invalid_argument(
            name,
            format!("the operation has no path parameter '{name}' (template: {template})"),
        ));
    }
    Ok(())
}

fn check(name: &str, value: &str, placement: Placement) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_argument(name, format!("path parameter '{name}' must not be empty")));
    }
    if placement == Placement::Plain && (value == "." || value == "..") {
        return Err(Error::invalid_argument(name, format!("path parameter '{name}' must not be '.' or '..'")));
    }
    Ok(())
}

/// Appends `value` encoded for the given placement to `out`. OData escapes a quote inside a
/// string literal by doubling it; the doubling happens before percent-encoding so the server
/// decodes to `''`.
fn encode_into(out: &mut String, name: &str, value: &str, placement: Placement) -> Result<(), Error> {
    check(name, value, placement)?;
    match placement {
        // Identifiers (GUIDs, names) are usually unreserved characters only, which `COMPONENT`
        // leaves as they are.
        Placement::Plain if value.bytes().all(is_unreserved) => out.push_str(value),
        Placement::Plain => out.extend(utf8_percent_encode(value, COMPONENT)),
        Placement::Quoted => out.extend(utf8_percent_encode(&value.replace('\'', "''"), COMPONENT)),
    }
    Ok(())
}

/// Encodes `value` as exactly one path segment.
#[cfg(test)]
pub(crate) fn encode_segment(name: &str, value: &str) -> Result<String, Error> {
    let mut out = String::new();
    encode_into(&mut out, name, value, Placement::Plain)?;
    Ok(out)
}

/// Replaces every `{name}` in `template` with its encoded value. Every placeholder must have a
/// value; text outside placeholders is copied unchanged.
#[cfg(test)]
pub(crate) fn expand(template: &str, values: &[(&'static str, String)]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 32);
    expand_into(&mut out, template, values)?;
    Ok(out)
}

/// Appends `template` to `out` with every `{name}` replaced by its encoded value. Every
/// placeholder must have a value; text outside placeholders is copied unchanged.
pub(crate) fn expand_into(out: &mut String, template: &str, values: &[(&'static str, String)]) -> Result<(), Error> {
    let start = out.len();
    let mut rest = template;
    while let Some(open) = find(rest, b'{') {
        let Some(close) = find(&rest[open..], b'}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let quoted = out[start..].ends_with('\'') && rest[close + 1..].starts_with('\'');
        let placement = if quoted { Placement::Quoted } else { Placement::Plain };
        let Some((_, value)) = values.iter().rev().find(|(n, _)| *n == name) else {
            return Err(Error::invalid_argument(name, format!("missing value for path parameter '{name}'")));
        };
        encode_into(out, name, value, placement)?;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SP: &str = "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken";

    #[test]
    fn encodes_reserved_and_non_ascii_characters() {
        let path = expand(SP, &[("servicePrincipal-id", "a/b?c#d%e f'é".to_owned())]).unwrap();
        assert_eq!(
            path,
            "/servicePrincipals/a%2Fb%3Fc%23d%25e%20f%27%C3%A9/synchronization/microsoft.graph.acquireAccessToken"
        );
    }

    #[test]
    fn refuses_empty_and_dot_segments() {
        for value in ["", ".", ".."] {
            let error = validate(SP, "servicePrincipal-id", value).unwrap_err();
            assert!(error.to_string().contains("'servicePrincipal-id'"), "{error}");
        }
        assert!(validate(SP, "servicePrincipal-id", "...").is_ok());
    }

    #[test]
    fn quoted_keys_double_quotes_and_allow_dots() {
        let template = "/applications(appId='{appId}')";
        let path = expand(template, &[("appId", "o'brien".to_owned())]).unwrap();
        assert_eq!(path, "/applications(appId='o%27%27brien')");
        assert!(validate(template, "appId", ".").is_ok());
        assert!(validate(template, "appId", "").is_err());
    }

    #[test]
    fn unknown_and_missing_parameters() {
        assert!(validate(SP, "nope", "x").unwrap_err().to_string().contains("no path parameter 'nope'"));
        let error = expand(SP, &[]).unwrap_err();
        assert_eq!(error.to_string(), "missing value for path parameter 'servicePrincipal-id'");
    }

    #[test]
    fn templates_without_placeholders_and_unbalanced_braces() {
        assert_eq!(expand("/me", &[]).unwrap(), "/me");
        assert_eq!(expand("/odd{", &[]).unwrap(), "/odd{");
    }

    #[test]
    fn unreserved_bytes_are_exactly_those_component_keeps() {
        for byte in 0..=127u8 {
            let text = char::from(byte).to_string();
            let kept = utf8_percent_encode(&text, COMPONENT).to_string() == text;
            assert_eq!(is_unreserved(byte), kept, "{byte}");
        }
    }

    proptest! {
        #[test]
        fn any_value_is_refused_or_round_trips_as_one_segment(value in any::<String>()) {
            match encode_segment("p", &value) {
                Err(_) => prop_assert!(value.is_empty() || value == "." || value == ".."),
                Ok(encoded) => {
                    prop_assert!(!encoded.contains('/'));
                    prop_assert!(!encoded.contains('?') && !encoded.contains('#'));
                    prop_assert!(encoded.is_ascii());
                    let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8();
                    prop_assert_eq!(decoded.map(|d| d.into_owned()).ok(), Some(value));
                }
            }
        }

        #[test]
        fn dot_like_values_made_of_dots_and_slashes(value in "[./]{0,4}") {
            if let Ok(encoded) = encode_segment("p", &value) {
                prop_assert!(encoded != "." && encoded != "..");
                prop_assert!(!encoded.contains('/'));
            }
        }
    }
}
