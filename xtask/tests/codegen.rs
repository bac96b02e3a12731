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
fn permission_reference_checksum_mismatch_refuses_and_writes_nothing() {
    let dir = scratch(&seed_document());
    let toml = dir.path().join("openapi/codegen.toml");
    let text = fs::read_to_string(&toml).unwrap().replace(
        "path = \"doc.yml\"",
        "path = \"doc.yml\"\npermissions = \"permissions.json\"\npermissions_provenance = \"permissions.provenance.toml\"",
    );
    fs::write(&toml, text).unwrap();
    let reference = fs::read(repo().join("generator/tests/fixtures/seed/permissions.json")).unwrap();
    fs::write(dir.path().join("openapi/permissions.json"), &reference).unwrap();
    let pin = |sha256: &str| {
        format!(
            "source = \"s\"\nrepository = \"r\"\npath = \"p\"\ncommit = \"c\"\ndate = \"d\"\nlicense = \"MIT\"\nsha256 = \"{sha256}\"\n"
        )
    };
    fs::write(dir.path().join("openapi/permissions.provenance.toml"), pin(&"0".repeat(64))).unwrap();
    let error = xtask::codegen::write(dir.path()).unwrap_err().to_string();
    assert!(error.contains("openapi/permissions.json has sha256"), "{error}");
    assert!(error.contains("re-pin it"), "{error}");
    assert!(!dir.path().join("generated").exists());
    // The right pin is accepted, and the tables reach the generated docs.
    let sha256 = msgraph_codegen::load::sha256_hex(&reference);
    fs::write(dir.path().join("openapi/permissions.provenance.toml"), pin(&sha256)).unwrap();
    xtask::codegen::write(dir.path()).unwrap();
    let area = fs::read_to_string(dir.path().join("generated/src/service_principals.rs")).unwrap();
    assert!(area.contains("| Application | Application.ReadWrite.OwnedBy, Synchronization.ReadWrite.All |"), "{area}");
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

/// A fake workspace for the `--out` safety tests: never the real repository, so that a
/// regression cannot delete it. It has a `runtime/` (the standalone crate depends on it), a
/// `.git` and a hand-written file.
fn fake_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    for (file, text) in [
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("runtime/Cargo.toml", "[package]\n"),
        ("src/main.rs", "fn main() {}\n"),
    ] {
        fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        fs::write(root.join(file), text).unwrap();
    }
    (dir, root)
}

fn seed_document_path() -> PathBuf {
    repo().join("generator/tests/fixtures/seed/document.yml")
}

/// Siblings a failed or refused run could leave behind (`.<name>.codegen-new-…`).
fn staging_leftovers(parent: &Path) -> Vec<PathBuf> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".codegen-"))
        .collect()
}

/// `--out DIR` with a folder of the user's, the workspace, an ancestor of it, `.`, a folder with
/// hand-written files, or a file: refused before anything is generated, and nothing changes.
#[test]
fn out_refuses_directories_that_are_not_generator_output() {
    let (tmp, root) = fake_workspace();
    let user = tmp.path().join("my-notes");
    fs::create_dir_all(&user).unwrap();
    fs::write(user.join("todo.txt"), "keep me").unwrap();
    let a_file = tmp.path().join("file.txt");
    fs::write(&a_file, "x").unwrap();
    let before_root = snapshot(&root);
    let before_user = snapshot(&user);
    let cases: Vec<(PathBuf, &str)> = vec![
        (user.clone(), "is not earlier output"),
        (root.clone(), "is the workspace root"),
        (root.join("."), "is the workspace root"),
        (root.join("src/.."), "is the workspace root"),
        (tmp.path().to_path_buf(), "contains the workspace"),
        (root.join("runtime"), "is not earlier output"),
        (root.join(".git"), "is not earlier output"),
        (a_file.clone(), "is not a directory"),
        (PathBuf::from("/"), "contains the workspace"),
    ];
    for (out, expected) in cases {
        let error = xtask::codegen::standalone(&root, &seed_document_path(), "all", &out).unwrap_err().to_string();
        assert!(error.contains(expected) && error.contains("nothing was written"), "{}: {error}", out.display());
    }
    assert_eq!(snapshot(&root), before_root);
    assert_eq!(snapshot(&user), before_user);
    assert_eq!(fs::read_to_string(&a_file).unwrap(), "x");
    assert!(staging_leftovers(tmp.path()).is_empty() && staging_leftovers(&root).is_empty());
}

