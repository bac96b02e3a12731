//! A read-only view of one schema node of the generic tree, with its JSON pointer.
//!
//! Schemas are read from the generic tree rather than from `openapiv3::Schema`: the
//! tree keeps every keyword (including the `x-ms-*` extensions Graph relies on) in one
//! shape whatever the keyword mix, and every node knows where it is.

use serde_json::Value;

use crate::diagnostics::pointer;

/// A schema node and its JSON pointer.
#[derive(Clone, Copy, Debug)]
pub struct SchemaView<'a> {
    /// The node.
    pub node: &'a Value,
    /// Its pointer.
    pub at: &'a str,
}

/// Prefix of component schema references.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

impl<'a> SchemaView<'a> {
    /// View of `node` at `at`.
    pub fn new(node: &'a Value, at: &'a str) -> Self {
        SchemaView { node, at }
    }

    /// The component schema this node refers to (`$ref: '#/components/schemas/X'` → `X`).
    pub fn component_ref(&self) -> Option<String> {
        self.str("$ref").and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX)).map(unescape)
    }

    /// A `$ref` that is not to a component schema.
    pub fn other_ref(&self) -> Option<&'a str> {
        self.str("$ref").filter(|r| !r.starts_with(SCHEMA_REF_PREFIX))
    }

    /// A string keyword.
    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.node.get(key).and_then(Value::as_str)
    }

    /// `type`.
    pub fn ty(&self) -> Option<&'a str> {
        self.str("type")
    }

    /// `format`.
    pub fn format(&self) -> Option<&'a str> {
        self.str("format")
    }

    /// `nullable: true`.
    pub fn nullable(&self) -> bool {
        self.node.get("nullable").and_then(Value::as_bool).unwrap_or(false)
    }

    /// `description`, else `title`, trimmed.
    pub fn docs(&self) -> String {
        self.str("description").or_else(|| self.str("title")).unwrap_or("").trim().to_owned()
    }

    /// `properties` in document order, each with its pointer.
    pub fn properties(&self) -> Vec<(&'a str, &'a Value, String)> {
        match self.node.get("properties").and_then(Value::as_object) {
            Some(map) => map
                .iter()
                .map(|(name, schema)| (name.as_str(), schema, pointer(self.at, &["properties", name])))
                .collect(),
            None => Vec::new(),
        }
    }

    /// `required` names.
    pub fn required(&self) -> Vec<&'a str> {
        match self.node.get("required").and_then(Value::as_array) {
            Some(items) => items.iter().filter_map(Value::as_str).collect(),
            None => Vec::new(),
        }
    }

    /// Members of a composition keyword (`allOf`, `anyOf`, `oneOf`) with their pointers.
    pub fn members(&self, keyword: &str) -> Vec<(&'a Value, String)> {
        match self.node.get(keyword).and_then(Value::as_array) {
            Some(items) => {
                items.iter().enumerate().map(|(i, m)| (m, pointer(self.at, &[keyword, &i.to_string()]))).collect()
            }
            None => Vec::new(),
        }
    }

    /// `items` of an array schema.
    pub fn items(&self) -> Option<(&'a Value, String)> {
        self.node.get("items").map(|items| (items, pointer(self.at, &["items"])))
    }

    /// `enum` values, when present.
    pub fn enum_values(&self) -> Option<&'a Vec<Value>> {
        self.node.get("enum").and_then(Value::as_array)
    }

    /// Whether unknown keys are allowed: anything but `additionalProperties: false`.
    pub fn allows_additional_properties(&self) -> bool {
        !matches!(self.node.get("additionalProperties"), Some(Value::Bool(false)))
    }

    /// Whether the node says nothing beyond "may be null" (`{type: object, nullable: true}`
    /// in Graph's `anyOf` wrappers): such a member only makes the union nullable.
    pub fn is_null_placeholder(&self) -> bool {
        let Some(map) = self.node.as_object() else { return false };
        self.nullable()
            && map.keys().all(|k| matches!(k.as_str(), "type" | "nullable" | "description" | "title"))
            && matches!(self.ty(), None | Some("object"))
    }

    /// Whether the node has object structure (properties, allOf) that becomes a struct;
    /// an object schema without either is free-form JSON.
    pub fn is_object_like(&self) -> bool {
        self.node.get("properties").is_some() || self.node.get("allOf").is_some()
    }
}

/// Undoes JSON pointer escaping of one token.
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
