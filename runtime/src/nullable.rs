//! [`Nullable`]: a property that may be absent, `null`, or a value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A property of a Graph object in three states: left out of the JSON ([`Absent`]), written
/// as `null` ([`Null`]), or holding a value ([`Value`]).
///
/// Graph tells the three apart. A PATCH that leaves a property out leaves it unchanged,
/// while `"logoutUrl": null` clears it; a response says `"deletedDateTime": null` where an
/// object was never deleted. `Option<T>` has room for two states, so a model built on it
/// writes back a `null` it read as a missing key, and a typed PATCH can clear nothing.
/// Every property of a generated model that the schema does not require is a `Nullable`,
/// so reading a Graph payload and writing it again gives the same JSON.
///
/// Reading works like `Option`: [`as_ref`](Self::as_ref), [`as_deref`](Self::as_deref),
/// [`value`](Self::value) and [`into_option`](Self::into_option) give `Option`s, where
/// `null` and absence are both `None`; [`is_null`](Self::is_null) and
/// [`is_absent`](Self::is_absent) tell them apart.
///
/// ```
/// use msgraph_runtime::Nullable;
///
/// let url: Nullable<String> = Nullable::Null;
/// assert!(url.is_null() && url.as_deref().is_none());
/// let url: Nullable<String> = "https://example.com/logout".to_owned().into();
/// assert_eq!(url.as_deref(), Some("https://example.com/logout"));
/// ```
///
/// [`Absent`]: Nullable::Absent
/// [`Null`]: Nullable::Null
/// [`Value`]: Nullable::Value
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Nullable<T> {
    /// Not in the JSON: unchanged by a PATCH, not sent by Graph. (The default.)
    #[default]
    Absent,
    /// `null` in the JSON: cleared by a PATCH, or no value in a response.
    Null,
    /// A value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the property is left out. Generated models skip such properties when writing
    /// (`skip_serializing_if = "Nullable::is_absent"`).
    pub const fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// Whether the property is an explicit `null`.
    pub const fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// Whether the property holds a value.
    pub const fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// The value, by reference; `None` for `null` and for absence.
    pub const fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, mutably; `None` for `null` and for absence.
    pub fn as_mut(&mut self) -> Option<&mut T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, by reference (the same as [`as_ref`](Self::as_ref)).
    pub const fn value(&self) -> Option<&T> {
        self.as_ref()
    }

    /// The value; `None` for `null` and for absence.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, dereferenced: `Option<&str>` for a `Nullable<String>`, `Option<&[T]>` for a
    /// `Nullable<Vec<T>>`.
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|value| &**value)
    }

    /// The value, or `T::default()` for `null` and for absence.
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.into_option().unwrap_or_default()
    }

    /// Maps the value, keeping `null` and absence as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(value) => Nullable::Value(f(value)),
        }
    }

    /// The value, mutably, first setting it to `f()` unless it holds one.
    pub fn get_or_insert_with(&mut self, f: impl FnOnce() -> T) -> &mut T {
        if !self.is_value() {
            *self = Nullable::Value(f());
        }
        match self {
            Nullable::Value(value) => value,
            // Just set above.
            _ => unreachable!("a value was just stored"),
        }
    }

    /// Takes the value out, leaving the property absent.
    pub fn take(&mut self) -> Nullable<T> {
        std::mem::take(self)
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

/// Writes `null` for [`Nullable::Null`], and also for [`Nullable::Absent`] where it is
/// written at all (generated models skip absent properties).
impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => serializer.serialize_some(value),
            _ => serializer.serialize_none(),
        }
    }
}

/// Reads `null` as [`Nullable::Null`] and anything else as a value. A missing property is
/// [`Nullable::Absent`] through `#[serde(default)]`, which generated models carry.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Body {
        #[serde(skip_serializing_if = "Nullable::is_absent")]
        a: Nullable<String>,
        #[serde(skip_serializing_if = "Nullable::is_absent")]
        b: Nullable<Vec<u8>>,
    }

    #[test]
    fn the_three_states_round_trip() {
        for text in [r#"{}"#, r#"{"a":null}"#, r#"{"a":"x","b":null}"#, r#"{"a":"x","b":[1]}"#] {
            let body: Body = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&body).unwrap(), text);
        }
        let body: Body = serde_json::from_str(r#"{"a":null}"#).unwrap();
        assert_eq!(body.a, Nullable::Null);
        assert_eq!(body.b, Nullable::Absent);
    }

    #[test]
    fn reading_is_like_option() {
        let mut v = Nullable::Value(String::from("x"));
        assert_eq!(v.as_deref(), Some("x"));
        assert_eq!(v.as_ref().map(String::len), Some(1));
        v.as_mut().unwrap().push('y');
        assert_eq!(v.clone().into_option().as_deref(), Some("xy"));
        assert_eq!(v.take(), Nullable::Value("xy".into()));
        assert!(v.is_absent());
        let mut n: Nullable<Vec<u8>> = Nullable::Null;
        n.get_or_insert_with(Vec::new).push(1);
        assert_eq!(n, Nullable::Value(vec![1]));
        assert_eq!(Nullable::<Vec<u8>>::Null.unwrap_or_default(), Vec::<u8>::new());
        assert_eq!(Nullable::Value(2).map(|v| v * 2), Nullable::Value(4));
    }
}
