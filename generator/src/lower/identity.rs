//! The identity type: one `Option<String>` per distinct path parameter of the whole document,
//! so that every `…_via_identity` method of every area takes the same value.

use std::collections::BTreeMap;

use crate::ir::*;
use crate::naming::{field_name, type_name};
use crate::validate::METHODS;

use super::Lowerer;
use super::operations::{Location, operation_of};

impl<'a> Lowerer<'a> {
    /// One field per distinct path parameter of the whole document, deduplicated
    /// case-insensitively, described by the first parameter that introduced it.
    pub(super) fn identity(&mut self) -> Identity {
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
}
