//! `cargo xtask bench`: runs every benchmark and rewrites `BENCHMARKS.md`.
//!
//! The timed work runs in release binaries, never in this (debug) process:
//!
//! 1. builds `msgraph-bench` (`cargo build --release -p msgraph-bench`);
//! 2. runs its `codegen`, `http` and `serde` benchmarks, each printing a Markdown section
//!    and `summary|…` rows;
//! 3. runs the compile benchmark ([`compile`]): cold release builds of the SDK and of a
//!    progenitor-generated peer, in fresh temporary target directories;
//! 4. writes `BENCHMARKS.md` with the summary, the sections, the exact command and a note
//!    of the machine (CPU, cores, rustc, date, load).
//!
//! Benchmarks report medians and ratios measured in the same run: the machines are shared
//! and noisy, so absolute figures from different runs are not comparable.

pub mod compile;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::codegen::XtaskError;

/// The command this module implements, as printed in `BENCHMARKS.md`.
pub const COMMAND: &str = "cargo xtask bench";

/// Which benchmarks to run (all by default).
#[derive(Clone, Copy, Debug)]
pub struct Selection {
    /// 1. codegen.
    pub codegen: bool,
    /// 2. per-call overhead.
    pub http: bool,
    /// 3. serialization.
    pub serde: bool,
    /// 4. compile cost.
    pub compile: bool,
    /// 5. generated code size.
    pub size: bool,
}

impl Selection {
    /// Every benchmark.
    pub const ALL: Selection = Selection { codegen: true, http: true, serde: true, compile: true, size: true };

    /// `--only` names (`codegen`, `http`, `serde`, `compile`, `size`); none means all.
    pub fn from_names(names: &[String]) -> Result<Selection, XtaskError> {
        if names.is_empty() {
            return Ok(Selection::ALL);
        }
        if let Some(unknown) =
            names.iter().find(|n| !["codegen", "http", "serde", "compile", "size"].contains(&n.as_str()))
        {
            return Err(command_error(
                "--only",
                format!("unknown benchmark {unknown:?} (codegen, http, serde, compile, size)"),
            ));
        }
        let has = |name: &str| names.iter().any(|n| n == name);
        Ok(Selection {
            codegen: has("codegen"),
            http: has("http"),
            serde: has("serde"),
            compile: has("compile"),
            size: has("size"),
        })
    }

    fn is_all(&self) -> bool {
        self.codegen && self.http && self.serde && self.compile && self.size
    }
}

/// A row of the summary table.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    /// Which benchmark and figure.
    pub benchmark: String,
    /// The measured figure.
    pub figure: String,
    /// The target, or `–`.
    pub target: String,
    /// `met`, `**missed**` or `–`.
    pub verdict: String,
}

