//! Arbitrary bytes as a Graph response body: typed decoding of success bodies, text bodies, the
//! SDK's custom deserializers, and the runtime's service-error parsing of error bodies.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| msgraph_fuzz::response::decode_body(data));
