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

/// `[document]` of the config: one document (`path`, `provenance`) or several module
/// documents (`modules`) merged into one crate.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// The OpenAPI document.
    pub path: Option<String>,
    /// Its provenance pin (source, commit, sha256).
    pub provenance: Option<String>,
    /// Module documents merged into one crate, by PowerShell module name: `Users` is
    /// `Users.yml`, pinned by `Users.provenance.toml`. One feature and one identity per module.
    pub modules: Option<Vec<String>>,
    /// Microsoft's permission reference (`permissions.json`, verbatim).
    pub permissions: Option<String>,
    /// Its provenance pin; codegen refuses a reference that does not match it.
    pub permissions_provenance: Option<String>,
}

/// One document a config names, with the file of its pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentFiles {
    /// The module's name (`Users`), or the document's file stem.
    pub module: String,
    /// The document, relative to the config.
    pub path: String,
    /// Its provenance pin, relative to the config.
    pub provenance: Option<String>,
}

impl DocumentConfig {
    /// The documents, in the order they are merged (modules sorted, so that the first copy of
    /// a shared schema does not depend on how the list is written); whether they are modules.
    pub fn documents(&self, file: &str) -> Result<(Vec<DocumentFiles>, bool), Error> {
        let fail = |message: &str| Err(Error::Config { file: file.to_owned(), message: message.to_owned() });
        match (&self.path, &self.modules) {
            (Some(path), None) => {
                let module = path.rsplit('/').next().unwrap_or(path);
                let module = module.strip_suffix(".yml").or_else(|| module.strip_suffix(".yaml")).unwrap_or(module);
                let one = DocumentFiles {
                    module: module.to_owned(),
                    path: path.clone(),
                    provenance: self.provenance.clone(),
                };
                Ok((vec![one], false))
            }
            (None, Some(modules)) if self.provenance.is_none() => {
                let mut modules = modules.clone();
                modules.sort();
                if modules.is_empty() {
                    return fail("[document] modules is empty");
                }
                if let Some(pair) = modules.windows(2).find(|w| w[0] == w[1]) {
                    return Err(Error::Config {
                        file: file.to_owned(),
                        message: format!("[document] modules lists {:?} twice", pair[0]),
                    });
                }
                if let Some(bad) = modules.iter().find(|m| {
                    m.is_empty() || !m.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') || m.starts_with('.')
                }) {
                    return Err(Error::Config {
                        file: file.to_owned(),
                        message: format!(
                            "module name {bad:?} must be letters, digits and dots (like `Identity.SignIns`)"
                        ),
                    });
                }
                let files = modules
                    .into_iter()
                    .map(|m| DocumentFiles {
                        path: format!("{m}.yml"),
                        provenance: Some(format!("{m}.provenance.toml")),
                        module: m,
                    })
                    .collect();
                Ok((files, true))
            }
            (None, Some(_)) => {
                fail("[document] modules pins each module by `<module>.provenance.toml`; remove `provenance`")
            }
            (Some(_), Some(_)) => {
                fail("[document] has both `path` and `modules`; name one document or a list of modules")
            }
            (None, None) => fail("[document] needs `path` (one document) or `modules` (several)"),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Result<(Vec<DocumentFiles>, bool), Error> {
        let config: DocumentConfig = toml::from_str(text).unwrap();
        config.documents("codegen.toml")
    }

    #[test]
    fn modules_are_sorted_and_each_is_pinned_by_its_own_provenance() {
        let (files, by_module) = document(r#"modules = ["Users", "Identity.SignIns", "Applications"]"#).unwrap();
        assert!(by_module);
        let names: Vec<(&str, &str, Option<&str>)> =
            files.iter().map(|f| (f.module.as_str(), f.path.as_str(), f.provenance.as_deref())).collect();
        assert_eq!(
            names,
            [
                ("Applications", "Applications.yml", Some("Applications.provenance.toml")),
                ("Identity.SignIns", "Identity.SignIns.yml", Some("Identity.SignIns.provenance.toml")),
                ("Users", "Users.yml", Some("Users.provenance.toml")),
            ]
        );
    }

    #[test]
    fn one_document_keeps_its_own_pin() {
        let (files, by_module) = document("path = \"docs/Mail.yml\"\nprovenance = \"Mail.provenance.toml\"").unwrap();
        assert!(!by_module);
        assert_eq!(files[0].module, "Mail");
        assert_eq!(files[0].provenance.as_deref(), Some("Mail.provenance.toml"));
    }

    #[test]
    fn a_config_that_names_no_document_or_both_kinds_or_a_bad_module_is_refused() {
        for (text, expected) in [
            ("", "needs `path`"),
            ("path = \"A.yml\"\nmodules = [\"B\"]", "both `path` and `modules`"),
            ("modules = []", "modules is empty"),
            ("modules = [\"Mail\", \"Mail\"]", "\"Mail\" twice"),
            ("modules = [\"../etc/passwd\"]", "letters, digits and dots"),
            ("modules = [\".hidden\"]", "letters, digits and dots"),
            ("modules = [\"Mail\"]\nprovenance = \"Mail.provenance.toml\"", "remove `provenance`"),
        ] {
            let error = document(text).unwrap_err().to_string();
            assert!(error.starts_with("codegen.toml: ") && error.contains(expected), "{text:?}: {error}");
        }
    }
}
