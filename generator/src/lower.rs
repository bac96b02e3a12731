//! Document → IR. Every naming and typing decision is made here.
//!
//! Names are decided over the WHOLE document (component type names, area and method
//! names, inline body names), never over the selection, so that a name does not change
//! when another operation is selected. The models emitted are the transitive closure
//! of what the selected operations reference, plus their error models.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

use crate::config::{OperationSelection, PermissionsTable};
use crate::diagnostics::{Diagnostic, pointer};
use crate::ir::*;
use crate::naming::{const_name, field_name, singular, type_name, unraw};
use crate::schema::{SCHEMA_REF_PREFIX, SchemaView, unescape};
use crate::validate::{METHODS, OperationIds};

/// What lowering reads.
pub struct LowerInput<'a> {
    /// The validated generic tree.
    pub tree: &'a Value,
    /// The typed document built from it.
    pub api: &'a openapiv3::OpenAPI,
    /// Effective operationIds.
    pub ids: &'a OperationIds,
    /// Which operations to emit.
    pub selection: &'a OperationSelection,
    /// When set, only these operations are compiled by default; every other one needs
    /// its area's Cargo feature.
    pub always: Option<&'a [String]>,
    /// Extra sensitive properties, as `schemaName/propertyName`.
    pub sensitive: &'a [String],
    /// Permissions per operation, when known.
    pub permissions: Option<&'a PermissionsTable>,
}

/// The IR and the warnings met on the way, or every error found.
pub fn lower(input: &LowerInput<'_>) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut lowerer = Lowerer::new(input);
    let identity = lowerer.identity();
    let operations = lowerer.all_operations();
    let selected = lowerer.select(&operations);
    let inline_names = lowerer.inline_body_names(&operations);

    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    for op in selected {
        let lowered = lowerer.operation(op, &identity, &inline_names);
        let area =
            areas.entry(op.area.module.clone()).or_insert_with(|| Area { operations: Vec::new(), ..op.area.clone() });
        area.operations.push(lowered);
    }
    for area in areas.values_mut() {
        area.operations.sort_by(|a, b| a.method_name.cmp(&b.method_name));
    }
    // "Everything in the document" means every schema too, reachable from an operation or not.
    if *input.selection == OperationSelection::All {
        let components: Vec<String> = input
            .tree
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for component in components {
            lowerer.component_type(&component);
        }
    }
    lowerer.drain_queue();
    lowerer.finish_models();

    if !lowerer.errors.is_empty() {
        lowerer.errors.sort();
        lowerer.errors.dedup();
        return Err(lowerer.errors);
    }
    let title = input.api.info.title.clone();
    let model_features = model_features(&areas, &lowerer.models, &lowerer.error_roots, input.always.is_some());
    let api = Api {
        version: input.api.info.version.clone(),
        identity,
        areas,
        models: lowerer.models,
        model_features,
        gated: input.always.is_some(),
        title,
    };
    Ok((api, lowerer.warnings))
}

/// Names the generated crate reserves for itself; a model with one of these names
/// gets a `Model` suffix so that it cannot shadow them.
const RESERVED_TYPE_NAMES: &[&str] = &[
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

/// Builder methods every request builder has; body setters must not take these names.
const RESERVED_BUILDER_METHODS: &[&str] = &[
    "send",
    "what_if",
    "body",
    "header",
    "headers",
    "timeout",
    "max_retries",
    "max_retry_delay",
    "prepend",
    "append",
    "additional_property",
    "new",
    "into_call",
    // Streams of paged responses.
    "pages",
    "items",
];

/// An operation of the document with the names decided for it.
struct OpRef<'a> {
    path: &'a str,
    method: &'a str,
    op: &'a openapiv3::Operation,
    item: &'a openapiv3::PathItem,
    id: String,
    area: Area,
    method_name: String,
    /// The method name with the full navigation, used when the short one is ambiguous.
    long_name: String,
    /// The request builder's type name, unique in the area's module.
    builder_name: String,
}

/// Modules every generated crate has besides its areas (`runtime` is a re-export).
const CRATE_MODULES: &[&str] = &["identity", "models", "prelude", "runtime"];

/// Names an area's module imports from the runtime (`emit/operations.rs`); no handle or builder
/// may take them.
const AREA_MODULE_NAMES: &[&str] = &["Call", "Client", "Error", "HttpMethod", "OperationInfo", "Response", "WhatIf"];

struct Lowerer<'a> {
    input: &'a LowerInput<'a>,
    /// Component name → Rust type name, for every component of the document.
    component_names: BTreeMap<String, String>,
    /// Every type name in use (components, inline types, reserved).
    taken: BTreeSet<String>,
    /// Component name → its type, once lowered.
    component_types: BTreeMap<String, TypeRef>,
    /// Components whose model is still to be built.
    queue: VecDeque<String>,
    /// Components being resolved as aliases (to stop alias cycles).
    resolving: BTreeSet<String>,
    models: BTreeMap<String, Model>,
    sensitive: crate::sensitive::Sensitive,
    /// Models of error responses: always compiled, whatever the features.
    error_roots: BTreeSet<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// How many `type_of` and `collect_properties` calls are on the stack (see
    /// [`MAX_SCHEMA_DEPTH`]).
    depth: usize,
}

/// Deepest recursion through schemas: inline schemas, `items`, composition members, `allOf`
/// parents and `$ref` aliases (component schemas that are not structs or enums are resolved
/// in place). The tree's nesting is already bounded by validation, but chains of components
/// are not (`A` = array of `B` = array of `C`…); without this bound a long chain overflows the
/// stack. Graph's documents need fewer than 10 levels (`generator/tests/limits.rs`).
pub const MAX_SCHEMA_DEPTH: usize = 64;

impl<'a> Lowerer<'a> {
    fn new(input: &'a LowerInput<'a>) -> Self {
        let components: Vec<String> = input
            .tree
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let component_names = component_type_names(&components);
        let mut taken: BTreeSet<String> = component_names.values().cloned().collect();
        taken.extend(RESERVED_TYPE_NAMES.iter().map(|s| s.to_string()));
        let sensitive = crate::sensitive::Sensitive::new(input.sensitive);
        Lowerer {
            input,
            component_names,
            taken,
            component_types: BTreeMap::new(),
            queue: VecDeque::new(),
            resolving: BTreeSet::new(),
            models: BTreeMap::new(),
            sensitive,
            error_roots: BTreeSet::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            depth: 0,
        }
    }

