//! Writing a generated crate into a directory: which directories may be replaced, and how
//! to replace one without ever leaving partial output.
//!
//! `cargo xtask codegen` replaces its own targets (`generated/`, the golden crates) wholesale:
//! everything in them is generator output by definition, and a stray file is an orphan that
//! `--check` reports. `--out DIR` is different: DIR is whatever the caller typed, so a typo must
//! not delete a folder of the user's, `runtime/`, or the repository with its `.git`. Such a
//! directory is replaced only when it is empty, or when it is earlier output of the same command:
//! it holds the marker file [`MARKER`] listing the files the generator wrote, and nothing else
//! but the build products a user gets from building that crate (`Cargo.lock`, `target/`), which
//! are carried over into the new tree.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::codegen::XtaskError;

/// Marker file of a standalone crate written by `--out`; lists the files the generator wrote.
pub const MARKER: &str = ".msgraph-codegen-output";

/// Build products of a standalone crate, kept when it is regenerated: losing them would
/// only cost a rebuild, but they are the user's, not the generator's.
const CARRIED_OVER: &[&str] = &["Cargo.lock", "target"];

/// Why a directory may not receive generator output.
fn refuse(out: &Path, why: impl Into<String>) -> XtaskError {
    XtaskError::Refused { out: out.to_path_buf(), why: why.into() }
}

/// `path` made absolute and free of `.`/`..`, following symbolic links for the part that exists,
/// so that `--out .`, `--out ../x` and a link to the repository are judged by where they lead.
pub fn resolve(path: &Path) -> Result<PathBuf, XtaskError> {
    let absolute = std::path::absolute(path).map_err(|e| XtaskError::io(path, e))?;
    // Canonicalize the longest existing ancestor and append the rest lexically.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(mut real) => {
                for component in rest.iter().rev() {
                    real.push(component);
                }
                return Ok(real);
            }
            Err(_) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                // `..` as the last component of a path that does not exist: nothing to resolve.
                _ => return Err(refuse(path, "the path cannot be resolved")),
            },
        }
    }
}

/// Checks that `out` (resolved) may be replaced by a standalone crate; `workspace` is the
/// repository root.
pub fn check_standalone_target(workspace: &Path, out: &Path) -> Result<(), XtaskError> {
    let workspace = fs::canonicalize(workspace).map_err(|e| XtaskError::io(workspace, e))?;
    if out == workspace {
        return Err(refuse(out, "it is the workspace root"));
    }
    if workspace.starts_with(out) {
        return Err(refuse(out, format!("it contains the workspace ({})", workspace.display())));
    }
    if out.parent().is_none() {
        return Err(refuse(out, "it is a filesystem root"));
    }
    let Ok(metadata) = fs::symlink_metadata(out) else {
        return Ok(()); // does not exist yet
    };
    if !metadata.is_dir() {
        return Err(refuse(out, "it exists and is not a directory"));
    }
    let entries = fs::read_dir(out).map_err(|e| XtaskError::io(out, e))?;
    if entries.count() == 0 {
        return Ok(());
    }
    let marker = out.join(MARKER);
    let listed = match fs::read_to_string(&marker) {
        Ok(text) => parse_marker(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(refuse(
                out,
                format!(
                    "it is not empty and is not earlier output of `cargo xtask codegen --out` (no {MARKER} file); \
                     choose an empty or new directory"
                ),
            ));
        }
        Err(e) => return Err(XtaskError::io(&marker, e)),
    };
    let foreign: Vec<String> = files_under(out, is_carried_over)?
        .into_keys()
        .filter(|relative| relative != MARKER && !listed.contains(relative) && !is_carried_over(relative))
        .collect();
    if !foreign.is_empty() {
        let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
        let more = if foreign.len() > 5 { format!(" and {} more", foreign.len() - 5) } else { String::new() };
        return Err(refuse(
            out,
            format!(
                "it holds {} file(s) the generator did not write ({}{more}); move them away or choose another directory",
                foreign.len(),
                shown.join(", ")
            ),
        ));
    }
    Ok(())
}

fn is_carried_over(relative: &str) -> bool {
    let first = relative.split('/').next().unwrap_or(relative);
    CARRIED_OVER.contains(&first)
}

/// The marker's text for `files`: a comment, then one relative path per line.
pub fn marker_text(files: &BTreeMap<String, String>) -> String {
    let mut text = String::from(
        "# Written by `cargo xtask codegen --document ... --out ...`: this directory is generator output\n\
         # and a later run may replace it. The files below are the generator's; any other file (but\n\
         # Cargo.lock and target/) makes the command refuse to touch the directory.\n",
    );
    for relative in files.keys() {
        text.push_str(relative);
        text.push('\n');
    }
    text
}

fn parse_marker(text: &str) -> BTreeSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

