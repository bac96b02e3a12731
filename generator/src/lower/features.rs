//! Which Cargo features compile each model: the union of the features of the operations that
//! reach it through properties (not through derived types: see `emit/models.rs::kinds_tokens`).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::*;

/// Which features compile each model: the union of the features of the operations that
/// reach it (`None`, always, when an always-compiled operation or an error response does).
pub(super) fn model_features(
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
                // Derived types are not reached through their base: a `<Base>Kind` variant
                // exists only where its type is compiled (by an operation that names it, or
                // `full`), so a build that needs the base does not compile every type
                // derived from it (`entity` has hundreds).
            }
        }
    };
    visit(error_roots.iter().cloned().collect(), None);
    for op in areas.values().flat_map(|a| a.operations.iter()) {
        let mut roots = Vec::new();
        if let Some(RequestBody::Json(body)) = &op.body {
            roots.push(body.type_name.clone());
        }
        if let ResponseBody::Json(ty) | ResponseBody::JsonOrNoContent(ty) | ResponseBody::Text(ty) = &op.response {
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