    /// Enters one level of schema recursion; at the limit, reports `at` and refuses.
    fn enter(&mut self, at: &str) -> bool {
        if self.depth >= MAX_SCHEMA_DEPTH {
            self.errors.push(Diagnostic::new(
                at,
                format!(
                    "schema nesting deeper than {MAX_SCHEMA_DEPTH} levels (inline schemas, `items`, `allOf` parents \
                     and `$ref` aliases counted together); the generator stops here"
                ),
            ));
            return false;
        }
        self.depth += 1;
        true
    }

    // ----- identity -------------------------------------------------------------------

    /// One field per distinct path parameter of the whole document, deduplicated
    /// case-insensitively, described by the first parameter that introduced it.
    fn identity(&mut self) -> Identity {
        let mut fields: BTreeMap<String, IdentityField> = BTreeMap::new();
        for (path, item) in self.input.api.paths.paths.iter() {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            let operations = METHODS.iter().filter_map(|m| operation_of(item, m));
            let params = item.parameters.iter().chain(operations.flat_map(|op| op.parameters.iter()));
            for param in params {
                let Some(data) = self.parameter(param, path) else { continue };
                if !matches!(data.1, Location::Path) {
                    continue;
                }
                let data = data.0;
                let wire = crate::naming::pascal_label(&data.name);
                fields.entry(wire.to_lowercase()).or_insert_with(|| IdentityField {
                    rust: field_name(&data.name),
                    docs: data.description.clone().unwrap_or_default(),
                    wire,
                });
            }
        }
        let mut fields: Vec<IdentityField> = fields.into_values().collect();
        fields.sort_by(|a, b| a.wire.cmp(&b.wire));
        let title = self.input.api.info.title.trim();
        Identity { type_name: format!("{}Identity", type_name(if title.is_empty() { "Api" } else { title })), fields }
    }

