//! `cargo xtask codegen`: the only code that reads inputs from disk and writes
//! generated files.
//!
//! Targets: `openapi/codegen.toml` → `generated/`, and every
//! `generator/tests/fixtures/<name>/codegen.toml` → `generator/tests/golden/<name>/`.
//! All targets are generated in memory first; nothing is written unless every one
//! succeeds, and a target directory is replaced as a whole (written beside it, then
//! swapped in), so a failed run leaves the committed tree untouched.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use crate::out_dir::replace_dir;
use crate::out_dir::{self, MARKER};
use msgraph_codegen::config::DocumentConfig;
use msgraph_codegen::{
    CodegenConfig, CrateConfig, Error, Generated, Inputs, ModuleDocument, ModulesInputs, OperationSelection,
    PermissionsTable, Pin, Provenance,
};

/// The command that regenerates everything; printed whenever the tree is stale.
pub const FIX_COMMAND: &str = "cargo xtask codegen";

/// One thing to generate: a config file and the directory its crate goes to.
#[derive(Clone, Debug)]
pub struct Target {
    /// Path of `codegen.toml`.
    pub config: PathBuf,
    /// Directory the crate is written to.
    pub out: PathBuf,
}

/// Every target of the repository, in a fixed order.
pub fn targets(root: &Path) -> Result<Vec<Target>, XtaskError> {
    let mut targets = vec![Target { config: root.join("openapi/codegen.toml"), out: root.join("generated") }];
    let fixtures = root.join("generator/tests/fixtures");
    if fixtures.is_dir() {
        let mut names: Vec<PathBuf> = fs::read_dir(&fixtures)
            .map_err(|e| XtaskError::io(&fixtures, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.join("codegen.toml").is_file())
            .collect();
        names.sort();
        for dir in names {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            targets
                .push(Target { config: dir.join("codegen.toml"), out: root.join("generator/tests/golden").join(name) });
        }
    }
    Ok(targets)
}

/// Errors of the xtask commands.
#[derive(Debug)]
pub enum XtaskError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        error: io::Error,
    },
    /// `--out` names a directory that must not be replaced (see [`crate::out_dir`]).
    Refused {
        /// The directory, resolved.
        out: PathBuf,
        /// Why it is refused.
        why: String,
    },
    /// The generator refused its input.
    Generate {
        /// The config of the target.
        config: PathBuf,
        /// Why.
        error: Error,
    },
}

impl XtaskError {
    pub(crate) fn io(path: &Path, error: io::Error) -> Self {
        XtaskError::Io { path: path.to_path_buf(), error }
    }
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XtaskError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            XtaskError::Refused { out, why } => {
                write!(f, "refusing to write generated code into {}: {why}; nothing was written", out.display())
            }
            XtaskError::Generate { config, error } => {
                write!(f, "{} (target {}); nothing was written", error, config.display())
            }
        }
    }
}

impl std::error::Error for XtaskError {}

fn read(path: &Path) -> Result<Vec<u8>, XtaskError> {
    fs::read(path).map_err(|e| XtaskError::io(path, e))
}

fn read_text(path: &Path) -> Result<String, XtaskError> {
    fs::read_to_string(path).map_err(|e| XtaskError::io(path, e))
}

