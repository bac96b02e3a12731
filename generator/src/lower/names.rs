//! Which name each item gets: component type names, area handles and request builders, method
//! names from operationIds, inline request-body names; always over the whole document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, pointer};
use crate::naming::{field_name, type_name, unraw};

use super::Lowerer;
use super::operations::OpRef;

/// Names the generated crate reserves for itself; a model with one of these names
/// gets a `Model` suffix so that it cannot shadow them.
pub(super) const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Serialize",
    "Deserialize",
    "Value",
    "Map",
    "Secret",
    "Nullable",
    "Client",
    "Error",
    "Response",
    "Call",
    "WhatIf",
    "OperationInfo",
    "HttpMethod",
    "Self_",
    // Traits the generated code names unqualified (`impl Into<…>`, `impl IntoIterator<…>`, `+ Send`).
    "Into",
    "From",
    "IntoIterator",
    "Iterator",
    "Send",
    "Sync",
    "Sized",
];

/// Cargo features every generated crate has besides its areas' (`emit/krate.rs` writes
/// them); an area named like one gets `-area` (`/azure` → `azure-area`).
pub(super) const CRATE_FEATURES: &[&str] = &["default", "full", "azure", "notifications", "tls-aws-lc-rs"];

/// The Cargo feature of a module in a crate of several modules: the PowerShell module's name
/// in kebab case (`Identity.SignIns` → `identity-sign-ins`); never one of [`CRATE_FEATURES`].
pub(super) fn module_feature(module: &str) -> String {
    let feature = heck::ToKebabCase::to_kebab_case(module);
    if CRATE_FEATURES.contains(&feature.as_str()) { format!("{feature}-module") } else { feature }
}

/// Modules every generated crate has besides its areas (`runtime` is a re-export).
pub(super) const CRATE_MODULES: &[&str] = &["identity", "models", "prelude", "request", "runtime"];

/// Names an area's module imports from the runtime (`emit/operations.rs`); no handle or builder
/// may take them.
pub(super) const AREA_MODULE_NAMES: &[&str] =
    &["Call", "Client", "Error", "HttpMethod", "OperationInfo", "Request", "Response", "WhatIf"];

