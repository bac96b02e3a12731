//! Schema → `TypeRef`: what Rust type each schema gets (`type_of`), how enums and structs are
//! built from schemas (properties, `allOf` parents) and which fields hold secrets.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, pointer};
use crate::ir::*;
use crate::naming::{field_name, type_name, unraw};
use crate::schema::SchemaView;

use super::Lowerer;

impl<'a> Lowerer<'a> {
    pub(super) fn build_enum(&mut self, view: SchemaView<'_>, name: &str, origin: &str) -> EnumModel {
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
    pub(super) fn build_struct(
        &mut self,
        view: SchemaView<'_>,
        name: &str,
        origin: &str,
        component: Option<&str>,
    ) -> StructModel {
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
            // A secret is a `Secret` whatever its format (`keyCredential.key` is `base64url`).
            let text = |ty: &TypeRef| matches!(ty, TypeRef::String | TypeRef::Format(_));
            if text(&ty) && self.is_sensitive(&owner, &wire) {
                ty = TypeRef::Secret;
            }
            if let TypeRef::Vec(item) = &ty
                && text(item)
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
            fields.push(Field { wire, rust, ty, optional, nullable, boxed: false, format, read_only, docs });
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
    pub(super) fn type_of(&mut self, view: SchemaView<'_>, owner: &str, field: &str) -> (TypeRef, bool) {
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
            Some("string") => match view.format().and_then(TextFormat::of) {
                Some(format) => TypeRef::Format(format),
                None => TypeRef::String,
            },
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
}

/// `x-ms-enum-flags: {isFlags: true}`: values combine, comma-separated.
pub(super) fn is_flags(view: &SchemaView<'_>) -> bool {
    view.node.get("x-ms-enum-flags").and_then(|f| f.get("isFlags")).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn is_string_enum(view: &SchemaView<'_>) -> bool {
    view.enum_values().is_some() && matches!(view.ty(), Some("string") | None) && !view.is_object_like()
}
