//! Structure-aware: the input drives mutations of a small valid document (the golden fixtures),
//! so that most inputs get past the YAML parser and validation into lowering and emission.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| msgraph_fuzz::document::mutate_and_generate(data));
