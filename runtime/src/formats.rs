//! Wire formats Graph uses that serde's defaults do not read: IEEE special values written
//! as strings in `double` properties, and flag enums written as comma-separated lists.
//! Generated models refer to these through `#[serde(with = …)]` and [`Flags`]; string
//! formats (`date-time`, `uuid`, ...) are the text-keeping types of [`DateTime`] and its
//! siblings (`formats/text.rs`).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

mod text;
pub use text::{Base64Url, Date, DateTime, Duration, FormatError, TimeOfDay, Uuid};

/// A generated string enum: known values plus `Unknown(String)` for the others.
pub trait StringEnum: for<'a> From<&'a str> {
    /// The exact wire spelling.
    fn as_str(&self) -> &str;
}

/// The values of a flag enum (`x-ms-enum-flags`), written by Graph as one string with the
/// values separated by commas: `"ConnectorDataStore,Escrows"`. Order is kept; values the
/// SDK does not know are kept as `Unknown`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags<T>(pub Vec<T>);

impl<T> Flags<T> {
    /// The values, in wire order.
    pub fn values(&self) -> &[T] {
        &self.0
    }
}

impl<T: PartialEq> Flags<T> {
    /// Whether `value` is set.
    pub fn contains(&self, value: &T) -> bool {
        self.0.contains(value)
    }
}

impl<T> From<Vec<T>> for Flags<T> {
    fn from(values: Vec<T>) -> Self {
        Flags(values)
    }
}

impl<T> From<T> for Flags<T> {
    fn from(value: T) -> Self {
        Flags(vec![value])
    }
}

impl<T> FromIterator<T> for Flags<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Flags(iter.into_iter().collect())
    }
}

impl<T: StringEnum> Serialize for Flags<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let joined: Vec<&str> = self.0.iter().map(StringEnum::as_str).collect();
        serializer.serialize_str(&joined.join(","))
    }
}

impl<'de, T: StringEnum> Deserialize<'de> for Flags<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Flags(text.split(',').map(str::trim).filter(|v| !v.is_empty()).map(T::from).collect()))
    }
}

/// `f64` that also reads Graph's `"NaN"`, `"INF"` and `"-INF"` strings (and writes them for
/// non-finite values). Use as `#[serde(with = "msgraph_runtime::formats::double")]`.
pub mod double {
    use super::*;

    /// Writes finite values as numbers and the special values as Graph's strings.
    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_nan() {
            serializer.serialize_str("NaN")
        } else if value.is_infinite() {
            serializer.serialize_str(if *value > 0.0 { "INF" } else { "-INF" })
        } else {
            serializer.serialize_f64(*value)
        }
    }

    /// Reads a number, or one of `"NaN"`, `"INF"`, `"-INF"` (also `"Infinity"`, `"-Infinity"`).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(DoubleVisitor)
    }
}

/// `Option<f64>` counterpart of [`double`]; `null` and absence are `None`.
pub mod double_opt {
    use super::*;

    /// See [`double::serialize`].
    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::double::serialize(v, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// See [`double::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
        deserializer.deserialize_option(OptionalDouble)
    }

    struct OptionalDouble;

    impl<'de> Visitor<'de> for OptionalDouble {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, \"NaN\", \"INF\", \"-INF\" or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            super::double::deserialize(deserializer).map(Some)
        }
    }
}

/// [`Nullable<f64>`](crate::Nullable) counterpart of [`double`]: `null` is `Null`, absence
/// is `Absent` (with `#[serde(default)]`).
pub mod double_nullable {
    use super::*;
    use crate::Nullable;

    /// See [`double::serialize`]; `Null` (and `Absent`, where written) is `null`.
    pub fn serialize<S: Serializer>(value: &Nullable<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        super::double_opt::serialize(&value.as_ref().copied(), serializer)
    }

    /// See [`double::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Nullable<f64>, D::Error> {
        Ok(match super::double_opt::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

struct DoubleVisitor;

impl<'de> Visitor<'de> for DoubleVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, \"NaN\", \"INF\" or \"-INF\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "INF" | "Infinity" => Ok(f64::INFINITY),
            "-INF" | "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other.parse::<f64>().map_err(|_| E::invalid_value(de::Unexpected::Str(other), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(with = "double")]
        x: f64,
        #[serde(with = "double_opt", default, skip_serializing_if = "Option::is_none")]
        y: Option<f64>,
    }

    #[test]
    fn doubles_read_graph_special_values_and_write_them_back() {
        let s: Sample = serde_json::from_str(r#"{"x":"NaN","y":"-INF"}"#).unwrap();
        assert!(s.x.is_nan());
        assert_eq!(s.y, Some(f64::NEG_INFINITY));
        assert_eq!(serde_json::to_string(&Sample { x: f64::INFINITY, y: None }).unwrap(), r#"{"x":"INF"}"#);
        let s: Sample = serde_json::from_str(r#"{"x":1.5,"y":null}"#).unwrap();
        assert_eq!(s, Sample { x: 1.5, y: None });
        let s: Sample = serde_json::from_str(r#"{"x":2}"#).unwrap();
        assert_eq!(s.x, 2.0);
        assert!(serde_json::from_str::<Sample>(r#"{"x":"lots"}"#).is_err());
    }

    #[derive(Debug, PartialEq)]
    enum Scope {
        Full,
        Escrows,
        Unknown(String),
    }

    impl From<&str> for Scope {
        fn from(v: &str) -> Self {
            match v {
                "Full" => Scope::Full,
                "Escrows" => Scope::Escrows,
                other => Scope::Unknown(other.to_owned()),
            }
        }
    }

    impl StringEnum for Scope {
        fn as_str(&self) -> &str {
            match self {
                Scope::Full => "Full",
                Scope::Escrows => "Escrows",
                Scope::Unknown(v) => v,
            }
        }
    }

    #[test]
    fn flags_round_trip_as_comma_separated_text() {
        let flags: Flags<Scope> = serde_json::from_str(r#""Full, Escrows,New""#).unwrap();
        assert_eq!(flags.0, vec![Scope::Full, Scope::Escrows, Scope::Unknown("New".into())]);
        assert!(flags.contains(&Scope::Escrows));
        assert_eq!(serde_json::to_string(&flags).unwrap(), r#""Full,Escrows,New""#);
        let empty: Flags<Scope> = serde_json::from_str(r#""""#).unwrap();
        assert!(empty.values().is_empty());
    }
}
