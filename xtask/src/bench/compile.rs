//! Benchmark 4: cold release builds of the SDK (default features and `--features full`)
//! and of a client that progenitor generates from the same acquireAccessToken fragment,
//! in fresh temporary target directories, side by side in one run.
//!
//! For each: the cold build (dependencies included), the crate alone (its dependencies
//! already built in that target directory: `cargo clean -p <crate>`, then the timed
//! build), and the size of its rlib. The peer project lives in a temporary directory for
//! the duration of the run and is never committed.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

use super::{SummaryRow, cargo, command_error};
use crate::codegen::XtaskError;

/// The progenitor requirement of the peer (the current release when this was written, per
/// `cargo info progenitor`); its other dependencies are the ones progenitor's README lists.
pub const PROGENITOR: &str = "0.15";

/// A directory removed on drop (temporary target directories and the peer project).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Result<TempDir, XtaskError> {
        let dir = std::env::temp_dir().join(format!("msgraph-bench-{name}-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| XtaskError::Io { path: dir.clone(), error: e })?;
        }
        fs::create_dir_all(&dir).map_err(|e| XtaskError::Io { path: dir.clone(), error: e })?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// One timed cargo invocation.
#[derive(Clone, Debug)]
struct Build {
    seconds: f64,
    /// Crates compiled (`Compiling …` lines).
    crates: usize,
}

/// Runs cargo in `dir` with `CARGO_TARGET_DIR=target`; returns the time and number of
/// crates compiled, or the error lines of a failed build.
fn cargo_in(dir: &Path, target: &Path, args: &[&str]) -> Result<Build, String> {
    let started = Instant::now();
    let output = Command::new(cargo())
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        // A compiler cache would make "cold" warm.
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.trim_start().starts_with("Compiling") && !l.trim_start().starts_with("Downloaded"))
            .collect();
        let keep = errors.len().saturating_sub(60);
        return Err(errors[keep..].join("\n"));
    }
    let crates = stderr.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count();
    Ok(Build { seconds, crates })
}

/// The newest `lib<name>-*.rlib` under `target/release/deps`, with its size.
fn rlib(target: &Path, name: &str) -> Option<(u64, SystemTime)> {
    let prefix = format!("lib{}-", name.replace('-', "_"));
    fs::read_dir(target.join("release/deps"))
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            file.starts_with(&prefix) && file.ends_with(".rlib")
        })
        .filter_map(|e| e.metadata().ok().and_then(|m| Some((m.len(), m.modified().ok()?))))
        .max_by_key(|(_, modified)| *modified)
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}

fn secs(seconds: f64) -> String {
    format!("{seconds:.1} s")
}

/// The figures of one crate configuration.
#[derive(Clone, Debug, Default)]
struct Figures {
    cold: Option<Build>,
    alone: Option<Build>,
    rlib: Option<u64>,
}

fn row(name: &str, figures: &Figures) -> String {
    let cold = figures.cold.as_ref();
    format!(
        "| {name} | {} | {} | {} | {} |",
        cold.map_or("–".to_owned(), |b| secs(b.seconds)),
        cold.map_or("–".to_owned(), |b| b.crates.to_string()),
        figures.alone.as_ref().map_or("–".to_owned(), |b| secs(b.seconds)),
        figures.rlib.map_or("–".to_owned(), size),
    )
}

/// Versions of `names` in a `Cargo.lock` (`name = "…"` followed by `version = "…"`).
pub fn locked_versions(lock: &str, names: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    for line in lock.lines() {
        if let Some(name) = line.strip_prefix("name = ") {
            current = Some(name.trim_matches('"'));
        } else if let (Some(version), Some(name)) = (line.strip_prefix("version = "), current) {
            if names.contains(&name) {
                out.push((name.to_owned(), version.trim_matches('"').to_owned()));
            }
            current = None;
        }
    }
    out
}

