//! Which operations there are and which are emitted, and lowering one operation: its
//! parameters, request body, response, paging and error models.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::config::OperationSelection;
use crate::diagnostics::{Diagnostic, pointer};
use crate::ir::*;
use crate::naming::{const_name, field_name, singular, type_name, unraw};
use crate::schema::{SchemaView, unescape};
use crate::validate::METHODS;

use super::Lowerer;
use super::names::{CRATE_FEATURES, CRATE_MODULES, first_segment, method_names_from_id, module_feature, placeholders};

/// An operation of the document with the names decided for it.
pub(super) struct OpRef<'a> {
    pub(super) path: &'a str,
    pub(super) method: &'a str,
    pub(super) op: &'a openapiv3::Operation,
    pub(super) item: &'a openapiv3::PathItem,
    pub(super) id: String,
    pub(super) area: Area,
    pub(super) method_name: String,
    /// The method name with the full navigation, used when the short one is ambiguous.
    pub(super) long_name: String,
    /// The request builder's type name, unique in the area's module.
    pub(super) builder_name: String,
    /// The module document it came from (`Users`), in a crate of several modules.
    pub(super) module: Option<String>,
}

impl<'a> Lowerer<'a> {
    /// Resolves a parameter (following `$ref` into `#/components/parameters`).
    pub(super) fn parameter(
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

    /// Every operation of the document in document order, with area and method names
    /// decided over the whole document.
    pub(super) fn all_operations(&mut self) -> Vec<OpRef<'a>> {
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
                let module_name =
                    op.extensions.get(crate::merge::MODULE_EXTENSION).and_then(Value::as_str).map(str::to_owned);
                let feature = match (&module_name, self.input.by_module) {
                    (Some(module), true) => module_feature(module),
                    _ => {
                        let feature = heck::ToKebabCase::to_kebab_case(unraw(&field_name(segment)));
                        if CRATE_FEATURES.contains(&feature.as_str()) { format!("{feature}-area") } else { feature }
                    }
                };
                let area = Area {
                    module,
                    accessor,
                    type_name: type_name(segment),
                    feature,
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
                    module: module_name.filter(|_| self.input.by_module),
                });
            }
        }
        self.name_methods(&mut ops);
        self.name_area_items(&mut ops);
        ops
    }

    pub(super) fn select<'o>(&mut self, ops: &'o [OpRef<'a>]) -> Vec<&'o OpRef<'a>> {
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

    pub(super) fn operation(
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
        let reserved = || crate::shape::REQUEST_METHODS.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
        let mut used = reserved();
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
            let kind = param_kind(data);
            let header = location == Location::Header;
            // An optional standard option (`$select`, `If-Match`, …) gets the method every
            // builder shares; anything else a method (or argument) of its own.
            let standard = if data.required { None } else { crate::shape::standard_option(&data.name, kind, header) };
            let rust = match standard {
                Some(option) => option.method.to_owned(),
                None => {
                    let base = field_name(&data.name);
                    let mut rust = base.clone();
                    let mut n = 2;
                    while !used.insert(unraw(&rust).to_owned()) {
                        rust = crate::naming::compose("", &base, &n.to_string());
                        n += 1;
                    }
                    rust
                }
            };
            target.push(Param {
                wire: data.name.clone(),
                rust,
                kind,
                required: data.required,
                standard: standard.map(|o| o.marker.to_owned()),
                docs: data.description.clone().unwrap_or_default(),
            });
        }

        // Inline model names start from the method name, not the builder's (models live in
        // their own module, and a builder renamed for a clash must not rename its models).
        let model_hint = type_name(&op.method_name);
        // Body setters belong to the body's model, shared by every operation it is the body
        // of, so their names cannot depend on this operation; this operation's own
        // parameters give way to them instead.
        let body = self.request_body(op, &at, inline_names, &model_hint, &mut reserved());
        if let Some(RequestBody::Json(json)) = &body {
            let setters: BTreeSet<&str> = json
                .expanded
                .iter()
                .flat_map(|e| std::iter::once(unraw(&e.setter)).chain(e.adder.as_ref().map(|a| unraw(&a.name))))
                .collect();
            used.extend(setters.iter().map(|s| s.to_string()));
            for p in query_params.iter_mut().chain(header_params.iter_mut()) {
                if p.standard.is_some() || p.required || !setters.contains(unraw(&p.rust)) {
                    continue;
                }
                let base = p.rust.clone();
                let mut n = 2;
                while !used.insert(unraw(&p.rust).to_owned()) {
                    p.rust = crate::naming::compose("", &base, &n.to_string());
                    n += 1;
                }
            }
        }
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
            permissions: self.input.permissions.and_then(|table| {
                let schemas = self.input.tree.get("components").and_then(|c| c.get("schemas"));
                let is_type = |segment: &str| {
                    segment.starts_with("microsoft.graph.") && schemas.is_some_and(|s| s.get(segment).is_some())
                };
                table.lookup(op.method, op.path, &is_type)
            }),
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
            identity: identity.type_name.clone(),
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
            // The field's own name, else `set_<field>`, else numbered: `set_body` may itself be
            // a field (`setBody`) that came first.
            let mut setter = field.rust.clone();
            let mut n = 1;
            while !used.insert(unraw(&setter).to_owned()) {
                let suffix = if n == 1 { String::new() } else { n.to_string() };
                setter = crate::naming::compose("set", &field.rust, &suffix);
                n += 1;
            }
            expanded.push(ExpandedField {
                field: field.rust.clone(),
                setter,
                item: None,
                adder: None,
                ty: field.ty.clone(),
                optional: field.optional,
                null_setter: field.nullable.then(String::new),
                docs: field.docs.clone(),
            });
        }
        // `<setter>_null` second, numbered like the setters when taken.
        for e in &mut expanded {
            if e.null_setter.is_none() {
                continue;
            }
            let base = format!("{}_null", unraw(&e.setter));
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            e.null_setter = Some(name);
        }
        // Adders come last so that a setter always wins a name over an adder.
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
            return match op.method {
                // See `ResponseBody::JsonOrNoContent`: Graph answers these 204 by default.
                "patch" | "put" => ResponseBody::JsonOrNoContent(ty),
                _ => ResponseBody::Json(ty),
            };
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
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

pub(super) fn operation_of<'a>(item: &'a openapiv3::PathItem, method: &str) -> Option<&'a openapiv3::Operation> {
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
