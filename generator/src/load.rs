//! Bytes → checked text → generic JSON tree → typed OpenAPI.
//!
//! The document is parsed once into a `serde_json::Value` (YAML is a superset of JSON,
//! so JSON documents load too). Validation walks that tree, because a generic tree
//! knows every node's JSON pointer; the typed `openapiv3::OpenAPI` is then built from
//! the same tree for lowering.

use serde::Deserialize as _;
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Error};

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses a document whose bytes differ from the pinned checksum.
pub fn verify_checksum(bytes: &[u8], expected: &str, document: &str, provenance: &str) -> Result<(), Error> {
    let actual = sha256_hex(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(Error::Checksum {
            document: document.to_owned(),
            provenance: provenance.to_owned(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// Parses YAML (or JSON) text into a generic tree; syntax errors carry line and column.
///
/// YAML aliases (`*name`) repeat an anchored subtree wherever they appear, so a few kilobytes
/// can expand to billions of nodes ("billion laughs"). The tree may hold at most
/// [`expansion_budget`] nodes and string bytes: twice what the text itself can spell out.
///
/// A mapping that repeats a key (two `get:` under one path, a property listed twice) is refused
/// with the key's JSON pointer and the line:column where that mapping starts (the parser knows
/// no finer position at that point): YAML parsers keep one of the two silently, and which one
/// won would decide what the SDK does.
pub fn parse_tree(text: &str, document: &str) -> Result<serde_json::Value, Error> {
    let budget = std::cell::Cell::new(expansion_budget(text.len()));
    let path = std::cell::RefCell::new(Vec::new());
    let seed = BoundedTree { budget: &budget, limit: expansion_budget(text.len()), path: &path };
    serde::de::DeserializeSeed::deserialize(seed, yaml_serde::Deserializer::from_str(text)).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
        Error::Syntax { document: document.to_owned(), line, column, message: e.to_string() }
    })
}

/// Nodes plus string bytes a tree parsed from `len` bytes of text may hold. Without aliases a
/// document spends at most 1.5 of these per byte (`{a,b}`: per entry a key, its byte and a
/// null value, for two bytes of text), so only alias expansion can exhaust it.
pub fn expansion_budget(len: usize) -> usize {
    len.saturating_mul(2).saturating_add(1 << 20)
}

/// Builds a `serde_json::Value` exactly as its own `Deserialize` does, charging every node
/// and every string byte (keys included) to a shared budget, and refusing repeated keys.
#[derive(Clone, Copy)]
struct BoundedTree<'b> {
    budget: &'b std::cell::Cell<usize>,
    limit: usize,
    /// JSON pointer tokens (unescaped) of the node being built, for messages.
    path: &'b std::cell::RefCell<Vec<String>>,
}

impl BoundedTree<'_> {
    fn charge<E: serde::de::Error>(&self, cost: usize) -> Result<(), E> {
        match self.budget.get().checked_sub(cost.saturating_add(1)) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(format!(
                "the document expands to more than {} nodes and bytes of text; YAML aliases (`*name`) that \
                 repeat anchored content this much are not supported",
                self.limit
            ))),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for BoundedTree<'_> {
    type Value = serde_json::Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for BoundedTree<'_> {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(serde_json::Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(v.into())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(v.into())
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Self::Value, E> {
        self.charge(0)?;
        serde_json::Value::deserialize(serde::de::value::I128Deserializer::<E>::new(v))
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Self::Value, E> {
        self.charge(0)?;
        serde_json::Value::deserialize(serde::de::value::U128Deserializer::<E>::new(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.charge(v.len())?;
        Ok(serde_json::Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.charge(v.len())?;
        Ok(serde_json::Value::String(v))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(serde_json::Value::Null)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.charge(0)?;
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, deserializer)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.charge(0)?;
        let mut items = Vec::new();
        loop {
            self.path.borrow_mut().push(items.len().to_string());
            let item = seq.next_element_seed(self);
            self.path.borrow_mut().pop();
            match item? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.charge(0)?;
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.charge(key.len())?;
            if members.contains_key(&key) {
                let path = self.path.borrow();
                let tokens: Vec<&str> = path.iter().map(String::as_str).chain(std::iter::once(key.as_str())).collect();
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{key}` at #{}: a mapping may name a key once (YAML would keep only one of them)",
                    crate::diagnostics::pointer("", &tokens)
                )));
            }
            self.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(self);
            self.path.borrow_mut().pop();
            members.insert(key, value?);
        }
        Ok(serde_json::Value::Object(members))
    }
}

/// Builds the typed document from the tree; a shape error names its JSON pointer.
pub fn to_openapi(tree: &serde_json::Value, document: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(tree).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::Invalid {
            document: document.to_owned(),
            diagnostics: vec![Diagnostic::new(pointer, format!("not valid OpenAPI 3.0: {}", e.inner()))],
        }
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&crate::diagnostics::escape_token(key));
            }
            // Enum variants and unknown segments are not part of the document's shape.
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}