/// Earlier output of `--out` is replaced as a whole: files the generator no longer writes go,
/// the user's build products (`Cargo.lock`, `target/`) stay; a hand-written file added to it
/// makes the next run refuse.
#[test]
fn out_replaces_its_own_earlier_output_and_nothing_else() {
    let (tmp, root) = fake_workspace();
    // A directory whose parents do not exist yet is created with them.
    let out = tmp.path().join("new/parents/crate");
    let document = seed_document_path();
    xtask::codegen::standalone(&root, &document, "all", &out).unwrap();
    let marker = fs::read_to_string(out.join(xtask::out_dir::MARKER)).unwrap();
    assert!(marker.lines().any(|l| l == "src/applications.rs"), "{marker}");
    fs::write(out.join("Cargo.lock"), "# lock").unwrap();
    fs::create_dir_all(out.join("target/debug")).unwrap();
    fs::write(out.join("target/debug/build-output"), "artifact").unwrap();

    xtask::codegen::standalone(&root, &document, "servicePrincipal.synchronization_acquireAccessToken", &out).unwrap();
    assert!(!out.join("src/applications.rs").exists(), "a file no longer generated is gone");
    assert!(out.join("src/service_principals.rs").exists());
    assert_eq!(fs::read_to_string(out.join("Cargo.lock")).unwrap(), "# lock");
    assert_eq!(fs::read_to_string(out.join("target/debug/build-output")).unwrap(), "artifact");
    assert!(staging_leftovers(out.parent().unwrap()).is_empty());

    fs::write(out.join("src/hand_written.rs"), "// mine").unwrap();
    let before = snapshot(&out);
    let error = xtask::codegen::standalone(&root, &document, "all", &out).unwrap_err().to_string();
    assert!(error.contains("src/hand_written.rs") && error.contains("did not write"), "{error}");
    assert_eq!(snapshot(&out), before);
}

/// A write that fails half-way (here: a file name that would leave the directory) leaves the
/// old tree in place and no staging directory behind.
#[test]
fn a_failed_write_leaves_no_partial_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("old.rs"), "old").unwrap();
    for bad in ["../escape.rs", "/abs.rs", "src/../../x.rs"] {
        let files = std::collections::BTreeMap::from([
            ("a.rs".to_owned(), "new".to_owned()),
            (bad.to_owned(), "evil".to_owned()),
        ]);
        let error = xtask::codegen::replace_dir(&out, &files).unwrap_err().to_string();
        assert!(error.contains("leaves the directory"), "{error}");
    }
    // A real failure half-way through writing: `a.rs` is written as a file, then `a.rs/b.rs`
    // needs it to be a directory.
    let files = std::collections::BTreeMap::from([
        ("a.rs".to_owned(), "new".to_owned()),
        ("a.rs/b.rs".to_owned(), "new".to_owned()),
    ]);
    assert!(xtask::codegen::replace_dir(&out, &files).is_err());
    assert_eq!(snapshot(&out), vec![(out.join("old.rs"), b"old".to_vec())]);
    assert!(!tmp.path().join("escape.rs").exists());
    assert!(staging_leftovers(tmp.path()).is_empty());
}

/// Directories named like the staging directories of older versions (`.<name>.codegen-new`,
/// `.<name>.codegen-old`) may be anyone's: a run creates fresh ones and removes only those.
#[test]
fn look_alike_staging_directories_are_never_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for name in [".out.codegen-new", ".out.codegen-old"] {
        fs::create_dir_all(tmp.path().join(name)).unwrap();
        fs::write(tmp.path().join(name).join("mine.txt"), "keep").unwrap();
    }
    let files = std::collections::BTreeMap::from([("a.rs".to_owned(), "new".to_owned())]);
    xtask::codegen::replace_dir(&out, &files).unwrap();
    xtask::codegen::replace_dir(&out, &files).unwrap();
    for name in [".out.codegen-new", ".out.codegen-old"] {
        assert_eq!(fs::read_to_string(tmp.path().join(name).join("mine.txt")).unwrap(), "keep");
    }
    assert_eq!(staging_leftovers(tmp.path()).len(), 2, "only the two look-alikes remain");
}
