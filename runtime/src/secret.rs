//! A string that must never be shown.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a [`Secret`] serializes as inside a redaction scope, and what `Debug` shows.
pub(crate) const REDACTED: &str = "<redacted>";

/// A string value that must never be shown: passwords, client secrets, tokens.
///
/// * `Debug` prints `Secret("<redacted>")`; there is deliberately no `Display`.
/// * `Serialize` writes the real value, because the value has to reach the service, except
///   while a body is being rendered for a what-if preview
///   ([`Call::json_body_redacted`](crate::Call::json_body_redacted)), where it writes
///   `"<redacted>"`.
/// * `Deserialize` is transparent (a plain JSON string).
/// * [`Secret::expose_secret`] is the single, greppable way to read the value.
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Returns the real value. Callers take responsibility for not printing it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// True when the wrapped value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&REDACTED).finish()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SECRETS_SERIALIZED.with(|count| count.set(count.get().saturating_add(1)));
        if REDACTION_DEPTH.with(Cell::get) > 0 {
            return serializer.serialize_str(REDACTED);
        }
        if !TRACKING.with(Cell::get) {
            return serializer.serialize_str(&self.0);
        }
        // Inside `serialize_json`: note where the value landed in the output, so that a
        // redacted rendering can be derived from the output without serializing again.
        let start = WRITTEN.with(Cell::get);
        let result = serializer.serialize_str(&self.0);
        let end = WRITTEN.with(Cell::get);
        SPANS.with(|spans| spans.borrow_mut().push(start..end));
        result
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

// Serialization is synchronous, so a thread-local scope is exact: it covers precisely the
// `serde_json` call made inside `redacted`, and nothing running on other threads or tasks.
thread_local! {
    static REDACTION_DEPTH: Cell<u32> = const { Cell::new(0) };
    static SECRETS_SERIALIZED: Cell<u64> = const { Cell::new(0) };
    /// Set while `serialize_json` runs; `WRITTEN` is then the length of its output so far and
    /// `SPANS` the byte ranges the secrets were written to.
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static WRITTEN: Cell<usize> = const { Cell::new(0) };
    static SPANS: RefCell<Vec<Range<usize>>> = const { RefCell::new(Vec::new()) };
}

/// Restores the previous depth even if the serializer panics, so a panic cannot leave the
/// thread permanently redacting (which would silently send "<redacted>" to the service).
struct DepthGuard;

