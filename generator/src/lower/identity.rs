//! The identity types: one `Option<String>` per distinct path parameter of a module, so that
//! every `…_via_identity` method of the module takes the same value, as PowerShell has one
//! `I<Module>Identity` per module. A crate of one document has one identity for the whole
//! document; a crate of several modules has one per module, each the union of that module's
//! path parameters.

use std::collections::BTreeMap;

use crate::ir::*;
use crate::naming::{field_name, type_name};
use crate::validate::METHODS;

use super::Lowerer;
use super::operations::{Location, operation_of};

impl<'a> Lowerer<'a> {
    /// The identities, by module (`None`: the single document's), each with one field per
    /// distinct path parameter of its module, deduplicated case-insensitively and described by
    /// the first parameter that introduced it.
    pub(super) fn identities(&mut self) -> BTreeMap<Option<String>, Identity> {
        let mut by_module: BTreeMap<Option<String>, BTreeMap<String, IdentityField>> = BTreeMap::new();
        for (path, item) in self.input.api.paths.paths.iter() {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            for method in METHODS {
                let Some(op) = operation_of(item, method) else { continue };
                let module = if self.input.by_module {
                    op.extensions.get(crate::merge::MODULE_EXTENSION).and_then(|m| m.as_str()).map(str::to_owned)
                } else {
                    None
                };
                let fields = by_module.entry(module).or_default();
                for param in item.parameters.iter().chain(op.parameters.iter()) {
                    let Some((data, Location::Path)) = self.parameter(param, path) else { continue };
                    let wire = crate::naming::pascal_label(&data.name);
                    fields.entry(wire.to_lowercase()).or_insert_with(|| IdentityField {
                        rust: field_name(&data.name),
                        docs: data.description.clone().unwrap_or_default(),
                        wire,
                    });
                }
            }
        }
        if !self.input.by_module {
            by_module.entry(None).or_default();
        }
        let title = self.input.api.info.title.trim();
        by_module
            .into_iter()
            .map(|(module, fields)| {
                let mut fields: Vec<IdentityField> = fields.into_values().collect();
                fields.sort_by(|a, b| a.wire.cmp(&b.wire));
                let name = module.clone().unwrap_or_else(|| if title.is_empty() { "Api" } else { title }.to_owned());
                let identity = Identity {
                    type_name: format!("{}Identity", type_name(&name)),
                    module: name,
                    feature: None,
                    fields,
                };
                (module, identity)
            })
            .collect()
    }
}
