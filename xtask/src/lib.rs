//! The maintainer commands behind `cargo xtask`, as a library so that tests call the
//! very functions CI runs.

pub mod bench;
pub mod codegen;
pub mod modules;
pub mod out_dir;
pub mod permissions;

use std::path::{Path, PathBuf};

/// The repository root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}
