//! The acquireAccessToken fragment of the real document, for the progenitor peer of the
//! compile benchmark: the two paths, every component they reference (transitively) and
//! the document's header, verbatim, as JSON.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::Result;

/// Path suffix of the two operations.
pub const SUFFIX: &str = "/synchronization/microsoft.graph.acquireAccessToken";

/// Every `$ref` string under `value`.
pub fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => {
                        out.insert(target.clone());
                    }
                    _ => refs(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

/// The fragment of `tree`: paths ending in `suffix` and the closure of their references
/// (`#/components/<kind>/<name>` only).
pub fn fragment(tree: &Value, suffix: &str) -> Result<Value> {
    let paths = tree.get("paths").and_then(Value::as_object).ok_or("the document has no paths")?;
    let selected: Map<String, Value> =
        paths.iter().filter(|(path, _)| path.ends_with(suffix)).map(|(p, v)| (p.clone(), v.clone())).collect();
    if selected.is_empty() {
        return Err(format!("no path ends with {suffix}"));
    }
    let mut pending = BTreeSet::new();
    refs(&Value::Object(selected.clone()), &mut pending);
    let mut done = BTreeSet::new();
    let mut components: Map<String, Value> = Map::new();
    while let Some(target) = pending.pop_first() {
        if !done.insert(target.clone()) {
            continue;
        }
        let parts: Vec<&str> = target.trim_start_matches("#/").split('/').collect();
        let [kind_root, kind, name] = parts[..] else {
            return Err(format!("unsupported $ref {target}"));
        };
        if kind_root != "components" {
            return Err(format!("unsupported $ref {target}"));
        }
        let item = tree
            .pointer(&format!("/components/{kind}/{}", name.replace('~', "~0").replace('/', "~1")))
            .ok_or_else(|| format!("unresolved $ref {target}"))?;
        refs(item, &mut pending);
        let section = components.entry(kind.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(section) = section {
            section.insert(name.to_owned(), item.clone());
        }
    }
    let mut out = Map::new();
    for key in ["openapi", "info", "servers"] {
        if let Some(value) = tree.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    out.insert("paths".to_owned(), Value::Object(selected));
    out.insert("components".to_owned(), Value::Object(components));
    Ok(Value::Object(out))
}

/// The minimal adaptations for generators that refuse Graph's idioms: the `2XX` response
/// key becomes `204` (what the service answers), and `additionalProperties: {type: object}`
/// (which Graph puts on every object schema) is removed.
pub fn adapt(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(responses) = map.get_mut("responses").and_then(Value::as_object_mut)
                && let Some(success) = responses.shift_remove("2XX")
            {
                responses.insert("204".to_owned(), success);
            }
            if map.get("additionalProperties") == Some(&serde_json::json!({ "type": "object" })) {
                map.shift_remove("additionalProperties");
            }
            map.values_mut().for_each(adapt);
        }
        Value::Array(items) => items.iter_mut().for_each(adapt),
        _ => {}
    }
}

/// `fragment OUT.json [--adapted]`: writes the fragment of `openapi/Applications.yml`
/// (with [`adapt`] applied when `adapted`).
pub fn write(root: &Path, out: &Path, adapted: bool) -> Result<()> {
    let path = root.join("openapi/Applications.yml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let tree = msgraph_codegen::load::parse_tree(&text, "openapi/Applications.yml").map_err(|e| e.to_string())?;
    let mut fragment = fragment(&tree, SUFFIX)?;
    if adapted {
        adapt(&mut fragment);
    }
    let json = serde_json::to_string_pretty(&fragment).map_err(|e| e.to_string())?;
    std::fs::write(out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    let count =
        |kind: &str| fragment.pointer(&format!("/components/{kind}")).and_then(Value::as_object).map_or(0, Map::len);
    println!(
        "paths={} schemas={} responses={}",
        fragment["paths"].as_object().map_or(0, Map::len),
        count("schemas"),
        count("responses")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn takes_the_reference_closure() {
        let tree = json!({
            "openapi": "3.0.4",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/a/x/act": { "post": { "responses": { "default": { "$ref": "#/components/responses/error" } } } },
                "/b": { "get": { "$ref": "#/components/schemas/unused" } }
            },
            "components": {
                "responses": { "error": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/E" } } } } },
                "schemas": {
                    "E": { "properties": { "inner": { "$ref": "#/components/schemas/I" } } },
                    "I": { "properties": { "self": { "$ref": "#/components/schemas/I" } } },
                    "unused": {}
                }
            }
        });
        let out = fragment(&tree, "/x/act").unwrap();
        assert_eq!(out["paths"].as_object().unwrap().len(), 1);
        let schemas: Vec<&String> = out["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(schemas, ["E", "I"]);
        assert!(out["components"]["responses"]["error"].is_object());
        assert!(fragment(&tree, "/nothing").is_err());
    }

    #[test]
    fn adaptation_renames_2xx_and_drops_open_objects() {
        let mut doc = json!({
            "paths": { "/x": { "post": { "responses": { "2XX": { "description": "Success" }, "default": {} } } } },
            "components": { "schemas": { "A": { "type": "object", "additionalProperties": { "type": "object" } },
                                         "B": { "additionalProperties": { "type": "string" } } } }
        });
        adapt(&mut doc);
        assert!(doc.pointer("/paths/~1x/post/responses/204").is_some());
        assert!(doc.pointer("/paths/~1x/post/responses/2XX").is_none());
        assert!(doc.pointer("/components/schemas/A/additionalProperties").is_none());
        assert!(doc.pointer("/components/schemas/B/additionalProperties").is_some());
    }
}