    /// Resolves a parameter (following `$ref` into `#/components/parameters`).
    fn parameter(
        &mut self,
        param: &'a openapiv3::ReferenceOr<openapiv3::Parameter>,
        path: &str,
    ) -> Option<(&'a openapiv3::ParameterData, Location)> {
        let mut current = param;
        for _ in 0..16 {
            match current {
                openapiv3::ReferenceOr::Item(p) => {
                    let location = match p {
                        openapiv3::Parameter::Path { .. } => Location::Path,
                        openapiv3::Parameter::Query { .. } => Location::Query,
                        openapiv3::Parameter::Header { .. } => Location::Header,
                        openapiv3::Parameter::Cookie { .. } => Location::Cookie,
                    };
                    return Some((p.parameter_data_ref(), location));
                }
                openapiv3::ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix("#/components/parameters/").map(unescape);
                    let next = name.and_then(|n| self.input.api.components.as_ref()?.parameters.get(&n));
                    match next {
                        Some(next) => current = next,
                        None => {
                            self.errors.push(Diagnostic::new(
                                pointer("/paths", &[path]),
                                format!("parameter `$ref: {reference}` is not a parameter component"),
                            ));
                            return None;
                        }
                    }
                }
            }
        }
        None
    }

    // ----- operations and their names -------------------------------------------------

    /// Every operation of the document in document order, with area and method names
    /// decided over the whole document.
    fn all_operations(&mut self) -> Vec<OpRef<'a>> {
        let mut ops = Vec::new();
        for (path, item) in self.input.api.paths.paths.iter() {
            let item = match item {
                openapiv3::ReferenceOr::Item(item) => item,
                openapiv3::ReferenceOr::Reference { .. } => {
                    self.errors.push(Diagnostic::new(
                        pointer("/paths", &[path]),
                        "path items given by `$ref` are not supported",
                    ));
                    continue;
                }
            };
            for method in METHODS {
                let Some(op) = operation_of(item, method) else { continue };
                let Some(id) = self.input.ids.get(path, method) else { continue };
                let segment = first_segment(path);
                let accessor = field_name(segment);
                let module = if CRATE_MODULES.contains(&unraw(&accessor)) {
                    format!("{}_area", unraw(&accessor))
                } else {
                    accessor.clone()
                };
                let area = Area {
                    module,
                    accessor,
                    type_name: type_name(segment),
                    feature: heck::ToKebabCase::to_kebab_case(unraw(&field_name(segment))),
                    segment: segment.to_owned(),
                    operations: Vec::new(),
                };
                let (short, long) = method_names_from_id(id);
                ops.push(OpRef {
                    path,
                    method,
                    op,
                    item,
                    id: id.to_owned(),
                    area,
                    method_name: short,
                    long_name: long,
                    builder_name: String::new(),
                });
            }
        }
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
        let shorts = count(&ops, &|op| op.method_name.clone());
        for op in ops.iter_mut() {
            if shorts[&(op.area.module.clone(), op.method_name.clone())] > 1 {
                op.method_name = op.long_name.clone();
            }
        }
        let seen = count(&ops, &|op| op.method_name.clone());
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
        self.name_area_items(&mut ops);
        ops
    }

    /// Type names inside each area's module: the area's handle type, then one request builder
    /// per operation (in method-name order). Both derive from document strings (`/ping` gives
    /// the handle `Ping`, operation `ping` the builder `Ping`), so they can collide with each
    /// other or with the names the module imports. The handle keeps its name, because users name
    /// it (`client.ping()` returns it); a builder that would collide gets `Request` appended
    /// (then a number) and a warning naming both operations, so that the crate still compiles
    /// and nobody has to edit Microsoft's document.
    fn name_area_items(&mut self, ops: &mut [OpRef<'a>]) {
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

    fn select<'o>(&mut self, ops: &'o [OpRef<'a>]) -> Vec<&'o OpRef<'a>> {
        match self.input.selection {
            OperationSelection::All => ops.iter().collect(),
            OperationSelection::Only(ids) => {
                let mut out = Vec::new();
                for id in ids {
                    match ops.iter().find(|op| &op.id == id) {
                        Some(op) => out.push(op),
                        None => self.errors.push(Diagnostic::new(
                            "/paths",
                            format!("the selection names operationId `{id}`, which the document does not have"),
                        )),
                    }
                }
                out
            }
        }
    }

    /// Names of inline request-body types, decided over the whole document: an action's
    /// body is `<Action>RequestBody`; operations whose bodies share that name and are
    /// identical share the type; otherwise each gets `<Area><Builder>RequestBody`.
    fn inline_body_names(&mut self, ops: &[OpRef<'a>]) -> BTreeMap<(String, String), String> {
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

    fn operation(
        &mut self,
        op: &OpRef<'a>,
        identity: &Identity,
        inline_names: &BTreeMap<(String, String), String>,
    ) -> Operation {
        let at = pointer("/paths", &[op.path, op.method]);
        let http_method = match op.method {
            "get" => HttpMethod::Get,
            "post" => HttpMethod::Post,
            "put" => HttpMethod::Put,
            "patch" => HttpMethod::Patch,
            "delete" => HttpMethod::Delete,
            other => {
                self.errors.push(Diagnostic::new(at.clone(), format!("HTTP method `{other}` is not supported")));
                HttpMethod::Get
            }
        };

        // Path parameters, in the order their placeholders appear in the path.
        let mut declared: BTreeMap<String, String> = BTreeMap::new();
        for param in op.item.parameters.iter().chain(op.op.parameters.iter()) {
            if let Some((data, Location::Path)) = self.parameter(param, op.path) {
                declared.insert(data.name.clone(), data.description.clone().unwrap_or_default());
            }
        }
        let mut path_params = Vec::new();
        for wire in placeholders(op.path) {
            let docs = match declared.get(&wire) {
                Some(docs) => docs.clone(),
                None => {
                    self.errors.push(Diagnostic::new(
                        at.clone(),
                        format!("path placeholder `{{{wire}}}` has no matching `in: path` parameter"),
                    ));
                    String::new()
                }
            };
            let key = crate::naming::pascal_label(&wire).to_lowercase();
            let field = identity.fields.iter().find(|f| f.wire.to_lowercase() == key);
            let (identity_field, identity_wire) = match field {
                Some(f) => (f.rust.clone(), f.wire.clone()),
                None => (field_name(&wire), crate::naming::pascal_label(&wire)),
            };
            path_params.push(PathParam { rust: field_name(&wire), wire, identity_field, identity_wire, docs });
        }
        // Two placeholders can map to one Rust name only in a hostile document.
        let mut seen = BTreeSet::new();
        for p in &mut path_params {
            while !seen.insert(p.rust.clone()) {
                p.rust = format!("{}_", unraw(&p.rust));
            }
        }

        // Query and header parameters: operation-level ones override path-level ones.
        let mut used: BTreeSet<String> = RESERVED_BUILDER_METHODS.iter().map(|s| s.to_string()).collect();
        used.extend(path_params.iter().map(|p| unraw(&p.rust).to_owned()));
        let mut query_params: Vec<Param> = Vec::new();
        let mut header_params: Vec<Param> = Vec::new();
        let mut declared: Vec<(&openapiv3::ParameterData, Location)> = Vec::new();
        for param in op.item.parameters.iter().chain(op.op.parameters.iter()) {
            if let Some((data, location)) = self.parameter(param, op.path) {
                declared.retain(|(d, l)| !(d.name == data.name && *l == location));
                declared.push((data, location));
            }
        }
        for (data, location) in declared {
            let target = match location {
                Location::Query => &mut query_params,
                Location::Header => &mut header_params,
                Location::Path => continue,
                Location::Cookie => {
                    self.warnings.push(Diagnostic::new(
                        at.clone(),
                        format!(
                            "cookie parameter `{}` is not generated; set it with `.header(\"Cookie\", …)`",
                            data.name
                        ),
                    ));
                    continue;
                }
            };
            let base = field_name(&data.name);
            let mut rust = base.clone();
            let mut n = 2;
            while !used.insert(unraw(&rust).to_owned()) {
                rust = crate::naming::compose("", &base, &n.to_string());
                n += 1;
            }
            target.push(Param {
                wire: data.name.clone(),
                rust,
                kind: param_kind(data),
                required: data.required,
                docs: data.description.clone().unwrap_or_default(),
            });
        }

        // Inline model names start from the method name, not the builder's (models live in
        // their own module, and a builder renamed for a clash must not rename its models).
        let model_hint = type_name(&op.method_name);
        let body = self.request_body(op, &at, inline_names, &model_hint, &mut used);
        let response = self.response(op, &at, &model_hint);
        let paging = self.paging(&response);
        self.error_models(op, &at);

        let docs = OperationDocs {
            summary: op.op.summary.clone(),
            description: op.op.description.clone(),
            external_docs: op
                .op
                .external_docs
                .as_ref()
                .map(|d| (d.url.clone(), d.description.clone().unwrap_or_default())),
            permissions: self.input.permissions.and_then(|p| p.get(op.path, op.method)).cloned(),
            http: format!("{} {}", http_method.as_str(), op.path),
        };
        let feature = match self.input.always {
            Some(always) if !always.contains(&op.id) => Some(op.area.feature.clone()),
            _ => None,
        };
        Operation {
            operation_id: op.id.clone(),
            info_name: const_name(&op.method_name),
            builder_name: op.builder_name.clone(),
            method_name: op.method_name.clone(),
            http_method,
            path: op.path.to_owned(),
            path_params,
            query_params,
            header_params,
            body,
            response,
            paging,
            feature,
            docs,
        }
    }

    fn request_body(
        &mut self,
        op: &OpRef<'a>,
        at: &str,
        inline_names: &BTreeMap<(String, String), String>,
        builder_name: &str,
        used: &mut BTreeSet<String>,
    ) -> Option<RequestBody> {
        let body_at = pointer(at, &["requestBody"]);
        let mut body = self.input.tree.pointer(&body_at)?;
        if let Some(r) = body.get("$ref").and_then(Value::as_str) {
            body = crate::validate::follow_ref(self.input.tree, r).ok()?;
        }
        let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
        let content = body.get("content").and_then(Value::as_object);
        let Some(schema) = content.and_then(|c| c.get("application/json")).and_then(|m| m.get("schema")) else {
            // Not JSON: the body is bytes of the first declared content type.
            let content_type = content.and_then(|c| c.keys().next()).cloned();
            return match content_type {
                Some(content_type) => Some(RequestBody::Binary { content_type, required }),
                None => {
                    self.errors
                        .push(Diagnostic::new(pointer(&body_at, &["content"]), "request body declares no content"));
                    None
                }
            };
        };
        let schema_at = pointer(&body_at, &["content", "application/json", "schema"]);
        let view = SchemaView::new(schema, &schema_at);
        let type_name = match view.component_ref() {
            Some(component) => match self.component_type(&component) {
                TypeRef::Named(name) => name,
                other => {
                    self.errors.push(Diagnostic::new(
                        schema_at.clone(),
                        format!("request body must be an object schema; `{component}` lowers to {other:?}"),
                    ));
                    return None;
                }
            },
            None => {
                let name = inline_names
                    .get(&(op.path.to_owned(), op.method.to_owned()))
                    .cloned()
                    .unwrap_or_else(|| format!("{builder_name}RequestBody"));
                if !self.models.contains_key(&name) {
                    let model = self.build_struct(view, &name, &format!("request body of {}", op.id), None);
                    self.models.insert(name.clone(), Model::Struct(model));
                }
                name
            }
        };
        // Queued components must exist before the expanded fields can be read.
        self.drain_queue();
        let Some(Model::Struct(model)) = self.models.get(&type_name) else {
            self.errors.push(Diagnostic::new(schema_at, "request body must be an object schema"));
            return None;
        };
        let model = model.clone();
        let mut expanded = Vec::new();
        for field in &model.fields {
            let base = unraw(&field.rust).to_owned();
            let setter =
                if used.contains(&base) { crate::naming::compose("set", &field.rust, "") } else { field.rust.clone() };
            used.insert(unraw(&setter).to_owned());
            expanded.push(ExpandedField {
                field: field.rust.clone(),
                setter,
                item: None,
                adder: None,
                ty: field.ty.clone(),
                optional: field.optional,
                docs: field.docs.clone(),
            });
        }
        // Adders come second so that a setter always wins a name over an adder.
        for e in &mut expanded {
            let TypeRef::Vec(item) = &e.ty else { continue };
            e.item = Some((**item).clone());
            let Some(name) = singular(&e.field).map(|s| field_name(&s)) else { continue };
            if used.contains(unraw(&name)) {
                continue;
            }
            used.insert(unraw(&name).to_owned());
            let key_value = match &**item {
                TypeRef::Named(n) => match self.models.get(n) {
                    Some(Model::Struct(s)) => s.key_value.clone(),
                    _ => None,
                },
                _ => None,
            };
            e.adder = Some(Adder { name, key_value });
        }
        Some(RequestBody::Json(JsonBody {
            type_name,
            required,
            expanded,
            additional_properties: model.additional_properties,
        }))
    }

    fn response(&mut self, op: &OpRef<'a>, at: &str, builder_name: &str) -> ResponseBody {
        let success = op.op.responses.responses.iter().find(|(code, _)| match code {
            openapiv3::StatusCode::Code(c) => (200..300).contains(c),
            openapiv3::StatusCode::Range(r) => *r == 2,
        });
        let Some((code, _)) = success else { return ResponseBody::Empty };
        let response_at = pointer(at, &["responses", &code.to_string()]);
        let Some(mut response) = self.input.tree.pointer(&response_at) else { return ResponseBody::Empty };
        if let Some(r) = response.get("$ref").and_then(Value::as_str) {
            match crate::validate::follow_ref(self.input.tree, r) {
                Ok(resolved) => response = resolved,
                Err(_) => return ResponseBody::Empty,
            }
        }
        let Some(content) = response.get("content").and_then(Value::as_object) else { return ResponseBody::Empty };
        if let Some(schema) = content.get("application/json").and_then(|m| m.get("schema")) {
            let schema_at = pointer(&response_at, &["content", "application/json", "schema"]);
            let (ty, _) = self.type_of(
                SchemaView::new(schema, &schema_at),
                &format!("{}{builder_name}", op.area.type_name),
                "Response",
            );
            return ResponseBody::Json(ty);
        }
        if let Some(text) = content.get("text/plain") {
            let schema_at = pointer(&response_at, &["content", "text/plain", "schema"]);
            let ty = match text.get("schema") {
                Some(schema) => self.type_of(SchemaView::new(schema, &schema_at), builder_name, "Text").0,
                None => TypeRef::String,
            };
            return match ty {
                TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 => ResponseBody::Text(ty),
                _ => ResponseBody::Text(TypeRef::String),
            };
        }
        if content.is_empty() { ResponseBody::Empty } else { ResponseBody::Binary }
    }

    /// A Graph collection page (`value` array and `@odata.nextLink`) can be followed.
    fn paging(&mut self, response: &ResponseBody) -> Option<Paging> {
        let ResponseBody::Json(TypeRef::Named(page)) = response else { return None };
        self.drain_queue();
        let Some(Model::Struct(model)) = self.models.get(page) else { return None };
        let value = model.fields.iter().find(|f| f.wire == "value")?;
        let next = model.fields.iter().find(|f| f.wire == "@odata.nextLink" && f.ty == TypeRef::String)?;
        let TypeRef::Vec(item) = &value.ty else { return None };
        Some(Paging {
            page: page.clone(),
            item: (**item).clone(),
            value_field: value.rust.clone(),
            value_optional: value.optional,
            next_link_field: next.rust.clone(),
        })
    }

    /// Includes the models of the operation's error responses (`default`, 4XX, 5XX).
    fn error_models(&mut self, op: &OpRef<'a>, at: &str) {
        let codes: Vec<String> = op
            .op
            .responses
            .responses
            .keys()
            .filter(|code| !matches!(code, openapiv3::StatusCode::Code(200..=299) | openapiv3::StatusCode::Range(2)))
            .map(ToString::to_string)
            .chain(op.op.responses.default.as_ref().map(|_| "default".to_owned()))
            .collect();
        for code in codes {
            let response_at = pointer(at, &["responses", &code]);
            let Some(mut response) = self.input.tree.pointer(&response_at) else { continue };
            if let Some(r) = response.get("$ref").and_then(Value::as_str) {
                match crate::validate::follow_ref(self.input.tree, r) {
                    Ok(resolved) => response = resolved,
                    Err(_) => continue,
                }
            }
            let schema = response.get("content").and_then(|c| c.get("application/json")).and_then(|m| m.get("schema"));
            if let Some(component) = schema.and_then(|s| SchemaView::new(s, "").component_ref())
                && let TypeRef::Named(name) = self.component_type(&component)
            {
                self.error_roots.insert(name);
            }
        }
    }

    // ----- schemas ----------------------------------------------------------------------

    /// Allocates a fresh type name based on `hint`.
    fn allocate(&mut self, hint: &str) -> String {
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

    /// The type of a component schema. Structs and enums are named and queued (built
    /// later, iteratively, so that deep reference chains cannot exhaust the stack);
    /// anything else is resolved in place.
    fn component_type(&mut self, component: &str) -> TypeRef {
        if let Some(ty) = self.component_types.get(component) {
            return ty.clone();
        }
        let at = pointer("/components/schemas", &[component]);
        let Some(node) = self.input.tree.pointer(&at) else {
            self.errors.push(Diagnostic::new(at, "component schema does not exist"));
            return TypeRef::Json;
        };
        let view = SchemaView::new(node, &at);
        let name = self.component_names.get(component).cloned().unwrap_or_else(|| type_name(component));
        // A named object schema is a struct even without properties (Graph's
        // `ODataErrors.InnerError` is only `additionalProperties`), so the type exists.
        let ty = if is_string_enum(&view) && is_flags(&view) {
            self.queue.push_back(component.to_owned());
            TypeRef::Flags(name)
        } else if is_string_enum(&view) || view.is_object_like() || view.ty() == Some("object") {
            self.queue.push_back(component.to_owned());
            TypeRef::Named(name)
        } else {
            if !self.resolving.insert(component.to_owned()) {
                self.warnings.push(Diagnostic::new(at, "schema is defined only in terms of itself; typed as any JSON"));
                return TypeRef::Json;
            }
            let (ty, _) = self.type_of(view, &name, "");
            self.resolving.remove(component);
            ty
        };
        self.component_types.insert(component.to_owned(), ty.clone());
        ty
    }

    fn drain_queue(&mut self) {
        while let Some(component) = self.queue.pop_front() {
            let Some(TypeRef::Named(name) | TypeRef::Flags(name)) = self.component_types.get(&component).cloned()
            else {
                continue;
            };
            if self.models.contains_key(&name) {
                continue;
            }
            let at = pointer("/components/schemas", &[&component]);
            let Some(node) = self.input.tree.pointer(&at) else { continue };
            let view = SchemaView::new(node, &at);
            let model = if is_string_enum(&view) {
                Model::Enum(self.build_enum(view, &name, &component))
            } else {
                // Insert a placeholder first: the struct may refer to itself.
                self.models.insert(
                    name.clone(),
                    Model::Enum(EnumModel {
                        name: name.clone(),
                        origin: String::new(),
                        docs: String::new(),
                        variants: Vec::new(),
                    }),
                );
                Model::Struct(self.build_struct(view, &name, &component, Some(&component)))
            };
            self.models.insert(name, model);
        }
    }

    fn build_enum(&mut self, view: SchemaView<'_>, name: &str, origin: &str) -> EnumModel {
        let mut used: BTreeSet<String> = BTreeSet::from(["Unknown".to_owned()]);
        let mut variants = Vec::new();
        for value in view.enum_values().into_iter().flatten() {
            let Some(wire) = value.as_str() else { continue };
            if variants.iter().any(|v: &Variant| v.wire == wire) {
                continue;
            }
            let base = type_name(wire);
            let mut rust = if base == "Unknown" { "UnknownValue".to_owned() } else { base.clone() };
            let mut n = 2;
            while !used.insert(rust.clone()) {
                rust = format!("{base}{n}");
                n += 1;
            }
            variants.push(Variant { wire: wire.to_owned(), rust });
        }
        if variants.is_empty() {
            self.warnings.push(Diagnostic::new(
                view.at,
                "enum has no string values; only `Unknown(String)` can hold its values",
            ));
        }
        EnumModel { name: name.to_owned(), origin: origin.to_owned(), docs: view.docs(), variants }
    }

    /// Builds a struct from an object schema, merging `allOf` parents (parents first).
    fn build_struct(&mut self, view: SchemaView<'_>, name: &str, origin: &str, component: Option<&str>) -> StructModel {
        let mut props: Vec<(String, Value, String, bool, String)> = Vec::new();
        let mut additional = true;
        let mut visited = BTreeSet::new();
        self.collect_properties(view, component.unwrap_or(""), &mut props, &mut additional, &mut visited);

        let mut used: BTreeSet<String> =
            BTreeSet::from(["additional_properties".to_owned(), "additional_property".to_owned()]);
        let mut fields = Vec::new();
        for (wire, schema, at, required, owner) in props {
            if fields.iter().any(|f: &Field| f.wire == wire) {
                continue; // a child redefining a parent's property: the parent's wins (same wire name)
            }
            let prop_view = SchemaView::new(&schema, &at);
            let (mut ty, nullable) = self.type_of(prop_view, name, &wire);
            if ty == TypeRef::String && self.is_sensitive(&owner, &wire) {
                ty = TypeRef::Secret;
            }
            if let TypeRef::Vec(item) = &ty
                && **item == TypeRef::String
                && self.is_sensitive(&owner, &wire)
            {
                ty = TypeRef::Vec(Box::new(TypeRef::Secret));
            }
            let base = field_name(&wire);
            let mut rust = base.clone();
            let mut n = 2;
            while !used.insert(unraw(&rust).to_owned()) {
                rust = format!("{}_{n}", unraw(&base));
                n += 1;
            }
            let docs = prop_view.docs();
            let format = prop_view.format().map(str::to_owned);
            let read_only = schema.get("readOnly").and_then(Value::as_bool).unwrap_or(false);
            // Graph's newer documents list `@odata.type` as required on every type (it is the
            // discriminator), but the service leaves it out when an object is of the declared
            // type: requiring it would reject real responses.
            let optional = !required || nullable || wire == "@odata.type";
            fields.push(Field { wire, rust, ty, optional, boxed: false, format, read_only, docs });
        }
        let key_value = match fields.as_slice() {
            [k, v] if k.wire == "key" && v.wire == "value" => Some((k.ty.clone(), v.ty.clone())),
            [v, k] if k.wire == "key" && v.wire == "value" => Some((k.ty.clone(), v.ty.clone())),
            _ => None,
        };
        StructModel {
            name: name.to_owned(),
            origin: origin.to_owned(),
            pointer: view.at.to_owned(),
            docs: view.docs(),
            fields,
            additional_properties: additional,
            has_default: true,
            key_value,
            kinds: None,
        }
    }

    fn collect_properties(
        &mut self,
        view: SchemaView<'_>,
        owner: &str,
        out: &mut Vec<(String, Value, String, bool, String)>,
        additional: &mut bool,
        visited: &mut BTreeSet<String>,
    ) {
        if !self.enter(view.at) {
            return;
        }
        for (member, at) in view.members("allOf") {
            let member_view = SchemaView::new(member, &at);
            match member_view.component_ref() {
                Some(parent) => {
                    if !visited.insert(parent.clone()) {
                        self.errors
                            .push(Diagnostic::new(at, format!("`allOf` inherits from `{parent}` twice or in a cycle")));
                        continue;
                    }
                    let parent_at = pointer("/components/schemas", &[&parent]);
                    if let Some(node) = self.input.tree.pointer(&parent_at) {
                        self.collect_properties(SchemaView::new(node, &parent_at), &parent, out, additional, visited);
                    }
                }
                None => self.collect_properties(member_view, owner, out, additional, visited),
            }
        }
        let required = view.required();
        for (name, schema, at) in view.properties() {
            out.push((name.to_owned(), schema.clone(), at, required.contains(&name), owner.to_owned()));
        }
        *additional &= view.allows_additional_properties();
        self.depth -= 1;
    }

    fn is_sensitive(&self, owner: &str, property: &str) -> bool {
        self.sensitive.is_credential(owner, property)
    }

    /// The Rust type of a schema, and whether it is nullable. Inline structs and enums
    /// are named `<owner><Field>`.
    fn type_of(&mut self, view: SchemaView<'_>, owner: &str, field: &str) -> (TypeRef, bool) {
        if !self.enter(view.at) {
            return (TypeRef::Json, true);
        }
        let typed = self.type_of_schema(view, owner, field);
        self.depth -= 1;
        typed
    }

    /// [`Lowerer::type_of`] without the depth bound.
    fn type_of_schema(&mut self, view: SchemaView<'_>, owner: &str, field: &str) -> (TypeRef, bool) {
        let nullable = view.nullable();
        if let Some(component) = view.component_ref() {
            return (self.component_type(&component), false);
        }
        if let Some(other) = view.other_ref() {
            self.errors.push(Diagnostic::new(view.at, format!("`$ref: {other}` is not a schema reference")));
            return (TypeRef::Json, true);
        }
        if is_string_enum(&view) {
            let name = self.allocate(&format!("{owner}{}", type_name(field)));
            let model = self.build_enum(view, &name, &format!("inline enum at {}", view.at));
            self.models.insert(name.clone(), Model::Enum(model));
            return (TypeRef::Named(name), nullable);
        }
        for keyword in ["anyOf", "oneOf"] {
            let members = view.members(keyword);
            if members.is_empty() {
                continue;
            }
            let real: Vec<_> = members.iter().filter(|(m, at)| !SchemaView::new(m, at).is_null_placeholder()).collect();
            let member_nullable = real.len() < members.len();
            return match real.as_slice() {
                [(member, at)] => {
                    let (ty, inner_nullable) = self.type_of(SchemaView::new(member, at), owner, field);
                    (ty, nullable || member_nullable || inner_nullable)
                }
                _ => (TypeRef::Json, true),
            };
        }
        let all_of = view.members("allOf");
        if let [(member, at)] = all_of.as_slice()
            && view.node.get("properties").is_none()
        {
            let (ty, inner) = self.type_of(SchemaView::new(member, at), owner, field);
            return (ty, nullable || inner);
        }
        if view.is_object_like() {
            let name = self.allocate(&format!("{owner}{}", type_name(field)));
            self.models.insert(
                name.clone(),
                Model::Enum(EnumModel {
                    name: name.clone(),
                    origin: String::new(),
                    docs: String::new(),
                    variants: Vec::new(),
                }),
            );
            let model = self.build_struct(view, &name, &format!("inline schema at {}", view.at), None);
            self.models.insert(name.clone(), Model::Struct(model));
            return (TypeRef::Named(name), nullable);
        }
        let ty = match view.ty() {
            Some("string") => TypeRef::String,
            Some("boolean") => TypeRef::Bool,
            Some("integer") => match view.format() {
                Some("int32" | "int16" | "int8" | "uint8") => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Some("number") => TypeRef::F64,
            Some("array") => match view.items() {
                Some((items, at)) => {
                    let (item, _) = self.type_of(SchemaView::new(items, &at), owner, field);
                    TypeRef::Vec(Box::new(item))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            Some("object") | None => TypeRef::Json,
            Some(other) => {
                self.errors
                    .push(Diagnostic::new(pointer(view.at, &["type"]), format!("unknown schema type `{other}`")));
                TypeRef::Json
            }
        };
        let is_json = ty == TypeRef::Json;
        (ty, nullable || is_json)
    }

    // ----- whole-model passes -------------------------------------------------------

    /// Gives every generated struct that has generated `allOf` descendants with an
    /// `@odata.type` value (their `x-ms-discriminator-value`, and the keys under which a
    /// `discriminator.mapping` on `@odata.type` names them) an enum over itself and them.
    fn link_kinds(&mut self) {
        let Some(schemas) = self.input.tree.pointer("/components/schemas").and_then(Value::as_object) else {
            return;
        };
        // Component → its `@odata.type` values, `x-ms-discriminator-value` first.
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (component, schema) in schemas {
            if let Some(value) = schema.get("x-ms-discriminator-value").and_then(Value::as_str) {
                values.entry(component.clone()).or_default().push(value.to_owned());
            }
        }
        for (component, schema) in schemas {
            let at = pointer("/components/schemas", &[component]);
            let members = SchemaView::new(schema, &at).members("allOf");
            let discriminators = std::iter::once(schema)
                .chain(members.iter().map(|(member, _)| *member))
                .filter_map(|s| s.get("discriminator"))
                .filter(|d| d.get("propertyName").and_then(Value::as_str) == Some("@odata.type"));
            for mapping in discriminators.filter_map(|d| d.get("mapping").and_then(Value::as_object)) {
                for (value, target) in mapping {
                    if let Some(target) = target.as_str().and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX)) {
                        let known = values.entry(unescape(target)).or_default();
                        if !known.contains(value) {
                            known.push(value.clone());
                        }
                    }
                }
            }
            parents.insert(
                component.clone(),
                members.iter().filter_map(|(member, at)| SchemaView::new(member, at).component_ref()).collect(),
            );
        }
        let struct_of = |component: &str| match self.component_types.get(component) {
            Some(TypeRef::Named(name)) => match self.models.get(name) {
                Some(Model::Struct(s)) => Some(s),
                _ => None,
            },
            _ => None,
        };
        // Base type → `@odata.type` value → (descendant type, component).
        let mut derived: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
        let mut warnings = Vec::new();
        for (component, own) in &values {
            let Some(child) = struct_of(component) else { continue };
            let mut seen = BTreeSet::from([component.clone()]);
            let mut stack: Vec<String> = parents.get(component).cloned().unwrap_or_default();
            while let Some(ancestor) = stack.pop() {
                if !seen.insert(ancestor.clone()) {
                    continue;
                }
                stack.extend(parents.get(&ancestor).cloned().unwrap_or_default());
                let Some(parent) = struct_of(&ancestor) else { continue };
                let theirs = values.get(&ancestor);
                let kinds = derived.entry(parent.name.clone()).or_default();
                for value in own {
                    let taken = match kinds.get(value) {
                        Some((_, other)) => Some(other.as_str()),
                        None => theirs.filter(|v| v.contains(value)).map(|_| ancestor.as_str()),
                    };
                    match taken {
                        Some(other) => warnings.push(Diagnostic::new(
                            pointer("/components/schemas", &[component]),
                            format!(
                                "`@odata.type` value `{value}` of `{component}` is also `{other}`'s; \
                                 `{ancestor}` values with it are read as `{other}`"
                            ),
                        )),
                        None => {
                            kinds.insert(value.clone(), (child.name.clone(), component.clone()));
                        }
                    }
                }
            }
        }
        self.warnings.extend(warnings);
        for (parent, by_value) in derived {
            // One variant per descendant, with every value that names it.
            let mut variants: BTreeMap<String, DerivedKind> = BTreeMap::new();
            let mut components: BTreeMap<String, String> = BTreeMap::new();
            for (value, (ty, component)) in by_value {
                components.insert(ty.clone(), component);
                let variant =
                    variants.entry(ty.clone()).or_insert_with(|| DerivedKind { values: Vec::new(), ty: ty.clone() });
                variant.values.push(value);
            }
            if variants.is_empty() {
                continue;
            }
            // The document's order of values: `x-ms-discriminator-value` first.
            for (ty, variant) in &mut variants {
                let order = &values[&components[ty]];
                variant.values.sort_by_key(|value| order.iter().position(|v| v == value));
            }
            let base = format!("{parent}Kind");
            let mut name = base.clone();
            let mut n = 2;
            while !self.taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            if let Some(Model::Struct(s)) = self.models.get_mut(&parent) {
                s.kinds = Some(Kinds { name, derived: variants.into_values().collect() });
            }
        }
    }

    /// Boxes fields that close a cycle of directly contained structs, and decides which
    /// structs can derive `Default`.
    fn finish_models(&mut self) {
        self.link_kinds();
        // A struct contains another directly when a field is `T` or `Option<T>` (not `Vec<T>`).
        let direct: BTreeMap<String, Vec<String>> = self
            .models
            .values()
            .filter_map(|m| match m {
                Model::Struct(s) => {
                    Some((s.name.clone(), s.fields.iter().filter_map(|f| named(&f.ty).map(str::to_owned)).collect()))
                }
                Model::Enum(_) => None,
            })
            .collect();
        // A field closes a cycle exactly when its type reaches back to its struct, that is when
        // both are in one strongly connected component; components are computed once for the
        // whole model instead of one search per field.
        let component = strongly_connected_components(&direct);
        for model in self.models.values_mut() {
            let Model::Struct(s) = model else { continue };
            let own = component.get(&s.name);
            for field in &mut s.fields {
                field.boxed = named(&field.ty).is_some_and(|target| own.is_some() && component.get(target) == own);
            }
        }
        // Least fixpoint: a struct has a default once every required field's type is known
        // to have one. (Starting from "yes" would let a struct that requires itself derive a
        // `Default` that recurses forever.)
        for model in self.models.values_mut() {
            if let Model::Struct(s) = model {
                s.has_default = false;
            }
        }
        loop {
            let snapshot = self.models.clone();
            let mut changed = false;
            for model in self.models.values_mut() {
                if let Model::Struct(s) = model
                    && !s.has_default
                    && s.fields.iter().all(|f| f.optional || f.ty.has_default(&snapshot))
                {
                    s.has_default = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

/// Which features compile each model: the union of the features of the operations that
/// reach it (`None`, always, when an always-compiled operation or an error response does).
fn model_features(
    areas: &BTreeMap<String, Area>,
    models: &BTreeMap<String, Model>,
    error_roots: &BTreeSet<String>,
    gated: bool,
) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let mut out: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut visit = |roots: Vec<String>, feature: Option<&String>| {
        let mut stack = roots;
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let entry = out.entry(name.clone()).or_insert_with(|| Some(BTreeSet::new()));
            match (feature, entry.as_mut()) {
                (None, _) => *entry = None,
                (Some(f), Some(set)) => {
                    set.insert(f.clone());
                }
                (Some(_), None) => {}
            }
            if let Some(Model::Struct(s)) = models.get(&name) {
                for field in &s.fields {
                    stack.extend(named_in(&field.ty));
                }
                // A response typed as a base type may hold any type derived from it.
                if let Some(kinds) = &s.kinds {
                    stack.extend(kinds.derived.iter().map(|kind| kind.ty.clone()));
                }
            }
        }
    };
    visit(error_roots.iter().cloned().collect(), None);
    for op in areas.values().flat_map(|a| a.operations.iter()) {
        let mut roots = Vec::new();
        if let Some(RequestBody::Json(body)) = &op.body {
            roots.push(body.type_name.clone());
        }
        if let ResponseBody::Json(ty) | ResponseBody::Text(ty) = &op.response {
            roots.extend(named_in(ty));
        }
        visit(roots, op.feature.as_ref());
    }
    // Schemas no operation reaches: with features, only `full` compiles them; without,
    // they are always compiled.
    let unreached = if gated { Some(BTreeSet::from(["full".to_owned()])) } else { None };
    for name in models.keys() {
        out.entry(name.clone()).or_insert_with(|| unreached.clone());
    }
    out
}

/// Model names inside a type (`Vec<Named>` included).
fn named_in(ty: &TypeRef) -> Vec<String> {
    match ty {
        TypeRef::Named(name) | TypeRef::Flags(name) => vec![name.clone()],
        TypeRef::Vec(item) => named_in(item),
        _ => Vec::new(),
    }
}

fn operation_of<'a>(item: &'a openapiv3::PathItem, method: &str) -> Option<&'a openapiv3::Operation> {
    match method {
        "get" => item.get.as_ref(),
        "put" => item.put.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "options" => item.options.as_ref(),
        "head" => item.head.as_ref(),
        "patch" => item.patch.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}

/// `x-ms-enum-flags: {isFlags: true}`: values combine, comma-separated.
fn is_flags(view: &SchemaView<'_>) -> bool {
    view.node.get("x-ms-enum-flags").and_then(|f| f.get("isFlags")).and_then(Value::as_bool).unwrap_or(false)
}

fn is_string_enum(view: &SchemaView<'_>) -> bool {
    view.enum_values().is_some() && matches!(view.ty(), Some("string") | None) && !view.is_object_like()
}

fn named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(n) => Some(n),
        _ => None,
    }
}

/// The strongly connected component of every node of `graph` (node → its successors), as a
/// number shared by the nodes of one component. Tarjan's algorithm with an explicit stack, so a
/// chain of thousands of structs cannot overflow the thread's stack; linear in nodes plus edges.
/// Successors that are not nodes of the graph (enums, unknown names) are ignored.
fn strongly_connected_components(graph: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let successors: Vec<Vec<usize>> = names
        .iter()
        .map(|n| graph[*n].iter().filter_map(|next| index_of.get(next.as_str()).copied()).collect())
        .collect();
    const UNVISITED: usize = usize::MAX;
    let mut order = vec![UNVISITED; names.len()];
    let mut low = vec![0; names.len()];
    let mut on_stack = vec![false; names.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![UNVISITED; names.len()];
    let mut next_order = 0;
    let mut next_component = 0;
    // Each frame: a node and how many of its successors were already looked at.
    let mut frames: Vec<(usize, usize)> = Vec::new();
    for root in 0..names.len() {
        if order[root] != UNVISITED {
            continue;
        }
        frames.push((root, 0));
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(frame) = frames.last_mut() {
            let node = frame.0;
            if let Some(&next) = successors[node].get(frame.1) {
                frame.1 += 1;
                if order[next] == UNVISITED {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    frames.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    names.into_iter().cloned().zip(component).collect()
}

/// Rust names for every component schema: the last dotted segment
/// (`microsoft.graph.ODataErrors.ODataError` → `ODataError`), unless two components
/// share it, in which case all of them use the name without `microsoft.graph.`; a name
/// still ambiguous (or reserved) gets a numeric suffix in component-name order.
fn component_type_names(components: &[String]) -> BTreeMap<String, String> {
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
fn first_segment(path: &str) -> &str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let first = first.split('(').next().unwrap_or(first);
    if first.is_empty() { "root" } else { first }
}

/// How a parameter's value is written, from its schema.
fn param_kind(data: &openapiv3::ParameterData) -> ParamKind {
    let openapiv3::ParameterSchemaOrContent::Schema(openapiv3::ReferenceOr::Item(schema)) = &data.format else {
        return ParamKind::String;
    };
    match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::Array(_)) => ParamKind::List,
        openapiv3::SchemaKind::Type(openapiv3::Type::Integer(_)) => ParamKind::Integer,
        openapiv3::SchemaKind::Type(openapiv3::Type::Boolean(_)) => ParamKind::Boolean,
        _ => ParamKind::String,
    }
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
fn method_names_from_id(id: &str) -> (String, String) {
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
    fn strongly_connected_components_find_cycles_and_only_cycles() {
        let graph = |edges: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            edges.iter().map(|(n, next)| (n.to_string(), next.iter().map(|s| s.to_string()).collect())).collect()
        };
        // a ⇄ b, c → a (not in the cycle), d → d, e → an enum (not a node), f → c.
        let components = strongly_connected_components(&graph(&[
            ("a", &["b"]),
            ("b", &["a", "c"]),
            ("c", &["a"]),
            ("d", &["d"]),
            ("e", &["SomeEnum"]),
            ("f", &["c"]),
        ]));
        assert_eq!(components["a"], components["b"]);
        assert_eq!(components["a"], components["c"], "b → c → a closes a cycle too");
        assert_ne!(components["f"], components["c"]);
        assert_ne!(components["d"], components["e"]);
        assert!(!components.contains_key("SomeEnum"));

        // A chain of 50,000 nodes closing into one cycle: no recursion, so no stack overflow.
        let count = 50_000;
        let chain: BTreeMap<String, Vec<String>> =
            (0..count).map(|i| (format!("n{i}"), vec![format!("n{}", (i + 1) % count)])).collect();
        let components = strongly_connected_components(&chain);
        assert!(components.values().all(|c| *c == components["n0"]));
        let open: BTreeMap<String, Vec<String>> =
            (0..count).map(|i| (format!("n{i}"), vec![format!("n{}", i + 1)])).collect();
        let components = strongly_connected_components(&open);
        assert_eq!(components.values().collect::<BTreeSet<_>>().len(), count, "a chain without a cycle");
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
