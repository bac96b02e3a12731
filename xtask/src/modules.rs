//! `cargo xtask modules`: every pinned module document as a standalone crate, linted (and with
//! `--test`, its generated every-operation test run), so that a generator change that breaks
//! only Sites or Files is caught. CI cannot afford this on 2 cores (the 38 crates hold 74 MB of
//! source); `xtask/tests/modules.rs` checks in CI that every document still generates.
//!
//! Each crate is written to `<target>/modules/<Module>` (inside the target directory, so
//! nothing lands in the repository) and built with one shared `<target>/modules-target`: the
//! crates' package names differ, so they share compiled dependencies safely.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::codegen::XtaskError;

/// What `cargo xtask modules` does for each document.
pub struct Options {
    /// Only these modules (file stems such as `Sites`); empty means all.
    pub only: Vec<String>,
    /// Also run `cargo test` after clippy passed.
    pub test: bool,
}

/// One module's outcome.
struct Outcome {
    module: String,
    clippy: Result<f64, String>,
    test: Option<Result<f64, String>>,
}

/// The pinned documents ([`crate::pinned_documents`]), smallest first (so that
/// most results come early).
fn documents(root: &Path, only: &[String]) -> Result<Vec<(String, PathBuf)>, XtaskError> {
    let pinned = crate::pinned_documents(root)?;
    if let Some(missing) = only.iter().find(|m| !pinned.contains_key(*m)) {
        return Err(crate::bench::command_error("--only", format!("no document openapi/{missing}.yml")));
    }
    let mut found = Vec::new();
    for (stem, path) in pinned {
        if only.is_empty() || only.contains(&stem) {
            let size = std::fs::metadata(&path).map_err(|e| XtaskError::io(&path, e))?.len();
            found.push((size, stem, path));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, stem, path)| (stem, path)).collect())
}

/// Runs `cargo <args>` in `dir`; the wall time, or the tail of its output.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<f64, String> {
    let started = Instant::now();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .args(args)
        .output()
        .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
    if output.status.success() {
        return Ok(started.elapsed().as_secs_f64());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    let first_error = text.lines().position(|l| l.starts_with("error"));
    let lines: Vec<&str> = text.lines().collect();
    let from = first_error.unwrap_or(lines.len().saturating_sub(20));
    Err(lines[from..lines.len().min(from + 20)].join("\n"))
}

/// Generates, lints and (with `--test`) tests each module; prints a table. `Ok(false)` when
/// any module failed.
pub fn run(root: &Path, options: &Options) -> Result<bool, XtaskError> {
    let target = crate::bench::target_dir(root);
    let shared = target.join("modules-target");
    let mut outcomes = Vec::new();
    for (module, document) in documents(root, &options.only)? {
        let out = target.join("modules").join(&module);
        eprintln!("modules: {module}");
        crate::codegen::standalone(root, &document, "all", &out)?;
        let clippy = cargo(&out, &shared, &["clippy", "--all-targets", "--", "-D", "warnings"]);
        let test = match (&clippy, options.test) {
            (Ok(_), true) => Some(cargo(&out, &shared, &["test"])),
            _ => None,
        };
        outcomes.push(Outcome { module, clippy, test });
    }
    let mut table = String::from("| module | clippy -D warnings | generated test |\n|---|---|---|\n");
    let mut failures = String::new();
    let show = |r: &Option<Result<f64, String>>| match r {
        None => "–".to_owned(),
        Some(Ok(t)) => format!("passed ({t:.0} s)"),
        Some(Err(_)) => "**failed**".to_owned(),
    };
    for o in &outcomes {
        let _ = writeln!(table, "| {} | {} | {} |", o.module, show(&Some(o.clippy.clone())), show(&o.test));
        for (what, result) in [("clippy", Some(&o.clippy)), ("test", o.test.as_ref())] {
            if let Some(Err(tail)) = result {
                let _ = writeln!(failures, "\n{} ({what}):\n{tail}", o.module);
            }
        }
    }
    println!("{table}{failures}");
    Ok(failures.is_empty())
}
