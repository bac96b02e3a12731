//! `cargo xtask codegen` and `--check`, through the same functions the CLI calls.

use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    xtask::workspace_root()
}

/// The test form of CI's `cargo xtask codegen --check`: the committed generated tree
/// (SDK and golden outputs) is exactly what the generator produces from openapi/.
#[test]
fn committed_generated_code_is_fresh() {
    let report = xtask::codegen::check(&repo()).expect("codegen runs");
    assert!(report.is_fresh(), "{report}");
    assert!(report.files_checked > 10);
}

/// A scratch repository holding a copy of the seed fixture as its pinned document.
fn scratch(document: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let openapi = dir.path().join("openapi");
    fs::create_dir_all(&openapi).unwrap();
    fs::write(openapi.join("doc.yml"), document).unwrap();
    fs::write(
        openapi.join("codegen.toml"),
        r#"
[document]
path = "doc.yml"
[selection]
operations = "all"
[crate]
name = "scratch"
runtime_path = "../runtime"
"#,
    )
    .unwrap();
    dir
}

fn seed_document() -> String {
    fs::read_to_string(repo().join("generator/tests/fixtures/seed/document.yml")).unwrap()
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn failed_codegen_leaves_the_tree_untouched() {
    for (bad, expected) in [
        ("openapi: 3.0.1\npaths:\n  /a:\n    get: [\n", "YAML syntax error"),
        (
            "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {$ref: '#/nope'}}\n",
            "does not resolve",
        ),
    ] {
        let dir = scratch(&seed_document());
        xtask::codegen::write(dir.path()).unwrap();
        fs::write(dir.path().join("generated/src/hand.rs"), "// not generated").unwrap();
        let before = snapshot(dir.path());
        fs::write(dir.path().join("openapi/doc.yml"), bad).unwrap();
        let error = xtask::codegen::write(dir.path()).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        assert!(error.contains("nothing was written"), "{error}");
        let mut after = snapshot(dir.path());
        after.retain(|(p, _)| !p.ends_with("doc.yml"));
        let mut before = before;
        before.retain(|(p, _)| !p.ends_with("doc.yml"));
        assert_eq!(before, after, "the generated tree changed after a failed run");
    }
}

#[test]
fn checksum_mismatch_refuses_and_writes_nothing() {
    let dir = scratch(&seed_document());
    let toml = dir.path().join("openapi/codegen.toml");
    let text = fs::read_to_string(&toml)
        .unwrap()
        .replace("path = \"doc.yml\"", "path = \"doc.yml\"\nprovenance = \"doc.provenance.toml\"");
    fs::write(&toml, text).unwrap();
    fs::write(
        dir.path().join("openapi/doc.provenance.toml"),
        format!(
            "source = \"s\"\nrepository = \"r\"\npath = \"p\"\ncommit = \"c\"\ndate = \"d\"\nlicense = \"MIT\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let error = xtask::codegen::write(dir.path()).unwrap_err().to_string();
    assert!(error.contains("openapi/doc.yml has sha256"), "{error}");
    assert!(error.contains("re-pin it"), "{error}");
    assert!(!dir.path().join("generated").exists());
}

#[test]
fn check_reports_stale_missing_and_orphan_files_and_the_fix() {
    let dir = scratch(&seed_document());
    xtask::codegen::write(dir.path()).unwrap();
    assert!(xtask::codegen::check(dir.path()).unwrap().is_fresh());

    let generated = dir.path().join("generated");
    fs::write(generated.join("src/lib.rs"), "// edited by hand\n").unwrap();
    fs::remove_file(generated.join("src/identity.rs")).unwrap();
    fs::write(generated.join("src/models/leftover.rs"), "// from an older document\n").unwrap();

    let report = xtask::codegen::check(dir.path()).unwrap();
    let text = report.to_string();
    assert!(!report.is_fresh());
    assert!(text.contains("stale:   generated/src/lib.rs (first difference at line 1)"), "{text}");
    assert!(text.contains("missing: generated/src/identity.rs"), "{text}");
    assert!(text.contains("orphan:  generated/src/models/leftover.rs"), "{text}");
    assert!(text.contains("Run `cargo xtask codegen` to regenerate"), "{text}");

    xtask::codegen::write(dir.path()).unwrap();
    assert!(xtask::codegen::check(dir.path()).unwrap().is_fresh());
    assert!(!generated.join("src/models/leftover.rs").exists());
}

/// `cargo xtask codegen --document PATH --select all --out DIR`: a standalone crate for any
/// module document, its own workspace, depending on this repository's runtime by path.
#[test]
fn standalone_crate_for_another_document() {
    let out = tempfile::tempdir().unwrap();
    let crate_dir = out.path().join("seed-crate");
    let document = repo().join("generator/tests/fixtures/seed/document.yml");
    xtask::codegen::standalone(&repo(), &document, "all", &crate_dir).unwrap();
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"msgraph-document\""), "{manifest}");
    assert!(manifest.contains("[workspace]"), "{manifest}");
    let runtime = fs::canonicalize(repo().join("runtime")).unwrap();
    assert!(
        manifest.contains(&format!("msgraph-runtime = {{ path = {:?} }}", runtime.display().to_string())),
        "{manifest}"
    );
    for file in ["src/lib.rs", "src/identity.rs", "src/service_principals.rs", "tests/every_operation.rs"] {
        let text = fs::read_to_string(crate_dir.join(file)).unwrap();
        assert!(text.starts_with(msgraph_codegen::HEADER), "{file}");
    }
    // A selection by operationId works too, and an unknown one is refused.
    let only = out.path().join("only");
    xtask::codegen::standalone(&repo(), &document, "servicePrincipal.synchronization_acquireAccessToken", &only)
        .unwrap();
    assert!(!only.join("src/applications.rs").exists());
    let error = xtask::codegen::standalone(&repo(), &document, "nope", &out.path().join("x")).unwrap_err().to_string();
    assert!(error.contains("the selection names operationId `nope`"), "{error}");
}
