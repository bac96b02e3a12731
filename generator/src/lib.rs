//! Reads a Microsoft Graph OpenAPI document and emits a typed Rust SDK crate.
//!
//! The data flow (see `ARCHITECTURE.md`):
//!
//! ```text
//! bytes ─load─▶ JSON tree ─validate─▶ report ─to_openapi─▶ typed document
//!       ─lower─▶ IR (ir::Api) ─emit─▶ BTreeMap<path, text>
//! ```
//!
//! [`generate`] is a pure function of its inputs: it reads no file, writes no file and
//! returns the same bytes for the same inputs. Reading and writing is `xtask`'s job.

#![warn(missing_docs)]

pub mod config;
pub mod diagnostics;
mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod permissions;
pub mod schema;
pub mod sensitive;
pub mod shape;
pub mod validate;

use std::collections::BTreeMap;

pub use config::{CodegenConfig, CrateConfig, OperationSelection, Provenance};
pub use diagnostics::{Diagnostic, Error};
pub use emit::HEADER;
pub use permissions::PermissionsTable;

/// Everything generation depends on. Names are only used in messages.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// The document's file name, for messages.
    pub document_name: &'a str,
    /// The document's bytes.
    pub document: &'a [u8],
    /// The pinned checksum, when the document is pinned.
    pub pin: Option<Pin<'a>>,
    /// Permissions per operation.
    pub permissions: Option<&'a PermissionsTable>,
    /// Which operations to emit.
    pub selection: &'a OperationSelection,
    /// When set, only these operations are compiled by default; every other one needs
    /// its area's Cargo feature (`[selection] default` of `codegen.toml`).
    pub always: Option<&'a [String]>,
    /// Extra sensitive properties (`schemaName/propertyName`).
    pub sensitive: &'a [String],
    /// The crate to emit.
    pub krate: &'a CrateConfig,
}

/// A checksum the document must have.
#[derive(Clone, Copy, Debug)]
pub struct Pin<'a> {
    /// The provenance file's name, for messages.
    pub provenance_name: &'a str,
    /// Lowercase hex sha256.
    pub sha256: &'a str,
}

/// The emitted crate and what the maintainer should know.
#[derive(Clone, Debug)]
pub struct Generated {
    /// File path (relative to the crate directory, `/`-separated) → contents.
    pub files: BTreeMap<String, String>,
    /// Problems the generator worked around (for example Microsoft's duplicate operationIds).
    pub warnings: Vec<Diagnostic>,
    /// Which operations found their permissions in the permission reference.
    pub permissions: permissions::Coverage,
}

/// Parses and validates the document into the IR without emitting code.
pub fn model(inputs: &Inputs<'_>) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    if let Some(pin) = inputs.pin {
        load::verify_checksum(inputs.document, pin.sha256, inputs.document_name, pin.provenance_name)?;
    }
    let text = std::str::from_utf8(inputs.document).map_err(|e| Error::Syntax {
        document: inputs.document_name.to_owned(),
        line: 1 + inputs.document[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count(),
        column: 1,
        message: format!("the document is not UTF-8 ({e})"),
    })?;
    let tree = load::parse_tree(text, inputs.document_name)?;
    let report = validate::validate(&tree);
    if !report.errors.is_empty() {
        return Err(Error::Invalid { document: inputs.document_name.to_owned(), diagnostics: report.errors });
    }
    let api = load::to_openapi(&tree, inputs.document_name)?;
    let lowered = lower::lower(&lower::LowerInput {
        tree: &tree,
        api: &api,
        ids: &report.operation_ids,
        selection: inputs.selection,
        always: inputs.always,
        sensitive: inputs.sensitive,
        permissions: inputs.permissions,
    });
    match lowered {
        Ok((ir, mut warnings)) => {
            let mut all = report.warnings;
            all.append(&mut warnings);
            Ok((ir, all))
        }
        Err(diagnostics) => Err(Error::Invalid { document: inputs.document_name.to_owned(), diagnostics }),
    }
}

/// Generates the crate: the whole pipeline from bytes to file texts.
pub fn generate(inputs: &Inputs<'_>) -> Result<Generated, Error> {
    let (api, warnings) = model(inputs)?;
    let files = emit_files(&api, inputs.krate)?;
    Ok(Generated { files, warnings, permissions: permissions::coverage(&api) })
}

/// The files of the crate for a model from [`model`], for callers that need both (the size
/// benchmark counts operations and models of the same run) without lowering twice.
pub fn emit_files(api: &ir::Api, krate: &CrateConfig) -> Result<BTreeMap<String, String>, Error> {
    emit::emit(api, krate)
}

/// Only parses the document into the typed OpenAPI model (the baseline that the
/// codegen benchmark compares against).
pub fn parse_only(document_name: &str, document: &[u8]) -> Result<openapiv3::OpenAPI, Error> {
    let text = std::str::from_utf8(document).map_err(|e| Error::Syntax {
        document: document_name.to_owned(),
        line: 1,
        column: 1,
        message: format!("the document is not UTF-8 ({e})"),
    })?;
    let tree = load::parse_tree(text, document_name)?;
    load::to_openapi(&tree, document_name)
}
