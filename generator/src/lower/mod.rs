//! Document → IR. Every naming and typing decision is made here.
//!
//! Names are decided over the WHOLE document (component type names, area and method
//! names, inline body names), never over the selection, so that a name does not change
//! when another operation is selected. The models emitted are the transitive closure
//! of what the selected operations reference, plus their error models.
//!
//! One file per decision (see `ARCHITECTURE.md`, "Lowering, file by file"); this one holds
//! the orchestration and the state every pass shares.

mod closure;
mod features;
mod identity;
mod kinds;
mod names;
mod operations;
mod types;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;

use crate::config::OperationSelection;
use crate::diagnostics::Diagnostic;
use crate::ir::*;
use crate::permissions::PermissionsTable;
use crate::validate::OperationIds;
use features::model_features;
use names::{RESERVED_TYPE_NAMES, component_type_names};

pub use names::placeholders;

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
    /// A merged tree of several module documents (see `merge`): operations are gated by their
    /// module's feature and read their module's identity.
    pub by_module: bool,
}

/// The IR and the warnings met on the way, or every error found.
pub fn lower(input: &LowerInput<'_>) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut lowerer = Lowerer::new(input);
    let mut identities = lowerer.identities();
    let operations = lowerer.all_operations();
    let selected = lowerer.select(&operations);
    let inline_names = lowerer.inline_body_names(&operations);

    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    for op in selected {
        let identity = &identities[&op.module];
        let lowered = lowerer.operation(op, identity, &inline_names);
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
    // A crate of several modules is all of Graph's (`GraphApi`, "Microsoft Graph (v1.0)"), not
    // its first document's.
    let title = if input.by_module { "Graph".to_owned() } else { input.api.info.title.clone() };
    let model_features = model_features(&areas, &lowerer.models, &lowerer.error_roots, input.always.is_some());
    // In a crate of several modules an identity exists with its module's feature, unless one of
    // the module's operations is always compiled.
    if input.by_module && input.always.is_some() {
        for (module, identity) in identities.iter_mut() {
            let Some(module) = module else { continue };
            let ops = areas.values().flat_map(|a| a.operations.iter()).filter(|op| op.identity == identity.type_name);
            let always = ops.clone().any(|op| op.feature.is_none());
            identity.feature = if always { None } else { Some(names::module_feature(module)) };
        }
    }
    let mut modules: BTreeMap<String, ModuleInfo> = BTreeMap::new();
    if input.by_module {
        for (module, identity) in &identities {
            let Some(module) = module else { continue };
            let count =
                areas.values().flat_map(|a| a.operations.iter()).filter(|op| op.identity == identity.type_name).count();
            modules.insert(
                module.clone(),
                ModuleInfo { name: module.clone(), feature: names::module_feature(module), operations: count },
            );
        }
    }
    let mut identities: Vec<Identity> = identities.into_values().collect();
    identities.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let api = Api {
        version: input.api.info.version.clone(),
        identities,
        by_module: input.by_module,
        modules: modules.into_values().collect(),
        areas,
        models: lowerer.models,
        model_features,
        gated: input.always.is_some(),
        title,
    };
    Ok((api, lowerer.warnings))
}

/// The state of one lowering. Its passes are `impl` blocks in this directory's files; they
/// share it because names, types and the model closure depend on one another.
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
}
