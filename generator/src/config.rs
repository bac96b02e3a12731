//! What to generate: the selection file (`openapi/codegen.toml`), the provenance pin
//! (`openapi/*.provenance.toml`) and where Microsoft's permission reference is (`openapi/permissions.json`).
//! Parsing only; reading files is the caller's business.

use serde::Deserialize;

use crate::diagnostics::Error;

/// `openapi/codegen.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodegenConfig {
    /// Where the document and its companions are, relative to the config file.
    pub document: DocumentConfig,
    /// Which operations to generate.
    pub selection: Selection,
    /// Properties whose values are secrets.
    #[serde(default)]
    pub sensitive: SensitiveConfig,
    /// The emitted crate.
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
}

/// `[document]` of the config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// The OpenAPI document.
    pub path: String,
    /// Its provenance pin (source, commit, sha256).
    pub provenance: Option<String>,
    /// Microsoft's permission reference (`permissions.json`, verbatim).
    pub permissions: Option<String>,
    /// Its provenance pin; codegen refuses a reference that does not match it.
    pub permissions_provenance: Option<String>,
}

/// `[selection]` of the config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// `"all"`, or a list of operationIds.
    pub operations: OperationSelection,
    /// Operations compiled without any Cargo feature. When set, every other operation is
    /// compiled only with its area's feature (`applications`, `service-principals`, …), so
    /// the default build stays small. When absent, everything selected is always compiled.
    #[serde(default)]
    pub default: Option<Vec<String>>,
}

/// Which operations to emit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationSelection {
    /// Every operation of the document.
    All,
    /// Only these operationIds (after the generator's disambiguation of duplicates).
    Only(Vec<String>),
}

impl<'de> Deserialize<'de> for OperationSelection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            List(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::Word(word) if word == "all" => Ok(OperationSelection::All),
            Raw::Word(other) => Err(serde::de::Error::custom(format!(
                "operations must be \"all\" or a list of operationIds, not {other:?}"
            ))),
            Raw::List(ids) => Ok(OperationSelection::Only(ids)),
        }
    }
}

/// `[sensitive]` of the config.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitiveConfig {
    /// `schemaName/propertyName` pairs whose values are secrets, in addition to the
    /// names the generator recognises by itself (see `model::is_sensitive_name`).
    #[serde(default)]
    pub properties: Vec<String>,
}

/// `[crate]` of the config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// Package name, e.g. `msgraph-sdk`.
    pub name: String,
    /// Package version.
    #[serde(default = "default_version")]
    pub version: String,
    /// How the crate depends on the runtime: a path relative to the crate directory.
    pub runtime_path: String,
    /// Whether the crate is a member of this repository's workspace (inherits its
    /// lints and package fields) or a standalone crate.
    #[serde(default)]
    pub workspace_member: bool,
}

fn default_version() -> String {
    "0.1.0".to_owned()
}

impl CodegenConfig {
    /// Parses `codegen.toml` text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| Error::Config { file: file.to_owned(), message: e.to_string() })
    }
}

/// `openapi/<document>.provenance.toml`: where the pinned document came from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Public URL of the document at the pinned commit.
    pub source: String,
    /// Repository it was taken from.
    pub repository: String,
    /// Path inside that repository.
    pub path: String,
    /// Commit of that repository.
    pub commit: String,
    /// Date of that commit.
    pub date: String,
    /// Lowercase hex sha256 of the document's bytes.
    pub sha256: String,
    /// License of the document.
    pub license: String,
}

impl Provenance {
    /// Parses provenance text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, Error> {
        let provenance: Provenance =
            toml::from_str(text).map_err(|e| Error::Config { file: file.to_owned(), message: e.to_string() })?;
        let valid_hex = provenance.sha256.len() == 64
            && provenance.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid_hex {
            return Err(Error::Config {
                file: file.to_owned(),
                message: format!("sha256 must be 64 lowercase hex digits, got {:?}", provenance.sha256),
            });
        }
        Ok(provenance)
    }
}
