//! Validation before anything else: the rules the rest of the generator relies on are
//! checked on the generic tree, where every node has a JSON pointer, and every finding
//! is reported at once (not only the first).
//!
//! Checked here: OpenAPI 3.0.x, every `$ref` internal and resolvable, no `$ref` chain
//! that loops on itself, and operationIds. Microsoft's documents reuse some
//! operationIds (see `openapi/README.md`); such a collision is resolved from the paths
//! with a warning, and only a collision that the paths cannot resolve is an error.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, escape_token, pointer};

/// HTTP methods an OpenAPI path item may hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The operationId each operation is known by after disambiguation.
#[derive(Clone, Debug, Default)]
pub struct OperationIds {
    by_operation: BTreeMap<(String, String), String>,
}

impl OperationIds {
    /// Effective id of `method path` (method lower case).
    pub fn get(&self, path: &str, method: &str) -> Option<&str> {
        self.by_operation.get(&(path.to_owned(), method.to_owned())).map(String::as_str)
    }
}

/// What validation found: fatal errors and warnings, plus the resolved operationIds.
#[derive(Debug, Default)]
pub struct Report {
    /// Problems that stop generation.
    pub errors: Vec<Diagnostic>,
    /// Problems resolved by the generator, reported to the maintainer.
    pub warnings: Vec<Diagnostic>,
    /// Effective operationIds.
    pub operation_ids: OperationIds,
}

/// Validates the generic tree of a document.
pub fn validate(tree: &Value) -> Report {
    let mut report = Report::default();
    check_version(tree, &mut report);
    check_refs(tree, &mut report);
    check_path_keys(tree, &mut report);
    resolve_operation_ids(tree, &mut report);
    report.errors.sort();
    report.errors.dedup();
    report
}

fn check_version(tree: &Value, report: &mut Report) {
    match tree.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => report.errors.push(Diagnostic::new(
            "/openapi",
            format!("OpenAPI version {v:?} is not supported; the generator reads OpenAPI 3.0.x"),
        )),
        None => report
            .errors
            .push(Diagnostic::new("/openapi", "missing `openapi` version field; the generator reads OpenAPI 3.0.x")),
    }
    if !tree.is_object() {
        report.errors.push(Diagnostic::new("", "the document is not a mapping"));
    }
}

/// Deepest nesting accepted: Graph's documents nest at most 12 levels, so anything deeper is
/// hostile input, refused here before the typed model is built. Building it (serde into
/// `openapiv3`) takes up to about 20 KiB of stack per level of nested schemas in debug builds:
/// 48 levels stay well within a 2 MiB thread stack; the 128 that the YAML parser allows do
/// not (`generator/tests/limits.rs`).
pub const MAX_DEPTH: usize = 48;

fn check_refs(tree: &Value, report: &mut Report) {
    // Iterative walk: a hostile document must not overflow the stack.
    let mut stack: Vec<(&Value, String, usize)> = vec![(tree, String::new(), 0)];
    while let Some((node, at, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            report.errors.push(Diagnostic::new(at, format!("nesting deeper than {MAX_DEPTH} levels")));
            continue;
        }
        match node {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    let ref_at = pointer(&at, &["$ref"]);
                    if let Err(message) = follow_ref(tree, target) {
                        report.errors.push(Diagnostic::new(ref_at, message));
                    }
                }
                for (key, child) in map.iter().rev() {
                    stack.push((child, format!("{at}/{}", escape_token(key)), depth + 1));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    stack.push((child, format!("{at}/{index}"), depth + 1));
                }
            }
            _ => {}
        }
    }
}

/// Longest chain of pure `$ref` nodes followed. Graph's references point straight at their
/// target; a limit keeps validation linear, since every `$ref` of a chain follows the rest of
/// it (10,000 chained references would take minutes).
pub const MAX_REF_HOPS: usize = 32;

/// Resolves an internal reference, following chains of pure `$ref` nodes.
pub fn follow_ref<'a>(tree: &'a Value, target: &str) -> Result<&'a Value, String> {
    let mut seen = BTreeSet::new();
    let mut current = target.to_owned();
    loop {
        if seen.len() >= MAX_REF_HOPS {
            return Err(format!(
                "`$ref: {target}` starts a chain of more than {MAX_REF_HOPS} references to references"
            ));
        }
        let Some(pointer) = current.strip_prefix('#') else {
            return Err(format!(
                "`$ref: {current}` points outside the document; only internal references (`#/...`) are supported"
            ));
        };
        if !seen.insert(current.clone()) {
            return Err(format!("`$ref: {target}` is part of a reference cycle ({})", join_cycle(&seen)));
        }
        let Some(node) = tree.pointer(pointer) else {
            return Err(format!("`$ref: {current}` does not resolve: no such node in the document"));
        };
        match node.get("$ref").and_then(Value::as_str) {
            Some(next) if node.as_object().is_some_and(|m| m.len() == 1) => current = next.to_owned(),
            _ => return Ok(node),
        }
    }
}

