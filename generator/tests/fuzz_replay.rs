//! Replays the fuzz targets' committed inputs through the same checks the fuzzers run
//! (`fuzz/src/document.rs`): the seed corpora and every input that once made a target fail
//! (`fuzz/regressions/`). Also keeps the fuzz harness compiling in the normal test run.

#[path = "../../fuzz/src/document.rs"]
mod document;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in [fuzz.join("seeds").join(target), fuzz.join("regressions").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn document_to_model_inputs_replay() {
    let inputs = inputs("document_to_model");
    assert!(inputs.len() >= 5, "seed corpus missing: {inputs:?}");
    for (path, bytes) in inputs {
        eprintln!("{}", path.display());
        document::generate_bytes(&bytes);
    }
}

#[test]
fn document_structured_inputs_replay() {
    let inputs = inputs("document_structured");
    assert!(inputs.len() >= 3, "seed corpus missing");
    for (path, bytes) in inputs {
        eprintln!("{}", path.display());
        document::mutate_and_generate(&bytes);
    }
}

#[test]
fn structured_mutations_reach_generation() {
    // The mutator must produce documents that parse (it works on trees), so that the fuzzer
    // spends its time in validation, lowering and emission rather than in the YAML parser.
    for seed in 0u8..3 {
        let text = document::mutated_document(&[0, seed, 0, 0, 0, 9]);
        assert!(text.starts_with('{'), "{text}");
        assert!(msgraph_codegen::load::parse_tree(&text, "mutated.json").is_ok());
    }
}

#[test]
fn repeated_keys_are_refused_wherever_the_structured_target_puts_them() {
    // The structured target repeats a key in the text of a mutated tree and expects an error
    // naming it; here for every object on a few walks through each seed document.
    for seed in 0u8..4 {
        let text = document::mutated_document(&[0, seed, 0, 0, 0, 9]);
        let tree = msgraph_codegen::load::parse_tree(&text, "mutated.json").unwrap();
        for path in [
            vec![],
            vec!["paths".to_owned()],
            vec!["components".to_owned(), "schemas".to_owned()],
            vec!["info".to_owned()],
        ] {
            let Some(repeated) = document::with_repeated_key(&tree, &path) else { continue };
            let error = msgraph_codegen::load::parse_tree(&repeated, "repeated.json").unwrap_err().to_string();
            assert!(error.contains("duplicate key"), "{error}");
        }
    }
}

#[test]
fn generated_doc_comments_cannot_hold_doctests() {
    // The fuzz targets' check on generated files, on the hostile-descriptions seed: it must
    // generate (so the check runs) and pass.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds/document_to_model/hostile_descriptions.yml");
    let document = std::fs::read(path).unwrap();
    let krate = msgraph_codegen::CrateConfig {
        name: "h".into(),
        version: "0.1.0".into(),
        runtime_path: "r".into(),
        workspace_member: false,
    };
    let inputs = msgraph_codegen::Inputs {
        document_name: "hostile.yml",
        document: &document,
        pin: None,
        permissions: None,
        selection: &msgraph_codegen::OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    let generated = msgraph_codegen::generate(&inputs).unwrap();
    for (path, text) in &generated.files {
        document::assert_no_doctest(path, text);
    }
}