fn peer_manifest() -> String {
    format!(
        "[package]\nname = \"progenitor-peer\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n\
         # As progenitor's README lists them for the generate_api! macro.\n\
         futures = \"0.3\"\n\
         progenitor = \"{PROGENITOR}\"\n\
         reqwest = {{ version = \"0.13\", features = [\"json\", \"query\", \"stream\"] }}\n\
         serde = {{ version = \"1.0\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\n\n\
         # Its own workspace, wherever the temporary directory is.\n[workspace]\n"
    )
}

const PEER_LIB: &str = "//! The acquireAccessToken fragment of the Graph Applications document, generated by progenitor.\n\
                        progenitor::generate_api!(\"fragment.json\");\n";

/// Cold build + crate alone + rlib of the SDK with `features`.
fn sdk(root: &Path, features: &[&str], alone_too: bool) -> Result<(Figures, Option<Figures>), XtaskError> {
    let target = TempDir::new("sdk-target")?;
    let mut args = vec!["build", "--release", "--locked", "-p", "msgraph-sdk"];
    args.extend_from_slice(features);
    eprintln!("bench:   cold `cargo build --release -p msgraph-sdk {}` in a fresh target dir", features.join(" "));
    let cold = cargo_in(root, &target.0, &args).map_err(|e| command_error("cargo build -p msgraph-sdk", e))?;
    let mut figures = Figures { cold: Some(cold), alone: None, rlib: rlib(&target.0, "msgraph-sdk").map(|r| r.0) };
    if !alone_too {
        return Ok((figures, None));
    }
    // The crate alone: its dependencies stay built in this target dir.
    cargo_in(root, &target.0, &["clean", "--release", "-p", "msgraph-sdk"])
        .map_err(|e| command_error("cargo clean -p msgraph-sdk", e))?;
    eprintln!("bench:   msgraph-sdk alone (default features)");
    figures.alone = Some(
        cargo_in(root, &target.0, &["build", "--release", "--locked", "-p", "msgraph-sdk"])
            .map_err(|e| command_error("cargo build -p msgraph-sdk", e))?,
    );
    figures.rlib = rlib(&target.0, "msgraph-sdk").map(|r| r.0);
    // `full` only switches the SDK's own modules on: same dependencies, already built.
    eprintln!("bench:   msgraph-sdk alone (--features full)");
    let full_alone =
        cargo_in(root, &target.0, &["build", "--release", "--locked", "-p", "msgraph-sdk", "--features", "full"])
            .map_err(|e| command_error("cargo build -p msgraph-sdk --features full", e))?;
    let full = Figures { cold: None, alone: Some(full_alone), rlib: rlib(&target.0, "msgraph-sdk").map(|r| r.0) };
    Ok((figures, Some(full)))
}

/// The peer: fragment → temporary project → cold build + crate alone + rlib. Returns the
/// figures or the exact error.
fn peer(exe: &Path, dir: &Path, adapted: bool, versions: &mut Vec<(String, String)>) -> Result<Figures, String> {
    let fragment = dir.join("fragment.json");
    let mut args = vec!["fragment".to_owned(), fragment.display().to_string()];
    if adapted {
        args.push("--adapted".to_owned());
    }
    let output = Command::new(exe).args(&args).output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    fs::write(dir.join("Cargo.toml"), peer_manifest()).map_err(|e| e.to_string())?;
    fs::write(dir.join("src/lib.rs"), PEER_LIB).map_err(|e| e.to_string())?;
    let target = dir.join("target");
    // Resolution and downloads are not part of the build time.
    cargo_in(dir, &target, &["generate-lockfile"])?;
    cargo_in(dir, &target, &["fetch", "--locked"])?;
    let lock = fs::read_to_string(dir.join("Cargo.lock")).unwrap_or_default();
    *versions = locked_versions(
        &lock,
        &["progenitor", "progenitor-impl", "progenitor-client", "typify", "reqwest", "serde", "serde_json", "futures"],
    );
    eprintln!(
        "bench:   cold `cargo build --release` of the progenitor peer{}",
        if adapted { " (adapted)" } else { "" }
    );
    let cold = cargo_in(dir, &target, &["build", "--release", "--locked"])?;
    cargo_in(dir, &target, &["clean", "--release", "-p", "progenitor-peer"])?;
    eprintln!("bench:   progenitor peer alone");
    let alone = cargo_in(dir, &target, &["build", "--release", "--locked"])?;
    Ok(Figures { cold: Some(cold), alone: Some(alone), rlib: rlib(&target, "progenitor-peer").map(|r| r.0) })
}

