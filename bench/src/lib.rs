//! The benchmarks behind `cargo xtask bench`, as a library so that the pure helpers
//! (statistics, the fragment's `$ref` closure) have quick unit tests. The timed work only
//! runs from the `msgraph-bench` binary, in release builds.

pub mod alloc;
pub mod codegen;
pub mod fragment;
pub mod http;
pub mod profile;
pub mod serde_bench;
pub mod size;
pub mod stats;

use std::path::{Path, PathBuf};

/// Result type of the subcommands: errors are reported as text.
pub type Result<T> = std::result::Result<T, String>;

/// The repository root (the parent of `bench/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Prints a summary row for the xtask (`summary|benchmark|figure|target|verdict`).
pub fn summary(benchmark: &str, figure: &str, target: &str, verdict: &str) {
    println!("summary|{benchmark}|{figure}|{target}|{verdict}");
}