/// Generates one target in memory, printing the generator's warnings.
pub fn generate_target(root: &Path, target: &Target) -> Result<Generated, XtaskError> {
    let config_name = display_relative(root, &target.config);
    let fail = |error: Error| XtaskError::Generate { config: target.config.clone(), error };
    let config = CodegenConfig::parse(&read_text(&target.config)?, &config_name).map_err(fail)?;
    let dir = target.config.parent().unwrap_or(root);
    let (files, by_module) = config.document.documents(&config_name).map_err(fail)?;
    let mut documents = Vec::with_capacity(files.len());
    for file in &files {
        let path = dir.join(&file.path);
        let bytes = read(&path)?;
        let provenance = match &file.provenance {
            Some(p) => {
                let pin_path = dir.join(p);
                let pin_name = display_relative(root, &pin_path);
                let pin = Provenance::parse(&read_text(&pin_path)?, &pin_name).map_err(fail)?;
                Some((pin_name, pin.sha256))
            }
            None => None,
        };
        documents.push((file.module.clone(), display_relative(root, &path), bytes, provenance));
    }
    let permissions = load_permissions(root, &target.config, &config.document)?;
    fn pin(p: &Option<(String, String)>) -> Option<Pin<'_>> {
        p.as_ref().map(|(name, sha256)| Pin { provenance_name: name, sha256 })
    }
    let generated = if by_module {
        let modules: Vec<ModuleDocument<'_>> = documents
            .iter()
            .map(|(module, name, bytes, provenance)| ModuleDocument {
                module,
                document_name: name,
                document: bytes,
                pin: pin(provenance),
            })
            .collect();
        let inputs = ModulesInputs {
            modules: &modules,
            permissions: permissions.as_ref(),
            selection: &config.selection.operations,
            always: config.selection.default.as_deref(),
            sensitive: &config.sensitive.properties,
            krate: &config.krate,
        };
        msgraph_codegen::generate_modules(&inputs).map_err(fail)?
    } else {
        let (_, document_name, document, provenance) = &documents[0];
        let inputs = Inputs {
            document_name,
            document,
            pin: pin(provenance),
            permissions: permissions.as_ref(),
            selection: &config.selection.operations,
            always: config.selection.default.as_deref(),
            sensitive: &config.sensitive.properties,
            krate: &config.krate,
        };
        msgraph_codegen::generate(&inputs).map_err(fail)?
    };
    for warning in &generated.warnings {
        eprintln!("warning: {config_name}: {warning}");
    }
    Ok(generated)
}

/// Reads the permission reference a config's `[document]` names (`None` if it names none),
/// verified against its provenance pin when there is one. Errors name `config`.
pub fn load_permissions(
    root: &Path,
    config: &Path,
    document: &DocumentConfig,
) -> Result<Option<PermissionsTable>, XtaskError> {
    let Some(file) = &document.permissions else { return Ok(None) };
    let dir = config.parent().unwrap_or(root);
    let path = dir.join(file);
    let name = display_relative(root, &path);
    let fail = |error: Error| XtaskError::Generate { config: config.to_path_buf(), error };
    let bytes = read(&path)?;
    if let Some(provenance) = &document.permissions_provenance {
        let pin_path = dir.join(provenance);
        let pin_name = display_relative(root, &pin_path);
        let pin = Provenance::parse(&read_text(&pin_path)?, &pin_name).map_err(fail)?;
        msgraph_codegen::load::verify_checksum(&bytes, &pin.sha256, &name, &pin_name).map_err(fail)?;
    }
    let text =
        String::from_utf8(bytes).map_err(|e| fail(Error::Config { file: name.clone(), message: e.to_string() }))?;
    PermissionsTable::parse(&text, &name).map(Some).map_err(fail)
}

/// The permission reference of the SDK's own config, `openapi/codegen.toml` (`None` if there
/// is no such config or it names none): what every module document is generated with.
pub fn pinned_permissions(root: &Path) -> Result<Option<PermissionsTable>, XtaskError> {
    let config_path = root.join("openapi/codegen.toml");
    if !config_path.is_file() {
        return Ok(None);
    }
    let config_name = display_relative(root, &config_path);
    let config = CodegenConfig::parse(&read_text(&config_path)?, &config_name)
        .map_err(|error| XtaskError::Generate { config: config_path.clone(), error })?;
    load_permissions(root, &config_path, &config.document)
}

fn display_relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// How the committed tree differs from what the generator produces now.
#[derive(Debug, Default)]
pub struct Report {
    /// Files compared.
    pub files_checked: usize,
    /// Committed files whose contents differ, with the first differing line.
    pub stale: Vec<(PathBuf, usize)>,
    /// Files the generator produces that are not committed.
    pub missing: Vec<PathBuf>,
    /// Committed files in a generated directory that the generator no longer produces.
    pub orphans: Vec<PathBuf>,
}

impl Report {
    /// Whether the committed tree is exactly what the generator produces.
    pub fn is_fresh(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.orphans.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_fresh() {
            return write!(f, "generated code is up to date ({} files checked)", self.files_checked);
        }
        writeln!(f, "generated code is stale:")?;
        for (path, line) in &self.stale {
            writeln!(f, "  stale:   {} (first difference at line {line})", path.display())?;
        }
        for path in &self.missing {
            writeln!(f, "  missing: {}", path.display())?;
        }
        for path in &self.orphans {
            writeln!(f, "  orphan:  {}", path.display())?;
        }
        write!(f, "Run `{FIX_COMMAND}` to regenerate, then commit the result.")
    }
}

