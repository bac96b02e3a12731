//! Several module documents → one tree, so that lowering decides every name over the union
//! and a Graph type is one Rust type whichever module returns it.
//!
//! Each document is validated on its own first (its findings name its own pointers); this
//! step only joins validated trees:
//!
//! - `paths`: every operation keeps its place and is tagged with its module
//!   ([`MODULE_EXTENSION`]), which decides its Cargo feature and its identity type. One
//!   method of one path in two documents is an error naming both pointers.
//! - `components`: joined by full name. The pinned documents agree wherever they overlap
//!   (measured: 936 shared schemas, all byte-identical); where a future re-pin makes two
//!   copies differ, the first document's copy (documents are sorted) is kept and a warning
//!   names both pointers, so nothing changes silently.
//! - everything else (`openapi`, `info`, `servers`, `security`) comes from the first document.

use serde_json::{Map, Value};

use crate::diagnostics::{Diagnostic, pointer};
use crate::validate::METHODS;

/// Extension key that carries an operation's module (`Users`, `Identity.SignIns`) in the
/// merged tree. Only the generator writes it; a document that already has it is refused.
pub const MODULE_EXTENSION: &str = "x-msgraph-module";

/// One validated module document.
pub struct ModuleTree<'a> {
    /// The module's name (`Users`), from which its feature and identity are named.
    pub module: &'a str,
    /// The document's file name, for messages.
    pub document_name: &'a str,
    /// The document.
    pub tree: Value,
}

/// The merged tree, the warnings of the merge, or the errors that stop it (each message
/// names both documents' pointers).
pub fn merge(modules: Vec<ModuleTree<'_>>) -> Result<(Value, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut merged = Map::new();
    // Where each merged entry came from, for messages: pointer → document name.
    let mut origin: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut paths = Map::new();
    let mut components = Map::new();
    for (index, module) in modules.into_iter().enumerate() {
        let Value::Object(mut root) = module.tree else {
            errors.push(Diagnostic::new("", format!("{}: the document is not an object", module.document_name)));
            continue;
        };
        if let Some(Value::Object(items)) = root.remove("paths") {
            for (path, item) in items {
                let Value::Object(mut item) = item else { continue };
                for method in METHODS {
                    if let Some(Value::Object(op)) = item.get_mut(method) {
                        if op.contains_key(MODULE_EXTENSION) {
                            errors.push(Diagnostic::new(
                                pointer("/paths", &[&path, method, MODULE_EXTENSION]),
                                format!(
                                    "{}: `{MODULE_EXTENSION}` is the generator's own extension; a document may not set it",
                                    module.document_name
                                ),
                            ));
                        }
                        op.insert(MODULE_EXTENSION.to_owned(), Value::String(module.module.to_owned()));
                    }
                }
                join_path_item(&mut paths, &mut origin, &path, item, module.document_name, &mut errors);
            }
        }
        if let Some(Value::Object(sections)) = root.remove("components") {
            for (section, entries) in sections {
                let Value::Object(entries) = entries else { continue };
                let target = components.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(target) = target else { continue };
                for (name, value) in entries {
                    let at = pointer("/components", &[&section, &name]);
                    match target.get(&name) {
                        None => {
                            origin.insert(at, module.document_name.to_owned());
                            target.insert(name, value);
                        }
                        Some(existing) if *existing == value => {}
                        Some(_) => warnings.push(Diagnostic::new(
                            at.clone(),
                            format!(
                                "{}#{at} differs from {}#{at}; the first is kept for both modules",
                                module.document_name,
                                origin.get(&at).map(String::as_str).unwrap_or("an earlier document"),
                            ),
                        )),
                    }
                }
            }
        }
        if index == 0 {
            merged = root;
        }
    }
    merged.insert("paths".to_owned(), Value::Object(paths));
    merged.insert("components".to_owned(), Value::Object(components));
    if errors.is_empty() { Ok((Value::Object(merged), warnings)) } else { Err(errors) }
}