/// `cargo xtask bench` part 4; returns the Markdown section and the summary rows.
pub fn run(root: &Path, exe: &Path) -> Result<(String, Vec<SummaryRow>), XtaskError> {
    // Downloads are not part of the build time.
    cargo_in(root, &super::target_dir(root), &["fetch", "--locked"]).map_err(|e| command_error("cargo fetch", e))?;
    let (default, full_alone) = sdk(root, &[], true)?;
    let (full_cold, _) = sdk(root, &["--features", "full"], false)?;
    let full = Figures {
        cold: full_cold.cold,
        alone: full_alone.as_ref().and_then(|f| f.alone.clone()),
        rlib: full_cold.rlib.or(full_alone.and_then(|f| f.rlib)),
    };
    let mut versions = Vec::new();
    let peer_dir = TempDir::new("progenitor-peer")?;
    let peer_result = peer(exe, &peer_dir.0, false, &mut versions);
    drop(peer_dir);
    let adapted = match &peer_result {
        Ok(_) => None,
        Err(_) => {
            let dir = TempDir::new("progenitor-peer-adapted")?;
            let mut adapted_versions = Vec::new();
            let result = peer(exe, &dir.0, true, &mut adapted_versions);
            if versions.is_empty() {
                versions = adapted_versions;
            }
            Some(result)
        }
    };

    let mut out = String::new();
    let _ = writeln!(out, "## 4. Compile cost: the SDK vs a progenitor-generated client\n");
    let _ = writeln!(
        out,
        "`cargo build --release` (the workspace's release profile, 2 jobs on this machine), each configuration in a \
         fresh temporary `CARGO_TARGET_DIR` that is deleted afterwards; sources downloaded beforehand (`cargo fetch`), \
         no compiler cache. **Cold** = dependencies included. **Crate alone** = the same target dir after \
         `cargo clean --release -p <crate>`, so only the crate itself compiles (for `--features full` the \
         dependencies are the same as for the default build: only the SDK's own modules switch on). One build each: \
         compile times move with the machine's load, so compare the rows with each other.\n"
    );
    let _ = writeln!(
        out,
        "The peer is a temporary crate (never committed) that calls `progenitor::generate_api!(\"fragment.json\")`, \
         with the dependencies progenitor's README lists (`futures`, `progenitor = \"{PROGENITOR}\"`, `reqwest 0.13` \
         with `json`, `query`, `stream`, `serde` with `derive`, plus `serde_json`), resolved from crates.io at bench \
         time{}. `fragment.json` is written by `msgraph-bench fragment`: the two \
         `…/synchronization/microsoft.graph.acquireAccessToken` paths of `openapi/Applications.yml`, verbatim, with \
         every component they reference (transitively: the request body's pair and enum schemas, the `error` \
         response and the four ODataErrors schemas) and the document's `openapi`/`info`/`servers`.\n",
        if versions.is_empty() {
            String::new()
        } else {
            format!(" (resolved: {})", versions.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", "))
        }
    );
    let _ = writeln!(out, "| crate | cold build | crates compiled (cold) | crate alone | rlib |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let _ =
        writeln!(out, "{}", row("`msgraph-sdk`, default features (the two acquireAccessToken operations)", &default));
    let _ = writeln!(out, "{}", row("`msgraph-sdk --features full` (all operations and models)", &full));
    let mut rows = Vec::new();
    let sdk_default = default.cold.as_ref().map(|b| b.seconds);
    match &peer_result {
        Ok(figures) => {
            let _ = writeln!(out, "{}", row("progenitor peer, the same fragment as-is", figures));
            compare(&mut out, &mut rows, &default, figures, "as-is");
        }
        Err(error) => {
            let _ = writeln!(out, "| progenitor peer, the same fragment as-is | refused (below) | – | – | – |");
            let _ = writeln!(
                out,
                "\nprogenitor refused the fragment as-is; the exact error:\n\n```text\n{}\n```",
                error.trim()
            );
            rows.push(SummaryRow {
                benchmark: "4. compile: progenitor peer".to_owned(),
                figure: "refused the fragment as-is (error in section 4)".to_owned(),
                target: "–".to_owned(),
                verdict: "–".to_owned(),
            });
            match adapted {
                Some(Ok(figures)) => {
                    let _ = writeln!(
                        out,
                        "\n**Adapted fragment** (the only changes: the `2XX` response key renamed `204`, and every \
                         `additionalProperties: {{type: object}}` removed):\n\n| crate | cold build | crates compiled \
                         (cold) | crate alone | rlib |\n|---|---|---|---|---|\n{}",
                        row("progenitor peer, ADAPTED fragment", &figures)
                    );
                    compare(&mut out, &mut rows, &default, &figures, "adapted fragment");
                }
                Some(Err(error)) => {
                    let _ = writeln!(out, "\nThe adapted fragment failed too:\n\n```text\n{}\n```", error.trim());
                }
                None => {}
            }
        }
    }
    let _ = writeln!(out);
    rows.insert(
        0,
        SummaryRow {
            benchmark: "4. compile: `msgraph-sdk` default / `full`".to_owned(),
            figure: format!(
                "cold {} / {}; alone {} / {}; rlib {} / {}",
                sdk_default.map_or("–".to_owned(), secs),
                full.cold.as_ref().map_or("–".to_owned(), |b| secs(b.seconds)),
                default.alone.as_ref().map_or("–".to_owned(), |b| secs(b.seconds)),
                full.alone.as_ref().map_or("–".to_owned(), |b| secs(b.seconds)),
                default.rlib.map_or("–".to_owned(), size),
                full.rlib.map_or("–".to_owned(), size),
            ),
            target: "–".to_owned(),
            verdict: "–".to_owned(),
        },
    );
    Ok((out, rows))
}