fn join_cycle(seen: &BTreeSet<String>) -> String {
    seen.iter().cloned().collect::<Vec<_>>().join(" → ")
}

struct Found {
    path: String,
    method: String,
    id: String,
}

/// Every key of `paths` is a path starting with `/` (OpenAPI 3.0, Paths Object) or an `x-`
/// extension. The typed model keeps only those two kinds and would drop any other key, with
/// its operations, without a word; an error is the only answer that loses nothing. (Prefixing
/// the `/` would be a guess: `users` may as well be a typo as a relative path.)
fn check_path_keys(tree: &Value, report: &mut Report) {
    let Some(paths) = tree.get("paths").and_then(Value::as_object) else { return };
    for path in paths.keys() {
        if !path.starts_with('/') && !path.starts_with("x-") {
            report.errors.push(Diagnostic::new(
                pointer("/paths", &[path]),
                format!(
                    "path `{path}` does not start with `/`; OpenAPI requires it, and its operations would be lost \
                     (write `/{}`)",
                    path.trim_start()
                ),
            ));
        }
    }
}

/// The effective operationIds of a tree that is already valid (the merge of several
/// validated module documents), with the warnings of any duplicates it resolves.
pub fn operation_ids(tree: &Value) -> Report {
    let mut report = Report::default();
    resolve_operation_ids(tree, &mut report);
    report
}

fn resolve_operation_ids(tree: &Value, report: &mut Report) {
    let Some(paths) = tree.get("paths").and_then(Value::as_object) else {
        report.errors.push(Diagnostic::new("/paths", "missing `paths` mapping"));
        return;
    };
    let mut found: Vec<Found> = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else { continue };
            let at = pointer("/paths", &[path, method]);
            let id = match operation.get("operationId") {
                Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
                Some(Value::String(_)) | None => {
                    let id = synthesized_id(path, method);
                    report.warnings.push(Diagnostic::new(
                        at.clone(),
                        format!("operation has no operationId; using `{id}`, derived from its method and path"),
                    ));
                    id
                }
                Some(_) => {
                    report.errors.push(Diagnostic::new(pointer(&at, &["operationId"]), "operationId must be a string"));
                    continue;
                }
            };
            found.push(Found { path: path.clone(), method: method.to_owned(), id });
        }
    }

    let mut groups: BTreeMap<&str, Vec<&Found>> = BTreeMap::new();
    for op in &found {
        groups.entry(op.id.as_str()).or_default().push(op);
    }
    let taken: BTreeSet<&str> = groups.keys().copied().collect();
    let mut assigned: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (id, ops) in &groups {
        let renamed = if ops.len() == 1 {
            vec![id.to_string()]
        } else {
            match disambiguate(id, ops) {
                Ok(names) => {
                    let list = ops
                        .iter()
                        .zip(&names)
                        .map(|(op, name)| format!("{} {} as `{name}`", op.method.to_uppercase(), op.path))
                        .collect::<Vec<_>>()
                        .join("; ");
                    report.warnings.push(Diagnostic::new(
                        pointer("/paths", &[&ops[0].path, &ops[0].method, "operationId"]),
                        format!("operationId `{id}` is used by {} operations; OpenAPI requires unique ids. Generated: {list}", ops.len()),
                    ));
                    names
                }
                Err(message) => {
                    for op in ops {
                        report.errors.push(Diagnostic::new(
                            pointer("/paths", &[&op.path, &op.method, "operationId"]),
                            message.clone(),
                        ));
                    }
                    continue;
                }
            }
        };
        for (op, name) in ops.iter().zip(renamed) {
            let clashes_with_other_id = name != *id && taken.contains(name.as_str());
            if clashes_with_other_id || assigned.contains_key(&name) {
                report.errors.push(Diagnostic::new(
                    pointer("/paths", &[&op.path, &op.method, "operationId"]),
                    format!("operationId `{id}` is duplicated and its disambiguated name `{name}` is already taken"),
                ));
                continue;
            }
            assigned.insert(name.clone(), (op.path.clone(), op.method.clone()));
            report.operation_ids.by_operation.insert((op.path.clone(), op.method.clone()), name);
        }
    }
}

