//! Arbitrary bytes as an OpenAPI document → `msgraph_codegen::generate` (every operation, no
//! pin). Any input may be rejected with an error; none may panic, overflow the stack or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| msgraph_fuzz::document::generate_bytes(data));