/// Compares one generated crate with a directory.
fn diff_target(root: &Path, out: &Path, generated: &Generated, report: &mut Report) -> Result<(), XtaskError> {
    let on_disk = if out.exists() { out_dir::files_under(out, |_| false)? } else { BTreeMap::new() };
    for (relative, text) in &generated.files {
        report.files_checked += 1;
        let shown = Path::new(&display_relative(root, out)).join(relative);
        match on_disk.get(relative) {
            None => report.missing.push(shown),
            Some(path) => {
                let committed = fs::read(path).map_err(|e| XtaskError::io(path, e))?;
                if committed != text.as_bytes() {
                    let committed = String::from_utf8_lossy(&committed);
                    let line = committed.lines().zip(text.lines()).take_while(|(a, b)| a == b).count() + 1;
                    report.stale.push((shown, line));
                }
            }
        }
    }
    for relative in on_disk.keys() {
        if !generated.files.contains_key(relative) {
            report.orphans.push(Path::new(&display_relative(root, out)).join(relative));
        }
    }
    Ok(())
}

/// `cargo xtask codegen --check`: regenerates every target in memory and diffs the
/// whole tree (stale, missing and orphan files). Backs the CI step and a `#[test]`.
pub fn check(root: &Path) -> Result<Report, XtaskError> {
    let mut report = Report::default();
    for target in targets(root)? {
        let generated = generate_target(root, &target)?;
        diff_target(root, &target.out, &generated, &mut report)?;
    }
    Ok(report)
}

/// `cargo xtask codegen`: regenerates every target, replacing only directories whose
/// contents change.
pub fn write(root: &Path) -> Result<(), XtaskError> {
    let mut all = Vec::new();
    for target in targets(root)? {
        let generated = generate_target(root, &target)?;
        all.push((target, generated));
    }
    for (target, generated) in all {
        let mut report = Report::default();
        diff_target(root, &target.out, &generated, &mut report)?;
        if report.is_fresh() {
            continue;
        }
        replace_dir(&target.out, &generated.files)?;
        println!("wrote {} ({} files)", display_relative(root, &target.out), generated.files.len());
    }
    Ok(())
}

/// `cargo xtask codegen --document PATH --select all --out DIR`: a standalone crate
/// for any Graph module document, depending on this repository's runtime by path.
///
/// DIR must be new, empty, or earlier output of this command (see [`crate::out_dir`]); the
/// check runs before anything is generated or written.
pub fn standalone(root: &Path, document: &Path, select: &str, out: &Path) -> Result<(), XtaskError> {
    let out = &out_dir::resolve(out)?;
    out_dir::check_standalone_target(root, out)?;
    let bytes = read(document)?;
    let selection = if select == "all" {
        OperationSelection::All
    } else {
        OperationSelection::Only(select.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
    };
    let stem = document.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "module".to_owned());
    let runtime = fs::canonicalize(root.join("runtime")).map_err(|e| XtaskError::io(&root.join("runtime"), e))?;
    let krate = CrateConfig {
        name: format!("msgraph-{}", msgraph_codegen::naming::field_name(&stem).replace('_', "-")),
        version: "0.1.0".to_owned(),
        runtime_path: runtime.display().to_string(),
        workspace_member: false,
    };
    let document_name = document.display().to_string();
    // Any Graph document takes its permissions from the repository's pinned reference.
    let permissions = pinned_permissions(root)?;
    let inputs = Inputs {
        document_name: &document_name,
        document: &bytes,
        pin: None,
        permissions: permissions.as_ref(),
        selection: &selection,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    let generated = msgraph_codegen::generate(&inputs)
        .map_err(|error| XtaskError::Generate { config: document.to_path_buf(), error })?;
    for warning in &generated.warnings {
        eprintln!("warning: {document_name}: {warning}");
    }
    let mut files = generated.files;
    // A standalone crate is its own workspace, so that it builds wherever it is put.
    if let Some(manifest) = files.get_mut("Cargo.toml") {
        manifest.push_str("\n[workspace]\n");
    }
    let marker = out_dir::marker_text(&files);
    files.insert(MARKER.to_owned(), marker);
    replace_dir(out, &files)?;
    println!("wrote {} ({} files): cd {} && cargo build", out.display(), files.len(), out.display());
    Ok(())
}
