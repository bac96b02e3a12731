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