fn compare(out: &mut String, rows: &mut Vec<SummaryRow>, sdk: &Figures, peer: &Figures, label: &str) {
    let ratio = |a: Option<&Build>, b: Option<&Build>| match (a, b) {
        (Some(a), Some(b)) if b.seconds > 0.0 => format!("{:.2}", a.seconds / b.seconds),
        _ => "–".to_owned(),
    };
    let cold = ratio(sdk.cold.as_ref(), peer.cold.as_ref());
    let alone = ratio(sdk.alone.as_ref(), peer.alone.as_ref());
    let rlib = match (sdk.rlib, peer.rlib) {
        (Some(a), Some(b)) if b > 0 => format!("{:.2}", a as f64 / b as f64),
        _ => "–".to_owned(),
    };
    let _ = writeln!(
        out,
        "\nSDK (default features) / progenitor peer ({label}): cold build **{cold}**, crate alone **{alone}**, \
         rlib **{rlib}**. The peer's \"crate alone\" includes running progenitor (the `generate_api!` macro \
         reads the fragment and generates the client at compile time), while the SDK's code was generated ahead of \
         time; the peer's cold build compiles the generator (progenitor, typify, syn, openapiv3, …) among its \
         dependencies, the SDK's compiles its runtime (`msgraph-runtime`, also on reqwest 0.13)."
    );
    rows.push(SummaryRow {
        benchmark: format!("4. compile: SDK default / progenitor peer ({label})"),
        figure: format!("cold **{cold}**, crate alone **{alone}**, rlib **{rlib}**"),
        target: "–".to_owned(),
        verdict: "–".to_owned(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locked_versions() {
        let lock = "[[package]]\nname = \"serde\"\nversion = \"1.0.228\"\n\n[[package]]\nname = \"syn\"\nversion = \"2.0.1\"\n";
        assert_eq!(locked_versions(lock, &["serde"]), [("serde".to_owned(), "1.0.228".to_owned())]);
    }

    #[test]
    fn the_peer_manifest_is_its_own_workspace() {
        let manifest = peer_manifest();
        assert!(manifest.contains("progenitor = \"0.15\""));
        assert!(manifest.trim_end().ends_with("[workspace]"));
    }
}
