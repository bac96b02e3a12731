//! Derived types: which structs get a `<Type>Kind` enum over their `allOf` descendants, chosen by
//! `@odata.type` when read.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, pointer};
use crate::ir::*;
use crate::schema::{SCHEMA_REF_PREFIX, SchemaView, unescape};

use super::Lowerer;

impl<'a> Lowerer<'a> {
    /// Gives every generated struct that has generated `allOf` descendants with an
    /// `@odata.type` value (their `x-ms-discriminator-value`, and the keys under which a
    /// `discriminator.mapping` on `@odata.type` names them) an enum over itself and them.
    pub(super) fn link_kinds(&mut self) {
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
}
