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
pub mod merge;
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
    let (tree, report) = parse_and_validate(inputs.document_name, inputs.document, inputs.pin)?;
    let api = load::to_openapi(&tree, inputs.document_name)?;
    let lowered = lower::lower(&lower::LowerInput {
        tree: &tree,
        api: &api,
        ids: &report.operation_ids,
        selection: inputs.selection,
        always: inputs.always,
        sensitive: inputs.sensitive,
        permissions: inputs.permissions,
        by_module: false,
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

/// Checksum, UTF-8, syntax and validation of one document.
fn parse_and_validate(
    document_name: &str,
    document: &[u8],
    pin: Option<Pin<'_>>,
) -> Result<(serde_json::Value, validate::Report), Error> {
    if let Some(pin) = pin {
        load::verify_checksum(document, pin.sha256, document_name, pin.provenance_name)?;
    }
    let text = std::str::from_utf8(document).map_err(|e| Error::Syntax {
        document: document_name.to_owned(),
        line: 1 + document[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count(),
        column: 1,
        message: format!("the document is not UTF-8 ({e})"),
    })?;
    let tree = load::parse_tree(text, document_name)?;
    let report = validate::validate(&tree);
    if !report.errors.is_empty() {
        return Err(Error::Invalid { document: document_name.to_owned(), diagnostics: report.errors });
    }
    Ok((tree, report))
}

/// One module document of a multi-module crate.
#[derive(Clone, Copy, Debug)]
pub struct ModuleDocument<'a> {
    /// The module's name as PowerShell spells it (`Users`, `Identity.SignIns`): its Cargo
    /// feature (`users`, `identity-sign-ins`) and identity type (`UsersIdentity`) are named
    /// after it.
    pub module: &'a str,
    /// The document's file name, for messages.
    pub document_name: &'a str,
    /// The document's bytes.
    pub document: &'a [u8],
    /// The pinned checksum, when the document is pinned.
    pub pin: Option<Pin<'a>>,
}

/// Everything a crate of several modules depends on (see [`generate_modules`]).
#[derive(Clone, Copy, Debug)]
pub struct ModulesInputs<'a> {
    /// The module documents; the first one's `info` describes the crate.
    pub modules: &'a [ModuleDocument<'a>],
    /// Permissions per operation.
    pub permissions: Option<&'a PermissionsTable>,
    /// Which operations to emit.
    pub selection: &'a OperationSelection,
    /// When set, only these operations are compiled by default; every other one needs its
    /// module's Cargo feature.
    pub always: Option<&'a [String]>,
    /// Extra sensitive properties (`schemaName/propertyName`).
    pub sensitive: &'a [String],
    /// The crate to emit.
    pub krate: &'a CrateConfig,
}

/// Parses and validates every module document, merges them (one type per Graph type, see
/// [`merge`]) and lowers the union into one IR: features and identities per module.
pub fn model_modules(inputs: &ModulesInputs<'_>) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    // Sorted, so that the first copy of a shared schema and every order downstream do not
    // depend on how the caller listed the modules.
    let mut sorted: Vec<&ModuleDocument<'_>> = inputs.modules.iter().collect();
    sorted.sort_by(|a, b| a.module.cmp(b.module).then(a.document_name.cmp(b.document_name)));
    let mut trees = Vec::with_capacity(sorted.len());
    let mut warnings = Vec::new();
    for module in sorted.iter().copied() {
        let (tree, report) = parse_and_validate(module.document_name, module.document, module.pin)?;
        warnings.extend(report.warnings.into_iter().map(|mut w| {
            w.message = format!("{}: {}", module.document_name, w.message);
            w
        }));
        trees.push(merge::ModuleTree { module: module.module, document_name: module.document_name, tree });
    }
    let crate_name = || {
        let names: Vec<&str> = sorted.iter().map(|m| m.document_name).collect();
        names.join(" + ")
    };
    let (tree, mut merge_warnings) =
        merge::merge(trees).map_err(|diagnostics| Error::Invalid { document: crate_name(), diagnostics })?;
    warnings.append(&mut merge_warnings);
    // Ids are resolved again over the union: a duplicate across modules is resolved (with a
    // warning) like one inside a module, and every id the lowering sees is unique.
    let ids = validate::operation_ids(&tree);
    if !ids.errors.is_empty() {
        return Err(Error::Invalid { document: crate_name(), diagnostics: ids.errors });
    }
    for warning in ids.warnings {
        if !warnings.iter().any(|w| w.pointer == warning.pointer) {
            warnings.push(warning);
        }
    }
    let api = load::to_openapi(&tree, &crate_name())?;
    let lowered = lower::lower(&lower::LowerInput {
        tree: &tree,
        api: &api,
        ids: &ids.operation_ids,
        selection: inputs.selection,
        always: inputs.always,
        sensitive: inputs.sensitive,
        permissions: inputs.permissions,
        by_module: true,
    });
    match lowered {
        Ok((ir, mut more)) => {
            warnings.append(&mut more);
            Ok((ir, warnings))
        }
        Err(diagnostics) => Err(Error::Invalid { document: crate_name(), diagnostics }),
    }
}

/// Generates one crate from several module documents: [`model_modules`], then emission.
pub fn generate_modules(inputs: &ModulesInputs<'_>) -> Result<Generated, Error> {
    let (api, warnings) = model_modules(inputs)?;
    let files = emit_files(&api, inputs.krate)?;
    Ok(Generated { files, warnings, permissions: permissions::coverage(&api) })
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
