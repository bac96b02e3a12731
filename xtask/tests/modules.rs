//! Every Microsoft Graph v1.0 module document pinned in `openapi/`: each is Microsoft's file
//! verbatim (its sha256 is the one its provenance file and `SHA256SUMS` record), and the
//! generator takes each as it is. A change to the generator that breaks any one module, not
//! only Applications, fails here.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use msgraph_codegen::{CrateConfig, Generated, Inputs, OperationSelection, PermissionsTable, Pin, Provenance};

fn openapi() -> PathBuf {
    xtask::workspace_root().join("openapi")
}

/// `Module` → `openapi/Module.yml`, for every pinned document.
fn pinned_documents() -> BTreeMap<String, PathBuf> {
    let mut documents = BTreeMap::new();
    for entry in fs::read_dir(openapi()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml") {
            documents.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), path);
        }
    }
    documents
}

fn provenance_of(module: &str) -> Provenance {
    let name = format!("{module}.provenance.toml");
    let text = fs::read_to_string(openapi().join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Provenance::parse(&text, &name).unwrap()
}

/// The 38 modules of the PowerShell SDK's v1.0 documents, each with a provenance file whose
/// sha256 agrees with `SHA256SUMS` (the list Microsoft's snapshot came with), and nothing else.
#[test]
fn all_thirty_eight_modules_are_pinned_with_their_checksums() {
    let documents = pinned_documents();
    assert_eq!(documents.len(), 38, "{:?}", documents.keys());
    let sums = fs::read_to_string(openapi().join("SHA256SUMS")).unwrap();
    let listed: BTreeMap<String, String> = sums
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(sum, file)| (file.trim_end_matches(".yml").to_owned(), sum.to_owned()))
        .collect();
    assert_eq!(listed.keys().collect::<Vec<_>>(), documents.keys().collect::<Vec<_>>());
    for (module, sum) in &listed {
        assert_eq!(&provenance_of(module).sha256, sum, "{module}");
    }
}

fn generate(module: &str, path: &Path, table: &PermissionsTable) -> Result<Generated, String> {
    let document = fs::read(path).unwrap();
    let provenance = provenance_of(module);
    let provenance_name = format!("openapi/{module}.provenance.toml");
    let krate = CrateConfig {
        name: "module-check".to_owned(),
        version: "0.1.0".to_owned(),
        runtime_path: "../runtime".to_owned(),
        workspace_member: false,
    };
    let document_name = format!("openapi/{module}.yml");
    let inputs = Inputs {
        document_name: &document_name,
        document: &document,
        pin: Some(Pin { provenance_name: &provenance_name, sha256: &provenance.sha256 }),
        permissions: Some(table),
        selection: &OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    msgraph_codegen::generate(&inputs).map_err(|e| e.to_string())
}

/// Every pinned module document matches its pin and generates a whole crate (every operation,
/// with Microsoft's permission reference), without an error; and `PERMISSIONS.md` is the
/// coverage report of exactly this generation. Whether each crate also compiles is not checked
/// here: building every module of Graph takes far longer than CI has (`cargo xtask modules`).
#[test]
fn every_pinned_module_generates_every_operation_and_the_permissions_report_is_current() {
    let root = xtask::workspace_root();
    let table = xtask::permissions::pinned_table(&root).unwrap();
    let mut failures = Vec::new();
    let mut coverages = BTreeMap::new();
    for (module, path) in pinned_documents() {
        match generate(&module, &path, &table) {
            Ok(generated) if generated.files.len() > 3 => {
                coverages.insert(module, generated.permissions);
            }
            Ok(generated) => failures.push(format!("{module}: only {} files", generated.files.len())),
            Err(error) => failures.push(format!("{module}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let report = xtask::permissions::render(&coverages);
    let committed = fs::read_to_string(root.join(xtask::permissions::REPORT)).unwrap_or_default();
    assert!(
        committed == report,
        "{} is stale: run `cargo xtask permissions` and commit it",
        xtask::permissions::REPORT
    );
}
