//! The checks behind the fuzz targets, as plain functions so that the main workspace's
//! tests can replay the committed seeds and regression inputs through the very same code
//! (`generator/tests/fuzz_replay.rs` and `tests/tests/fuzz_replay.rs` include these files).

pub mod document;
pub mod response;