/// Names the members of a group of operations sharing `id`, from what distinguishes
/// their paths: the segments between the common prefix and the common suffix. The
/// operation with nothing distinguishing keeps `id`; the others get `id_` + those
/// segments (`{synchronizationJob-id}` reads `BySynchronizationJobId`).
fn disambiguate(id: &str, ops: &[&Found]) -> Result<Vec<String>, String> {
    let split: Vec<Vec<&str>> = ops.iter().map(|op| op.path.split('/').filter(|s| !s.is_empty()).collect()).collect();
    let prefix = common_len(&split, 0, false);
    let suffix = common_len(&split, prefix, true);
    let names: Vec<String> = split
        .iter()
        .map(|segments| {
            let middle = &segments[prefix..segments.len() - suffix];
            if middle.is_empty() {
                id.to_owned()
            } else {
                let words: String = middle.iter().map(|s| segment_word(s)).collect();
                format!("{id}_{words}")
            }
        })
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    if unique.len() != names.len() {
        let list =
            ops.iter().map(|op| format!("{} {}", op.method.to_uppercase(), op.path)).collect::<Vec<_>>().join(", ");
        return Err(format!(
            "operationId `{id}` is used by several operations whose paths cannot tell them apart: {list}"
        ));
    }
    Ok(names)
}

/// Length of the longest run of segments that every path shares, read from the front
/// (`from_back == false`) or from the back, skipping the first `skip` segments.
fn common_len<'p>(paths: &[Vec<&'p str>], skip: usize, from_back: bool) -> usize {
    let shortest = paths.iter().map(|p| p.len() - skip).min().unwrap_or(0);
    let at = |p: &Vec<&'p str>, i: usize| -> &'p str { if from_back { p[p.len() - 1 - i] } else { p[skip + i] } };
    (0..shortest).take_while(|&i| paths.iter().all(|p| at(p, i) == at(&paths[0], i))).count()
}

fn segment_word(segment: &str) -> String {
    let name = crate::naming::type_name(segment.trim_start_matches("microsoft.graph."));
    if segment.starts_with('{') { format!("By{name}") } else { name }
}

fn synthesized_id(path: &str, method: &str) -> String {
    format!("{method}{}", crate::naming::type_name(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    #[test]
    fn graph_duplicate_ids_are_resolved_from_paths() {
        let tree = doc(json!({
            "/a/{a-id}/jobs/{job-id}/microsoft.graph.validateCredentials": {"post": {"operationId": "a.job_validateCredential"}},
            "/a/{a-id}/jobs/microsoft.graph.validateCredentials": {"post": {"operationId": "a.job_validateCredential"}},
        }));
        let report = validate(&tree);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(
            report.operation_ids.get("/a/{a-id}/jobs/{job-id}/microsoft.graph.validateCredentials", "post"),
            Some("a.job_validateCredential_ByJobId")
        );
        assert_eq!(
            report.operation_ids.get("/a/{a-id}/jobs/microsoft.graph.validateCredentials", "post"),
            Some("a.job_validateCredential")
        );
        assert_eq!(report.warnings.len(), 1);
        let warning = report.warnings[0].to_string();
        assert!(warning.contains("/a/{a-id}/jobs/{job-id}/microsoft.graph.validateCredentials"), "{warning}");
        assert!(warning.contains("/a/{a-id}/jobs/microsoft.graph.validateCredentials"), "{warning}");
    }

    #[test]
    fn unresolvable_duplicate_is_an_error() {
        let tree = doc(json!({"/a": {"get": {"operationId": "same"}, "post": {"operationId": "same"}}}));
        let report = validate(&tree);
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
        assert!(report.errors[0].message.contains("cannot tell them apart"));
        assert_eq!(report.errors[0].pointer, "/paths/~1a/get/operationId");
    }

    #[test]
    fn missing_and_cyclic_refs_name_their_pointer() {
        let mut tree = doc(
            json!({"/a": {"get": {"operationId": "x", "responses": {"200": {"$ref": "#/components/responses/nope"}}}}}),
        );
        tree["components"] =
            json!({"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}});
        let report = validate(&tree);
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("#/paths/~1a/get/responses/200/$ref: ") && m.contains("does not resolve")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("#/components/schemas/A/$ref: ") && m.contains("cycle")),
            "{messages:?}"
        );
    }

    #[test]
    fn external_refs_and_wrong_versions_are_refused() {
        let mut tree =
            doc(json!({"/a": {"get": {"operationId": "x", "responses": {"200": {"$ref": "other.yml#/x"}}}}}));
        tree["openapi"] = json!("3.1.0");
        let report = validate(&tree);
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(messages.iter().any(|m| m.contains("#/openapi: OpenAPI version \"3.1.0\"")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("points outside the document")), "{messages:?}");
    }
}