/// Splits a benchmark's output into its Markdown section and its summary rows.
pub fn split_output(stdout: &str) -> (String, Vec<SummaryRow>) {
    let mut section = String::new();
    let mut rows = Vec::new();
    for line in stdout.lines() {
        match line.strip_prefix("summary|") {
            Some(row) => {
                let fields: Vec<&str> = row.splitn(4, '|').collect();
                if let [benchmark, figure, target, verdict] = fields[..] {
                    rows.push(SummaryRow {
                        benchmark: benchmark.to_owned(),
                        figure: figure.to_owned(),
                        target: target.to_owned(),
                        verdict: verdict.to_owned(),
                    });
                }
            }
            None => {
                section.push_str(line);
                section.push('\n');
            }
        }
    }
    (section.trim_end().to_owned() + "\n", rows)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The target directory cargo uses for this workspace (`CARGO_TARGET_DIR` or `target/`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

pub(crate) fn command_error(what: &str, error: impl std::fmt::Display) -> XtaskError {
    XtaskError::Io { path: PathBuf::from(what), error: std::io::Error::other(error.to_string()) }
}

/// Runs `msgraph-bench ARGS`, progress on our stderr; returns its stdout.
fn run_bench(exe: &Path, args: &[&str]) -> Result<String, XtaskError> {
    let output = Command::new(exe)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| command_error(&exe.display().to_string(), e))?;
    if !output.status.success() {
        return Err(command_error(
            &format!("msgraph-bench {}", args.join(" ")),
            format!("exited with {}", output.status),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn first_line(command: &mut Command) -> String {
    command
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The load averages of `/proc/loadavg` (1, 5, 15 minutes).
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// CPU model, logical CPUs, memory, kernel, rustc and cargo versions, date.
pub fn machine() -> Vec<(&'static str, String)> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned());
    let logical = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let available = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().trim_end_matches(" kB").to_owned()))
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.1} GiB", kb as f64 / (1024.0 * 1024.0)))
        .unwrap_or_else(|| "unknown".to_owned());
    vec![
        ("CPU", format!("{model} (`/proc/cpuinfo`)")),
        ("cores", format!("{logical} logical CPUs in /proc/cpuinfo, {available} available to this process")),
        ("memory", memory),
        ("kernel", first_line(Command::new("uname").args(["-sr"]))),
        ("rustc", first_line(Command::new("rustc").arg("--version"))),
        ("cargo", first_line(Command::new(cargo()).arg("--version"))),
        ("date", first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))),
    ]
}

fn minutes(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    format!("{} min {:02} s", whole / 60, whole % 60)
}

/// `cargo xtask bench`: runs the selected benchmarks and rewrites `BENCHMARKS.md` (only
/// when all of them ran; a partial run prints its sections instead).
pub fn run(root: &Path, selection: Selection) -> Result<(), XtaskError> {
    let started = Instant::now();
    let load_start = load_average();
    let machine = machine();
    let mut timings: Vec<(&str, f64)> = Vec::new();

    eprintln!("bench: building msgraph-bench (release)");
    let phase = Instant::now();
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--release", "--locked", "-p", "msgraph-bench"])
        .status()
        .map_err(|e| command_error("cargo build -p msgraph-bench", e))?;
    if !status.success() {
        return Err(command_error("cargo build --release -p msgraph-bench", format!("exited with {status}")));
    }
    timings.push(("build of the release bench binary", phase.elapsed().as_secs_f64()));
    let exe = target_dir(root).join("release").join(format!("msgraph-bench{}", std::env::consts::EXE_SUFFIX));

    let mut sections = Vec::new();
    let mut summary = Vec::new();
    for (enabled, name, label) in [
        (selection.codegen, "codegen", "1. codegen"),
        (selection.http, "http", "2. per-call overhead"),
        (selection.serde, "serde", "3. serialization"),
    ] {
        if !enabled {
            continue;
        }
        eprintln!("bench: {label}");
        let phase = Instant::now();
        let (section, rows) = split_output(&run_bench(&exe, &[name])?);
        timings.push((label, phase.elapsed().as_secs_f64()));
        sections.push(section);
        summary.extend(rows);
    }
    if selection.compile {
        eprintln!("bench: 4. compile cost (cold release builds; the longest part)");
        let phase = Instant::now();
        let (section, rows) = compile::run(root, &exe)?;
        timings.push(("4. compile cost", phase.elapsed().as_secs_f64()));
        sections.push(section);
        summary.extend(rows);
    }
    if selection.size {
        eprintln!("bench: 5. generated code size");
        let phase = Instant::now();
        let (section, rows) = split_output(&run_bench(&exe, &["size"])?);
        timings.push(("5. generated code size", phase.elapsed().as_secs_f64()));
        sections.push(section);
        summary.extend(rows);
    }
    let total = started.elapsed().as_secs_f64();
    let load_end = load_average();

    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `{COMMAND}` (see README, \"Benchmarks\"); do not edit by hand, rerun it. The timed code runs \
         in release builds only (`cargo build --release -p msgraph-bench`, then the cold builds of benchmark 4). \
         Machines are shared and noisy, so every comparison is a **ratio of medians measured in the same run**, \
         with the two sides interleaved; absolute times from different runs are not comparable. There are no \
         timed assertions in the test suite.\n"
    );
    let _ = writeln!(out, "## This run\n");
    let _ = writeln!(
        out,
        "- command: `{COMMAND}`{}",
        match std::env::var("CARGO_TARGET_DIR") {
            Ok(dir) if !dir.is_empty() => format!(" (with `CARGO_TARGET_DIR={dir}`)"),
            _ => String::new(),
        }
    );
    for (name, value) in &machine {
        let _ = writeln!(out, "- {name}: {value}");
    }
    let _ = writeln!(
        out,
        "- load average (1, 5, 15 min, `/proc/loadavg`): {load_start} at the start, {load_end} at the end (other \
         work shared the machine: a load above the core count slows every figure)"
    );
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    let busiest =
        [&load_start, &load_end].iter().filter_map(|l| l.split(", ").next()?.parse::<f64>().ok()).fold(0.0, f64::max);
    if busiest > cores {
        let _ = writeln!(
            out,
            "- **warning**: the 1-minute load ({busiest:.2}) exceeded the {cores} cores. Ratios of sequential work \
             (codegen, serialization) hold, but the per-call and throughput ratios of benchmark 2 do not: the SDK \
             and the raw client compete with the other work differently. Rerun on a quiet machine before reading \
             benchmark 2."
        );
    }
    let _ = writeln!(
        out,
        "- duration: {} in all ({})",
        minutes(total),
        timings.iter().map(|(name, t)| format!("{name} {}", minutes(*t))).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(out, "\n## Summary\n");
    let _ = writeln!(out, "| benchmark | figure (this run) | target | verdict |\n|---|---|---|---|");
    for row in &summary {
        let _ = writeln!(out, "| {} | {} | {} | {} |", row.benchmark, row.figure, row.target, row.verdict);
    }
    let missed: Vec<&SummaryRow> = summary.iter().filter(|r| r.verdict.contains("missed")).collect();
    if !missed.is_empty() {
        let _ = writeln!(
            out,
            "\n{} target(s) missed: each section below explains why with a profile of where the time goes.",
            missed.len()
        );
    }
    for section in &sections {
        let _ = writeln!(out, "\n{section}");
    }
    if selection.is_all() {
        let path = root.join("BENCHMARKS.md");
        fs::write(&path, out.trim_end().to_owned() + "\n")
            .map_err(|e| XtaskError::Io { path: path.clone(), error: e })?;
        println!("wrote BENCHMARKS.md in {}", minutes(total));
    } else {
        println!("{out}");
        eprintln!("bench: a partial run does not rewrite BENCHMARKS.md");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sections_and_summary_rows() {
        let (section, rows) = split_output("## 1. x\n\ntext\nsummary|1. a|b = **2x**|≤ 2x|met\n");
        assert_eq!(section, "## 1. x\n\ntext\n");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].figure, "b = **2x**");
        assert_eq!(rows[0].verdict, "met");
    }

    #[test]
    fn formats_minutes() {
        assert_eq!(minutes(125.4), "2 min 05 s");
    }
}