impl<'a> Lowerer<'a> {
    /// Makes every method name unique in its area, over the whole document so that selecting
    /// more operations never renames one; `new` and the `…_via_identity` variants count as taken.
    pub(super) fn name_methods(&mut self, ops: &mut [OpRef<'a>]) {
        // The short name (navigation dropped when the verb repeats it) is used when it is
        // unique in its area over the whole document; otherwise the long one. A clash that
        // remains gets the HTTP method, then a number (document order decides).
        let count = |ops: &[OpRef<'a>], pick: &dyn Fn(&OpRef<'a>) -> String| {
            let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
            for op in ops {
                *seen.entry((op.area.module.clone(), pick(op))).or_default() += 1;
            }
            seen
        };
        let shorts = count(ops, &|op| op.method_name.clone());
        for op in ops.iter_mut() {
            if shorts[&(op.area.module.clone(), op.method_name.clone())] > 1 {
                op.method_name = op.long_name.clone();
            }
        }
        let seen = count(ops, &|op| op.method_name.clone());
        let mut used: BTreeSet<(String, String)> = BTreeSet::new();
        for op in ops.iter_mut() {
            if seen[&(op.area.module.clone(), op.method_name.clone())] > 1 {
                op.method_name = crate::naming::compose("", &op.method_name, op.method);
            }
            // The handle's methods: the operation's own name, `<name>_via_identity` when the
            // path has parameters, and the handle's constructor `new`, all in one impl block.
            let has_via = !placeholders(op.path).is_empty();
            let module = op.area.module.clone();
            let free = |used: &BTreeSet<(String, String)>, name: &str| {
                let via = crate::naming::compose("", name, "via identity");
                unraw(name) != "new"
                    && !used.contains(&(module.clone(), name.to_owned()))
                    && !(has_via && used.contains(&(module.clone(), via)))
            };
            let mut candidate = op.method_name.clone();
            let mut n = 2;
            while !free(&used, &candidate) {
                candidate = crate::naming::compose("", &op.method_name, &n.to_string());
                n += 1;
            }
            if candidate != op.method_name {
                self.warnings.push(Diagnostic::new(
                    pointer("/paths", &[op.path, op.method]),
                    format!(
                        "the method name `{}` is taken in its area (by another operation, an identity variant \
                         `…_via_identity` or the handle's `new`); it is `{candidate}`",
                        unraw(&op.method_name)
                    ),
                ));
            }
            used.insert((module.clone(), candidate.clone()));
            if has_via {
                used.insert((module.clone(), crate::naming::compose("", &candidate, "via identity")));
            }
            op.method_name = candidate;
        }
    }

    /// Type names inside each area's module: the area's handle type, then one request builder
    /// per operation (in method-name order). Both derive from document strings (`/ping` gives
    /// the handle `Ping`, operation `ping` the builder `Ping`), so they can collide with each
    /// other or with the names the module imports. The handle keeps its name, because users name
    /// it (`client.ping()` returns it); a builder that would collide gets `Request` appended
    /// (then a number) and a warning naming both operations, so that the crate still compiles
    /// and nobody has to edit Microsoft's document.
    pub(super) fn name_area_items(&mut self, ops: &mut [OpRef<'a>]) {
        let reserved = || -> BTreeMap<String, String> {
            AREA_MODULE_NAMES.iter().chain(RESERVED_TYPE_NAMES).map(|n| (n.to_string(), String::new())).collect()
        };
        // Area module → (type name → pointer of what took it; empty for the module's own names).
        let mut taken: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut handles: BTreeMap<String, String> = BTreeMap::new();
        for op in ops.iter() {
            if handles.contains_key(&op.area.module) {
                continue;
            }
            let names = taken.entry(op.area.module.clone()).or_insert_with(reserved);
            let at = pointer("/paths", &[op.path]);
            let mut handle = op.area.type_name.clone();
            if names.contains_key(&handle) {
                // `/client` would give a handle `Client` that shadows the runtime's.
                let renamed = format!("{handle}Area");
                self.warnings.push(Diagnostic::new(
                    at.clone(),
                    format!("the area's handle type `{handle}` would shadow a name its module uses; it is `{renamed}`"),
                ));
                handle = renamed;
            }
            names.insert(handle.clone(), at);
            handles.insert(op.area.module.clone(), handle);
        }
        for op in ops.iter_mut() {
            op.area.type_name = handles[&op.area.module].clone();
        }
        let mut order: Vec<usize> = (0..ops.len()).collect();
        order.sort_by(|a, b| {
            (&ops[*a].area.module, &ops[*a].method_name).cmp(&(&ops[*b].area.module, &ops[*b].method_name))
        });
        for index in order {
            let op = &mut ops[index];
            let names = taken.entry(op.area.module.clone()).or_default();
            let base = type_name(&op.method_name);
            let at = pointer("/paths", &[op.path, op.method]);
            let mut name = base.clone();
            if let Some(holder) = names.get(&base) {
                let holder = if holder.is_empty() {
                    "a name the module imports".to_owned()
                } else {
                    format!("the handle of the area at #{holder}")
                };
                let suffixed = format!("{base}Request");
                name = suffixed.clone();
                let mut n = 2;
                while names.contains_key(&name) {
                    name = format!("{suffixed}{n}");
                    n += 1;
                }
                self.warnings.push(Diagnostic::new(
                    at.clone(),
                    format!("the request builder `{base}` would collide with {holder}; it is `{name}`"),
                ));
            }
            names.insert(name.clone(), at);
            op.builder_name = name;
        }
    }

    /// Names of inline request-body types, decided over the whole document: an action's
    /// body is `<Action>RequestBody`; operations whose bodies share that name and are
    /// identical share the type; otherwise each gets `<Area><Builder>RequestBody`.
    pub(super) fn inline_body_names(&mut self, ops: &[OpRef<'a>]) -> BTreeMap<(String, String), String> {
        let mut groups: BTreeMap<String, Vec<(&OpRef<'a>, &Value)>> = BTreeMap::new();
        for op in ops {
            let Some(schema) = self.inline_json_body(op) else { continue };
            let hint = format!("{}RequestBody", type_name(action_word(op.path)));
            groups.entry(hint).or_default().push((op, schema));
        }
        let mut names = BTreeMap::new();
        for (hint, members) in groups {
            let all_same = members.iter().all(|(_, s)| *s == members[0].1);
            if all_same && !self.taken.contains(&hint) {
                self.taken.insert(hint.clone());
                for (op, _) in &members {
                    names.insert((op.path.to_owned(), op.method.to_owned()), hint.clone());
                }
            } else {
                for (op, _) in &members {
                    let long = format!("{}{}RequestBody", op.area.type_name, type_name(&op.method_name));
                    let name = self.allocate(&long);
                    names.insert((op.path.to_owned(), op.method.to_owned()), name);
                }
            }
        }
        names
    }

    /// The inline (not `$ref`) JSON body schema of an operation, if it has one.
    fn inline_json_body(&self, op: &OpRef<'a>) -> Option<&'a Value> {
        let body = self.input.tree.pointer(&pointer("/paths", &[op.path, op.method, "requestBody"]))?;
        let body = match body.get("$ref").and_then(Value::as_str) {
            Some(r) => crate::validate::follow_ref(self.input.tree, r).ok()?,
            None => body,
        };
        let schema = body.get("content")?.get("application/json")?.get("schema")?;
        if schema.get("$ref").is_some() { None } else { Some(schema) }
    }

    /// Allocates a fresh type name based on `hint`.
    pub(super) fn allocate(&mut self, hint: &str) -> String {
        let hint = type_name(hint);
        let mut name = hint.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{hint}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// Rust names for every component schema: the last dotted segment
/// (`microsoft.graph.ODataErrors.ODataError` → `ODataError`), unless two components
/// share it, in which case all of them use the name without `microsoft.graph.`; a name
/// still ambiguous (or reserved) gets a numeric suffix in component-name order.
pub(super) fn component_type_names(components: &[String]) -> BTreeMap<String, String> {
    let short = |c: &str| type_name(c.rsplit('.').next().unwrap_or(c));
    let long = |c: &str| type_name(c.strip_prefix("microsoft.graph.").unwrap_or(c));
    let mut short_count: BTreeMap<String, usize> = BTreeMap::new();
    for c in components {
        *short_count.entry(short(c)).or_default() += 1;
    }
    let mut sorted: Vec<&String> = components.iter().collect();
    sorted.sort();
    let mut used: BTreeSet<String> = RESERVED_TYPE_NAMES.iter().map(|s| s.to_string()).collect();
    let mut out = BTreeMap::new();
    for c in sorted {
        let base = if short_count[&short(c)] == 1 { short(c) } else { long(c) };
        let base = if RESERVED_TYPE_NAMES.contains(&base.as_str()) { format!("{base}Model") } else { base };
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        out.insert(c.clone(), name);
    }
    out
}

/// First path segment without alternate-key or function syntax: `servicePrincipals`.
pub(super) fn first_segment(path: &str) -> &str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let first = first.split('(').next().unwrap_or(first);
    if first.is_empty() { "root" } else { first }
}

/// The last path segment as a word: `microsoft.graph.acquireAccessToken` → `acquireAccessToken`.
fn action_word(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    let last = last.split('(').next().unwrap_or(last);
    last.rsplit('.').next().unwrap_or(last)
}

/// `{name}` placeholders of a path template, in order.
pub fn placeholders(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

/// Method names from an operationId `<entity>[.<navigation>…]_<verb>`: the entity names
/// the area and is dropped; AutoRest's escapes are read back (`GraphBPre` → `By`,
/// `GraphOPre` → `Of`). Returns `(short, long)`: the long name keeps every navigation
/// segment (`synchronization_job_get_bulk_upload`); the short one drops the navigation
/// segments the verb already names (`appManagementPolicy_DeleteAppManagementPolicy…` →
/// `delete_app_management_policy…`).
pub(super) fn method_names_from_id(id: &str) -> (String, String) {
    let (navigation, verb) = match id.split_once('_') {
        Some((nav, verb)) => (nav, verb),
        None => ("", id),
    };
    let verb = unescape_autorest(verb);
    let navigation: Vec<&str> = navigation.split('.').skip(1).collect();
    let long = field_name(&format!("{} {verb}", navigation.join(" ")));
    let verb_words = field_name(&verb);
    let kept: Vec<&str> = navigation
        .iter()
        .copied()
        .filter(|nav| {
            let nav = crate::naming::unraw(&field_name(nav)).to_owned();
            nav.is_empty() || !verb_words.contains(&nav)
        })
        .collect();
    let short = field_name(&format!("{} {verb}", kept.join(" ")));
    (short, long)
}

/// AutoRest writes `$`, `(` and `.` of Graph names as `Graph<letter>Pre`: `GraphBPre`
/// reads "by" (`GetApplicationGraphBPreAppId` = get application by appId), `GraphOPre`
/// "of" (`ListMemberGraphOPre` = list memberOf); others are dropped.
fn unescape_autorest(verb: &str) -> String {
    let mut out = String::with_capacity(verb.len());
    let mut rest = verb;
    while let Some(at) = rest.find("Graph") {
        let tail = &rest[at + "Graph".len()..];
        let mut chars = tail.chars();
        match (chars.next(), tail.get(1..4)) {
            (Some(letter), Some("Pre")) if letter.is_ascii_uppercase() => {
                out.push_str(&rest[..at]);
                out.push_str(match letter {
                    'B' => "By",
                    'O' => "Of",
                    'F' => "For",
                    'W' => "With",
                    _ => "",
                });
                rest = &tail[4..];
            }
            _ => {
                out.push_str(&rest[..at + "Graph".len()]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names() {
        let short = |id| method_names_from_id(id).0;
        let long = |id| method_names_from_id(id).1;
        assert_eq!(
            short("servicePrincipal.synchronization_acquireAccessToken"),
            "synchronization_acquire_access_token"
        );
        assert_eq!(short("application_ListApplication"), "list_application");
        assert_eq!(
            short("application.synchronization.job_validateCredential_BySynchronizationJobId"),
            "validate_credential_by_synchronization_job_id"
        );
        assert_eq!(
            long("application.synchronization.job_validateCredential_BySynchronizationJobId"),
            "synchronization_job_validate_credential_by_synchronization_job_id"
        );
        assert_eq!(short("application_GetApplicationGraphBPreAppId"), "get_application_by_app_id");
        assert_eq!(
            short("application.appManagementPolicy_DeleteAppManagementPolicyGraphBPreRef"),
            "delete_app_management_policy_by_ref"
        );
        assert_eq!(short("servicePrincipal_ListTransitiveMemberGraphOPre"), "list_transitive_member_of");
        assert_eq!(short("servicePrincipal_getGraphBPreId"), "get_by_id");
        assert_eq!(short("a_GraphQL"), "graph_ql");
        assert_eq!(short("noUnderscore"), "no_underscore");
    }

    #[test]
    fn component_names_prefer_the_short_form() {
        let names = component_type_names(&[
            "microsoft.graph.ODataErrors.ODataError".to_owned(),
            "microsoft.graph.entity".to_owned(),
            "microsoft.graph.callRecords.entity".to_owned(),
            "microsoft.graph.error".to_owned(),
        ]);
        assert_eq!(names["microsoft.graph.ODataErrors.ODataError"], "ODataError");
        assert_eq!(names["microsoft.graph.entity"], "Entity");
        assert_eq!(names["microsoft.graph.callRecords.entity"], "CallRecordsEntity");
        assert_eq!(names["microsoft.graph.error"], "ErrorModel");
    }

    #[test]
    fn segments() {
        assert_eq!(first_segment("/applications(appId='{appId}')"), "applications");
        assert_eq!(first_segment("/servicePrincipals/{id}"), "servicePrincipals");
        assert_eq!(action_word("/a/{b}/microsoft.graph.acquireAccessToken"), "acquireAccessToken");
        assert_eq!(action_word("/a/microsoft.graph.delta()"), "delta");
        assert_eq!(placeholders("/a/{x-id}/b(appId='{appId}')"), vec!["x-id", "appId"]);
    }
}
