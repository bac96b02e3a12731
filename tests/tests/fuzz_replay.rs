//! Replays the `response_deserialization` fuzz target's committed inputs through the same
//! checks the fuzzer runs (`fuzz/src/response.rs`): the seed corpus and every input that once
//! made it fail (`fuzz/regressions/`). Also keeps the fuzz harness compiling in the normal test run.

#[path = "../../fuzz/src/response.rs"]
mod response;

use std::path::Path;

#[test]
fn response_deserialization_inputs_replay() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut inputs = Vec::new();
    for dir in [fuzz.join("seeds/response_deserialization"), fuzz.join("regressions/response_deserialization")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                inputs.push(path);
            }
        }
    }
    inputs.sort();
    assert!(inputs.len() >= 10, "seed corpus missing: {inputs:?}");
    for path in inputs {
        eprintln!("{}", path.display());
        response::decode_body(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn a_ten_megabyte_error_body_is_handled_like_any_other() {
    let mut body = br#"{"error":{"code":"TooBig","message":""#.to_vec();
    body.resize(10 * 1024 * 1024, b'x');
    response::decode_body(&body);
}
