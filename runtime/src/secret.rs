//! A string that must never be shown.

use std::cell::Cell;
use std::fmt;

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
            serializer.serialize_str(REDACTED)
        } else {
            serializer.serialize_str(&self.0)
        }
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

/// Runs `f` and reports how many [`Secret`] values it serialized.
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

    #[test]
    fn deserializes_transparently() {
        let secret: Secret = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(secret.expose_secret(), "abc");
        assert_eq!(secret, Secret::new("abc"));
        assert!(Secret::default().is_empty());
    }
}