/// Every file under `dir` (not following symbolic links), keyed by its relative,
/// `/`-separated path; directories for which `skip` is true are not walked. A symbolic link
/// counts as a file, so a link into a user's folder is never walked or deleted through.
pub(crate) fn files_under(dir: &Path, skip: impl Fn(&str) -> bool) -> Result<BTreeMap<String, PathBuf>, XtaskError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).map_err(|e| XtaskError::io(&current, e))? {
            let entry = entry.map_err(|e| XtaskError::io(&current, e))?;
            let path = entry.path();
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if entry.file_type().map_err(|e| XtaskError::io(&path, e))?.is_dir() {
                if !skip(&key) {
                    stack.push(path);
                }
            } else {
                out.insert(key, path);
            }
        }
    }
    Ok(out)
}

/// A relative path the generator may write: no root, no `..`, no empty or `.` components.
fn is_plain_relative(relative: &str) -> bool {
    !relative.is_empty()
        && Path::new(relative).components().all(|c| matches!(c, Component::Normal(_)))
        && !relative.contains('\\')
}

/// A sibling of `out` that did not exist before: `.<name>.codegen-<tag>-<pid>-<nanos>`. It is
/// created here (so two runs never share one) and is the only kind of directory this module
/// ever deletes besides `out` itself.
fn fresh_sibling(out: &Path, tag: &str) -> Result<PathBuf, XtaskError> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".to_owned());
    let parent = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| XtaskError::io(parent, e))?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    for attempt in 0..100u32 {
        let candidate = parent.join(format!(".{name}.codegen-{tag}-{}-{nanos}-{attempt}", std::process::id()));
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(XtaskError::io(&candidate, e)),
        }
    }
    Err(refuse(out, "no free name for a staging directory beside it"))
}

/// Writes `files` into a new sibling directory, then swaps it in place of `out` (moving the
/// build products of [`CARRIED_OVER`] across). On any failure the staging directory is removed
/// and `out` is as it was: there is never a partial tree at `out`.
pub fn replace_dir(out: &Path, files: &BTreeMap<String, String>) -> Result<(), XtaskError> {
    if let Some(bad) = files.keys().find(|relative| !is_plain_relative(relative)) {
        return Err(refuse(out, format!("the generator produced the file name {bad:?}, which leaves the directory")));
    }
    let staging = fresh_sibling(out, "new")?;
    let written = write_all(&staging, files);
    if let Err(error) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    swap_in(out, &staging)
}

fn write_all(staging: &Path, files: &BTreeMap<String, String>) -> Result<(), XtaskError> {
    for (relative, text) in files {
        let path = staging.join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| XtaskError::io(dir, e))?;
        }
        fs::write(&path, text).map_err(|e| XtaskError::io(&path, e))?;
    }
    Ok(())
}

fn swap_in(out: &Path, staging: &Path) -> Result<(), XtaskError> {
    let previous = if out.exists() {
        let previous = fresh_sibling(out, "old")?;
        // `rename` onto an empty directory replaces it on Unix; remove it first for Windows.
        let _ = fs::remove_dir(&previous);
        if let Err(e) = fs::rename(out, &previous) {
            let _ = fs::remove_dir_all(staging);
            return Err(XtaskError::io(out, e));
        }
        Some(previous)
    } else {
        None
    };
    if let Some(previous) = &previous {
        for name in CARRIED_OVER {
            let from = previous.join(name);
            if fs::symlink_metadata(&from).is_ok() {
                // Best effort: a build product that cannot move stays in the old tree and is
                // deleted with it, which costs a rebuild, never generated content.
                let _ = fs::rename(&from, staging.join(name));
            }
        }
    }
    if let Err(e) = fs::rename(staging, out) {
        if let Some(previous) = &previous {
            for name in CARRIED_OVER {
                let _ = fs::rename(staging.join(name), previous.join(name));
            }
            let _ = fs::rename(previous, out);
        }
        let _ = fs::remove_dir_all(staging);
        return Err(XtaskError::io(out, e));
    }
    if let Some(previous) = previous {
        fs::remove_dir_all(&previous).map_err(|e| XtaskError::io(&previous, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_are_written() {
        for good in ["Cargo.toml", "src/lib.rs", "src/models/a_b.rs"] {
            assert!(is_plain_relative(good), "{good}");
        }
        for bad in ["", "/etc/passwd", "../x", "src/../../x", "./x", "a\\..\\b"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn the_marker_lists_exactly_the_files() {
        let files: BTreeMap<String, String> =
            [("src/lib.rs".to_owned(), String::new()), ("Cargo.toml".to_owned(), String::new())].into();
        let listed = parse_marker(&marker_text(&files));
        assert_eq!(listed, ["Cargo.toml".to_owned(), "src/lib.rs".to_owned()].into());
    }
}
