//! The maintainer commands behind `cargo xtask`, as a library so that tests call the
//! very functions CI runs.

pub mod bench;
pub mod codegen;
pub mod modules;
pub mod out_dir;
pub mod permissions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// `Module` → `openapi/Module.yml`, for every pinned module document.
pub fn pinned_documents(root: &Path) -> Result<BTreeMap<String, PathBuf>, codegen::XtaskError> {
    let dir = root.join("openapi");
    let mut documents = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| codegen::XtaskError::io(&dir, e))? {
        let path = entry.map_err(|e| codegen::XtaskError::io(&dir, e))?.path();
        if path.extension().is_some_and(|e| e == "yml")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            documents.insert(stem.to_owned(), path);
        }
    }
    Ok(documents)
}