impl Drop for DepthGuard {
    fn drop(&mut self) {
        REDACTION_DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Runs `f` with every [`Secret`] serializing as `"<redacted>"`.
pub(crate) fn redacted<R>(f: impl FnOnce() -> R) -> R {
    REDACTION_DEPTH.with(|depth| depth.set(depth.get().saturating_add(1)));
    let _guard = DepthGuard;
    f()
}

/// JSON produced by [`serialize_json`].
pub(crate) struct Json {
    pub(crate) bytes: Vec<u8>,
    /// The ranges of `bytes` holding the serialized [`Secret`] values (quotes included), when
    /// every secret was found as one JSON string of its own in the output; `None` when some
    /// secret was serialized in another way (for instance buffered by serde), in which case
    /// only serializing again with [`redacted`] gives a redacted rendering.
    pub(crate) secrets: Option<Vec<Range<usize>>>,
}

/// Counts what is written, for `Secret::serialize` to read.
struct Tracked(Vec<u8>);

impl io::Write for Tracked {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.extend_from_slice(buf);
        WRITTEN.with(|written| written.set(self.0.len()));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Ends tracking even if the serializer panics, so a panic cannot leave the thread tracking.
struct TrackingGuard;

impl Drop for TrackingGuard {
    fn drop(&mut self) {
        TRACKING.with(|tracking| tracking.set(false));
        SPANS.with(|spans| spans.borrow_mut().clear());
    }
}

/// Serializes `value` as JSON (`serde_json::to_vec`), noting where each [`Secret`] went.
pub(crate) fn serialize_json<T: Serialize + ?Sized>(value: &T) -> Result<Json, serde_json::Error> {
    if TRACKING.with(Cell::get) || REDACTION_DEPTH.with(Cell::get) > 0 {
        // Called from inside another serialization: serialize plainly.
        let bytes = serde_json::to_vec(value)?;
        return Ok(Json { bytes, secrets: None });
    }
    let before = SECRETS_SERIALIZED.with(Cell::get);
    WRITTEN.with(|written| written.set(0));
    SPANS.with(|spans| spans.borrow_mut().clear());
    TRACKING.with(|tracking| tracking.set(true));
    let _guard = TrackingGuard;
    let mut out = Tracked(Vec::with_capacity(128));
    serde_json::to_writer(&mut out, value)?;
    let count = SECRETS_SERIALIZED.with(Cell::get).wrapping_sub(before);
    let bytes = out.0;
    if count == 0 {
        return Ok(Json { bytes, secrets: Some(Vec::new()) });
    }
    let spans = SPANS.with(|spans| std::mem::take(&mut *spans.borrow_mut()));
    // Every secret must be accounted for, each as a whole JSON string written while its
    // `serialize` ran; anything else falls back to a second, redacted serialization.
    let exact = spans.len() as u64 == count && are_whole_strings(&bytes, &spans);
    Ok(Json { bytes, secrets: exact.then_some(spans) })
}

/// Whether `spans` are, in order and without overlap, ranges of `json` that each hold one
/// whole JSON string (quotes included).
fn are_whole_strings(json: &[u8], spans: &[Range<usize>]) -> bool {
    let mut previous_end = 0;
    spans.iter().all(|span| {
        let whole_string = span.start >= previous_end
            && span.end >= span.start + 2
            && json.get(span.start) == Some(&b'"')
            && json.get(span.end - 1) == Some(&b'"');
        previous_end = span.end;
        whole_string
    })
}

/// `json` with each of the `secrets` ranges replaced by `"<redacted>"`: what serializing the
/// same value inside [`redacted`] produces. `None` if the ranges do not fit `json` (the body
/// changed after it was serialized), so that a mismatch can never show a secret.
pub(crate) fn redact_spans(json: &[u8], secrets: &[Range<usize>]) -> Option<Vec<u8>> {
    if !are_whole_strings(json, secrets) {
        return None;
    }
    let mut out = Vec::with_capacity(json.len());
    let mut copied = 0;
    for span in secrets {
        out.extend_from_slice(&json[copied..span.start]);
        out.push(b'"');
        out.extend_from_slice(REDACTED.as_bytes());
        out.push(b'"');
        copied = span.end;
    }
    out.extend_from_slice(&json[copied..]);
    Some(out)
}

/// Runs `f` and reports how many [`Secret`] values it serialized.
#[cfg(test)]
pub(crate) fn count_secrets<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = SECRETS_SERIALIZED.with(Cell::get);
    let result = f();
    let after = SECRETS_SERIALIZED.with(Cell::get);
    (result, after.wrapping_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Body {
        name: &'static str,
        password: Secret,
    }

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::from("hunter2");
        assert_eq!(format!("{secret:?}"), r#"Secret("<redacted>")"#);
        assert!(!format!("{secret:#?}").contains("hunter2"));
    }

    #[test]
    fn serializes_the_value_outside_a_scope_and_redacts_inside() {
        let body = Body { name: "x", password: Secret::from("hunter2") };
        let plain = serde_json::to_string(&body).unwrap();
        assert_eq!(plain, r#"{"name":"x","password":"hunter2"}"#);
        let hidden = redacted(|| serde_json::to_string(&body)).unwrap();
        assert_eq!(hidden, r#"{"name":"x","password":"<redacted>"}"#);
        // The scope ends with the closure.
        assert_eq!(serde_json::to_string(&body).unwrap(), plain);
    }

    #[test]
    fn nested_scopes_and_counting() {
        let body = Body { name: "x", password: Secret::from("p") };
        let (text, count) = count_secrets(|| redacted(|| redacted(|| serde_json::to_string(&body))));
        assert_eq!(count, 1);
        assert!(text.unwrap().contains(REDACTED));
        assert_eq!(REDACTION_DEPTH.with(Cell::get), 0);
    }

    /// The redacted rendering derived from `serialize_json`, or `None` if it fell back.
    fn derived<T: Serialize>(value: &T) -> Option<String> {
        let json = serialize_json(value).unwrap();
        assert_eq!(json.bytes, serde_json::to_vec(value).unwrap(), "tracking must not change the output");
        let secrets = json.secrets?;
        Some(String::from_utf8(redact_spans(&json.bytes, &secrets).unwrap()).unwrap())
    }

    fn twice_serialized<T: Serialize>(value: &T) -> String {
        redacted(|| serde_json::to_string(value)).unwrap()
    }

    #[test]
    fn located_secrets_give_the_same_redaction_as_a_second_serialization() {
        #[derive(Serialize)]
        struct Pair {
            key: &'static str,
            value: Secret,
        }
        #[derive(Serialize)]
        struct Outer {
            credentials: Vec<Pair>,
            note: &'static str,
            extra: std::collections::BTreeMap<String, Secret>,
        }
        let body = Outer {
            credentials: vec![
                Pair { key: "a", value: Secret::from("plain") },
                Pair { key: "b", value: Secret::from("with \"quotes\", \\ and \u{1}\u{e9}") },
                Pair { key: "c", value: Secret::from("") },
            ],
            note: "\"<redacted>\"",
            extra: [("k".to_owned(), Secret::from("v"))].into_iter().collect(),
        };
        let derived = derived(&body).expect("every secret located");
        assert_eq!(derived, twice_serialized(&body));
        assert!(!derived.contains("plain") && !derived.contains("quotes"), "{derived}");
        // No secret at all: nothing to locate.
        assert_eq!(serialize_json(&("x", 1)).unwrap().secrets, Some(Vec::new()));
        assert!(!TRACKING.with(Cell::get));
    }

    #[test]
    fn ranges_that_do_not_fit_the_body_redact_nothing() {
        let json = serde_json::to_vec(&serde_json::json!({"value": "s3cr3t"})).unwrap();
        let at = json.iter().position(|&b| b == b's').unwrap() - 1;
        let whole = at..at + "\"s3cr3t\"".len();
        assert_eq!(redact_spans(&json, std::slice::from_ref(&whole)).unwrap(), br#"{"value":"<redacted>"}"#);
        // Out of bounds, not a whole string, overlapping, out of order: refused, not guessed.
        for bad in [
            vec![Range { start: at, end: json.len() + 4 }],
            vec![Range { start: at + 1, end: whole.end }],
            vec![whole.clone(), whole.start + 1..whole.end],
            vec![whole.clone(), 0..2],
        ] {
            assert_eq!(redact_spans(&json, &bad), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_as_map_keys_are_located_too() {
        let map: std::collections::HashMap<Secret, u8> = [(Secret::from("key-secret"), 1)].into_iter().collect();
        let derived = derived(&map).expect("located");
        assert_eq!(derived, twice_serialized(&map));
        assert!(!derived.contains("key-secret"));
    }

    #[test]
    fn tagged_and_flattened_secrets_are_located_exactly_or_fall_back() {
        // serde's less direct paths (tagged enums, flattening): whatever route the value takes,
        // either it is located exactly or the caller falls back to serializing again.
        #[derive(Serialize)]
        #[serde(tag = "type")]
        enum Tagged {
            Password { secret: Secret },
        }
        #[derive(Serialize)]
        struct Flattened {
            id: u8,
            #[serde(flatten)]
            rest: std::collections::BTreeMap<String, Tagged>,
        }
        let tagged = Tagged::Password { secret: Secret::from("tagged-secret") };
        let json = serialize_json(&tagged).unwrap();
        assert!(String::from_utf8_lossy(&json.bytes).contains("tagged-secret"));
        if let Some(secrets) = &json.secrets {
            // Only acceptable if the secret was located exactly.
            assert_eq!(
                String::from_utf8(redact_spans(&json.bytes, secrets).unwrap()).unwrap(),
                twice_serialized(&tagged)
            );
        }
        let flattened = Flattened {
            id: 1,
            rest: [("x".to_owned(), Tagged::Password { secret: Secret::from("flat-secret") })].into_iter().collect(),
        };
        if let Some(derived) = derived(&flattened) {
            assert_eq!(derived, twice_serialized(&flattened));
        }
    }

    #[test]
    fn a_secret_serialized_elsewhere_during_tracking_is_not_trusted() {
        // A custom impl that renders a secret into a string of its own and writes that.
        struct Indirect(Secret);
        impl Serialize for Indirect {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let inner = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&inner)
            }
        }
        let value = Indirect(Secret::from("indirect-secret"));
        assert!(serialize_json(&value).unwrap().secrets.is_none());
    }

    #[test]
    fn nested_and_panicking_serializations_leave_no_tracking_behind() {
        struct Nested(Secret);
        impl Serialize for Nested {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let inner = serialize_json(&self.0).map_err(serde::ser::Error::custom)?;
                if TRACKING.with(Cell::get) {
                    assert!(inner.secrets.is_none(), "nested calls serialize plainly");
                }
                self.0.serialize(serializer)
            }
        }
        let nested = Nested(Secret::from("n"));
        assert_eq!(derived(&nested).as_deref(), None);
        struct Panics;
        impl Serialize for Panics {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                panic!("boom")
            }
        }
        assert!(std::panic::catch_unwind(|| serialize_json(&(Secret::from("p"), Panics))).is_err());
        assert!(!TRACKING.with(Cell::get));
        assert!(SPANS.with(|spans| spans.borrow().is_empty()));
        let body = Body { name: "x", password: Secret::from("after") };
        assert_eq!(derived(&body), Some(twice_serialized(&body)));
    }

    proptest::proptest! {
        #[test]
        fn any_secret_value_is_located_and_redacted(value in proptest::prelude::any::<String>(), name in "[a-z\"\\\\]{0,8}") {
            #[derive(Serialize)]
            struct Shape {
                name: String,
                secret: Secret,
                list: Vec<Secret>,
            }
            let shape = Shape { name, secret: Secret::from(value.as_str()), list: vec![Secret::from(value.as_str()); 2] };
            let derived = derived(&shape);
            proptest::prop_assert_eq!(derived, Some(twice_serialized(&shape)));
        }
    }

    #[test]
    fn deserializes_transparently() {
        let secret: Secret = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(secret.expose_secret(), "abc");
        assert_eq!(secret, Secret::new("abc"));
        assert!(Secret::default().is_empty());
    }
}
