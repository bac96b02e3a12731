//! Every Microsoft Graph v1.0 module document pinned in `openapi/`: each is Microsoft's file
//! verbatim (its sha256 is the one its provenance file and `SHA256SUMS` record), and the
//! generator takes each as it is. A change to the generator that breaks any one module, not
//! only Applications, fails here.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use msgraph_codegen::Provenance;

fn openapi() -> PathBuf {
    xtask::workspace_root().join("openapi")
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
    let documents = xtask::pinned_documents(&xtask::workspace_root()).unwrap();
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
    for module in xtask::pinned_documents(&root).unwrap().into_keys() {
        match xtask::permissions::generate_module(&root, &module, &table) {
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