/// Adds one document's path item: new methods join the path, a method already there is an
/// error, and path-level keys (`parameters`, `description`) must agree.
fn join_path_item(
    paths: &mut Map<String, Value>,
    origin: &mut std::collections::BTreeMap<String, String>,
    path: &str,
    item: Map<String, Value>,
    document: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(Value::Object(existing)) = paths.get_mut(path) else {
        for key in item.keys() {
            origin.insert(pointer("/paths", &[path, key]), document.to_owned());
        }
        paths.insert(path.to_owned(), Value::Object(item));
        return;
    };
    for (key, value) in item {
        let at = pointer("/paths", &[path, &key]);
        match existing.get(&key) {
            None => {
                origin.insert(at, document.to_owned());
                existing.insert(key, value);
            }
            Some(same) if !METHODS.contains(&key.as_str()) && *same == value => {}
            Some(_) => {
                let first = origin.get(&at).map(String::as_str).unwrap_or("an earlier document");
                let what = if METHODS.contains(&key.as_str()) { "the same operation" } else { "a different value" };
                errors.push(Diagnostic::new(
                    at.clone(),
                    format!("{document}#{at} and {first}#{at} define {what}; one module must own it"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn module<'a>(module: &'a str, name: &'a str, tree: Value) -> ModuleTree<'a> {
        ModuleTree { module, document_name: name, tree }
    }

    #[test]
    fn operations_are_tagged_with_their_module_and_shared_components_are_one() {
        let user = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let a = json!({"openapi": "3.0.4", "info": {"title": "A"}, "paths": {"/users": {"get": {}}},
            "components": {"schemas": {"microsoft.graph.user": user}}});
        let b = json!({"openapi": "3.0.4", "info": {"title": "B"}, "paths": {"/users": {"post": {}}, "/me": {"get": {}}},
            "components": {"schemas": {"microsoft.graph.user": user, "microsoft.graph.message": {"type": "object"}}}});
        let (tree, warnings) = merge(vec![module("A", "A.yml", a), module("B", "B.yml", b)]).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(tree["info"]["title"], "A");
        assert_eq!(tree["paths"]["/users"]["get"][MODULE_EXTENSION], "A");
        assert_eq!(tree["paths"]["/users"]["post"][MODULE_EXTENSION], "B");
        assert_eq!(tree["paths"]["/me"]["get"][MODULE_EXTENSION], "B");
        let schemas = tree["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["microsoft.graph.user", "microsoft.graph.message"]);
    }

    #[test]
    fn an_operation_in_two_documents_is_an_error_naming_both() {
        let a = json!({"paths": {"/users": {"get": {"operationId": "a"}}}});
        let b = json!({"paths": {"/users": {"get": {"operationId": "b"}}}});
        let errors = merge(vec![module("A", "A.yml", a), module("B", "B.yml", b)]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/paths/~1users/get");
        assert!(errors[0].message.contains("B.yml#/paths/~1users/get"), "{}", errors[0].message);
        assert!(errors[0].message.contains("A.yml#/paths/~1users/get"), "{}", errors[0].message);
    }

    #[test]
    fn differing_copies_of_a_component_keep_the_first_and_warn_naming_both() {
        let a = json!({"components": {"schemas": {"x": {"type": "object"}}}});
        let b = json!({"components": {"schemas": {"x": {"type": "string"}}}});
        let (tree, warnings) = merge(vec![module("A", "A.yml", a), module("B", "B.yml", b)]).unwrap();
        assert_eq!(tree["components"]["schemas"]["x"]["type"], "object");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("B.yml#/components/schemas/x"), "{}", warnings[0].message);
        assert!(warnings[0].message.contains("A.yml#/components/schemas/x"), "{}", warnings[0].message);
    }

    #[test]
    fn a_document_may_not_set_the_module_extension_itself() {
        let a = json!({"paths": {"/users": {"get": {MODULE_EXTENSION: "Mail"}}}});
        let errors = merge(vec![module("A", "A.yml", a)]).unwrap_err();
        assert_eq!(errors[0].pointer, "/paths/~1users/get/x-msgraph-module");
    }

    #[test]
    fn path_level_parameters_must_agree() {
        let a = json!({"paths": {"/users/{id}": {"parameters": [{"name": "id"}], "get": {}}}});
        let b = json!({"paths": {"/users/{id}": {"parameters": [{"name": "user-id"}], "patch": {}}}});
        let errors = merge(vec![module("A", "A.yml", a), module("B", "B.yml", b)]).unwrap_err();
        assert_eq!(errors[0].pointer, "/paths/~1users~1{id}/parameters");
    }
}
