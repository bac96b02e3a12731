//! Profiles of this binary's workloads, for missed targets: `perf record` (cpu-clock
//! samples, DWARF call graphs) when it works, else valgrind callgrind instruction counts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;

/// Sampling frequency of `perf record` (samples per second of CPU time).
pub const FREQUENCY: u32 = 999;

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Result<Scratch> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("msgraph-bench-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(command: &mut Command) -> Result<String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{command:?} failed: {}", stderr.trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// One row of a profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Self time: percentage of samples (or of instructions, for callgrind).
    pub percent: f64,
    /// Inclusive percentage (callees included), when known.
    pub children: Option<f64>,
    /// Self samples, when known.
    pub samples: Option<u64>,
    /// Binary or library.
    pub dso: String,
    /// Demangled symbol.
    pub symbol: String,
}

fn percent(field: &str) -> Option<f64> {
    field.strip_suffix('%')?.parse().ok()
}

/// Parses `perf report --stdio --sort dso,symbol` lines, with or without `--children`
/// and `-n`.
pub fn parse_perf_report(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        let Some(first) = fields.first().and_then(|f| percent(f)) else { continue };
        let mut rest = &fields[1..];
        // With --children: "Children Self …".
        let (children, self_percent) = match rest.first().and_then(|f| percent(f)) {
            Some(second) => {
                rest = &rest[1..];
                (Some(first), second)
            }
            None => (None, first),
        };
        // With -n: a sample count.
        let samples = rest.first().and_then(|f| f.parse::<u64>().ok());
        if samples.is_some() {
            rest = &rest[1..];
        }
        let Some(marker) = rest.iter().position(|f| *f == "[.]" || *f == "[k]") else { continue };
        // Newer perf appends IPC columns, shown as "-" without hardware counters.
        let mut end = rest.len();
        while end > marker + 1 && rest[end - 1] == "-" {
            end -= 1;
        }
        rows.push(Row {
            percent: self_percent,
            children,
            samples,
            dso: rest[..marker].join(" "),
            symbol: rest[marker + 1..end].join(" "),
        });
    }
    rows
}

/// What a symbol's time is attributed to: the crate of its path (the implementing type's
/// crate for `<T as Trait>::f`), libc (allocator, memcpy), or the kernel.
pub fn owner(dso: &str, symbol: &str) -> String {
    if dso.contains("kernel") {
        return "kernel (syscalls, network stack)".to_owned();
    }
    if dso.starts_with("libc") || dso.contains("libc.so") || dso.contains("ld-linux") {
        return "libc (malloc, free, memcpy, …)".to_owned();
    }
    let mut path = symbol.trim_start_matches('<').trim_start_matches('&').trim_start_matches("mut ");
    if let Some(stripped) = path.strip_prefix("dyn ") {
        path = stripped;
    }
    match path.split_once("::") {
        Some(("__rustc", _)) => "alloc".to_owned(),
        Some((krate, _)) if !krate.is_empty() && krate.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            krate.to_owned()
        }
        _ => "other".to_owned(),
    }
}

fn shorten(symbol: &str, max: usize) -> String {
    let symbol = symbol.replace('|', "\\|").replace('`', "'");
    if symbol.chars().count() <= max {
        return symbol;
    }
    let head: String = symbol.chars().take(max).collect();
    format!("{head}…")
}

/// Whether `perf record` works here (it needs a permissive `perf_event_paranoid`).
pub fn perf_works() -> bool {
    Command::new("perf")
        .args(["record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn valgrind_works() -> bool {
    Command::new("valgrind").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

/// A perf recording of `msgraph-bench ARGS`.
pub struct Recording {
    _scratch: Scratch,
    data: String,
    /// What the workload printed on stdout.
    pub stdout: String,
    /// The command, for the report.
    pub command: String,
}

impl Recording {
    /// Records `msgraph-bench ARGS` with DWARF call graphs.
    pub fn record(args: &[&str]) -> Result<Recording> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let scratch = Scratch::new("perf")?;
        let data = scratch.0.join("perf.data").display().to_string();
        let frequency = FREQUENCY.to_string();
        let record =
            ["record", "-q", "-e", "cpu-clock", "-F", &frequency, "--call-graph", "dwarf,16384", "-o", &data, "--"];
        let stdout = run(Command::new("perf").args(record).arg(&exe).args(args))?;
        let command = format!("perf {} msgraph-bench {}", record.join(" ").replace(&data, "perf.data"), args.join(" "));
        Ok(Recording { _scratch: scratch, data, stdout, command })
    }

    /// `perf report` rows: self time (`children == false`) or inclusive time, optionally
    /// of one thread (`comm`), percentages relative to that thread.
    pub fn report(&self, children: bool, comm: Option<&str>, limit: f64) -> Result<Vec<Row>> {
        let limit = limit.to_string();
        let mut command = Command::new("perf");
        command.args([
            "report",
            "-i",
            &self.data,
            "--stdio",
            "--no-inline",
            "-n",
            "-g",
            "none",
            "--sort",
            "dso,symbol",
        ]);
        command.args(["--percent-limit", &limit, "--percentage", "relative"]);
        command.arg(if children { "--children" } else { "--no-children" });
        if let Some(comm) = comm {
            command.args(["--comms", comm]);
        }
        Ok(parse_perf_report(&run(&mut command)?))
    }
}

/// Self time per owner (crate, libc, kernel), largest first.
pub fn by_owner(rows: &[Row]) -> Vec<(String, f64)> {
    let mut owners: BTreeMap<String, f64> = BTreeMap::new();
    for row in rows {
        *owners.entry(owner(&row.dso, &row.symbol)).or_default() += row.percent;
    }
    let mut owners: Vec<(String, f64)> = owners.into_iter().collect();
    owners.sort_by(|a, b| b.1.total_cmp(&a.1));
    owners
}

/// The inclusive percentage of the first row whose symbol starts with `prefix`.
pub fn inclusive(rows: &[Row], prefix: &str) -> Option<f64> {
    rows.iter().find(|r| r.symbol.starts_with(prefix)).and_then(|r| r.children)
}

/// Frames that only wrap the workload (the binary's own loop, `main`, the runtime).
fn is_wrapper(row: &Row) -> bool {
    let s = &row.symbol;
    row.dso.contains("kernel")
        || s.starts_with("msgraph_bench::")
        || s.starts_with("std::")
        || s.starts_with("core::ops::function")
        || s.starts_with("main")
        || s.starts_with("__libc_start")
        || s.starts_with("0x")
        || s == "_start"
        || s.starts_with("tokio::runtime")
        || s.starts_with("<core::pin::Pin<P> as core::future::future::Future>::poll")
}

/// Markdown for a recording: self time per crate, top `top` symbols by self time, and by
/// inclusive time, restricted to thread `comm` when given.
pub fn render(recording: &Recording, comm: Option<&str>, top: usize) -> Result<String> {
    let flat = recording.report(false, comm, 0.05)?;
    let inclusive_rows = recording.report(true, comm, 0.5)?;
    let mut out = String::new();
    let thread = comm.map(|c| format!(", thread `{c}` only")).unwrap_or_default();
    let _ = writeln!(
        out,
        "Profiler: `{}`, then `perf report --stdio -n -g none --sort dso,symbol --no-children` (and `--children`){thread}; \
         cpu-clock samples (hardware counters are not available on this machine).\n",
        recording.command
    );
    let _ = writeln!(out, "Self time by crate:\n\n| crate | self time |\n|---|---|");
    for (owner, percent) in by_owner(&flat).iter().take(12) {
        let _ = writeln!(out, "| {owner} | {percent:.1}% |");
    }
    let _ = writeln!(out, "\nTop {top} symbols by self time:\n\n| self | symbol |\n|---|---|");
    for row in flat.iter().take(top) {
        let _ = writeln!(out, "| {:.1}% | `{}` |", row.percent, shorten(&row.symbol, 140));
    }
    let rows: Vec<&Row> = inclusive_rows.iter().filter(|r| r.children.is_some() && !is_wrapper(r)).take(top).collect();
    if !rows.is_empty() {
        let _ = writeln!(
            out,
            "\nTop {top} symbols by inclusive time (callees included, DWARF unwinding; the benchmark's own loop, \
             `main` and the Tokio scheduler left out):\n\n| inclusive | self | symbol |\n|---|---|---|"
        );
        for row in rows {
            let _ = writeln!(
                out,
                "| {:.1}% | {:.1}% | `{}` |",
                row.children.unwrap_or(0.0),
                row.percent,
                shorten(&row.symbol, 140)
            );
        }
    }
    Ok(out)
}

/// Profiles `msgraph-bench ARGS` with perf (or callgrind where perf does not work) and
/// returns Markdown with the top `top` entries.
pub fn profile_self(args: &[&str], top: usize) -> Result<String> {
    if perf_works() {
        render(&Recording::record(args)?, None, top)
    } else if valgrind_works() {
        callgrind(args, top)
    } else {
        Err("neither perf nor valgrind works on this machine".to_owned())
    }
}

/// Parses `callgrind_annotate` lines (`1,234 (12.34%)  file:function [binary]`).
fn parse_callgrind(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        let Some((_, rest)) = trimmed.split_once(" (") else { continue };
        let Some((percent, symbol)) = rest.split_once("%)") else { continue };
        let Ok(percent) = percent.trim().parse::<f64>() else { continue };
        let symbol = symbol.trim();
        let (location, dso) = match symbol.rsplit_once(" [") {
            Some((s, d)) => (s, d.trim_end_matches(']')),
            None => (symbol, ""),
        };
        let function = location.split_once(':').map_or(location, |(_, f)| f);
        if function.is_empty() {
            continue;
        }
        rows.push(Row { percent, children: None, samples: None, dso: dso.to_owned(), symbol: function.to_owned() });
    }
    rows
}

fn callgrind(args: &[&str], top: usize) -> Result<String> {
    let exe: PathBuf = std::env::current_exe().map_err(|e| e.to_string())?;
    let scratch = Scratch::new("callgrind")?;
    let out_file: &Path = &scratch.0.join("callgrind.out");
    let out_arg = format!("--callgrind-out-file={}", out_file.display());
    run(Command::new("valgrind").args(["--tool=callgrind", "-q", &out_arg]).arg(&exe).args(args))?;
    let flat = parse_callgrind(&run(Command::new("callgrind_annotate").arg(out_file))?);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Profiler: `valgrind --tool=callgrind msgraph-bench {}` (instruction counts, repeatable).\n",
        args.join(" ")
    );
    let _ = writeln!(out, "| instructions | symbol |\n|---|---|");
    for row in flat.iter().take(top) {
        let _ = writeln!(out, "| {:.1}% | `{}` |", row.percent, shorten(&row.symbol, 140));
    }
    let _ = writeln!(out, "\nBy crate:\n\n| crate | instructions |\n|---|---|");
    for (owner, percent) in by_owner(&flat).iter().take(12) {
        let _ = writeln!(out, "| {owner} | {percent:.1}% |");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_perf_lines() {
        let text = "# Overhead  Shared Object  Symbol\n\
                    \n    12.50%  msgraph-bench  [.] syn::parse::ParseBuffer::step   -   -\n\
                    \x20    3.10%  libc.so.6      [.] _int_malloc\n";
        let rows = parse_perf_report(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].percent, 12.5);
        assert_eq!(rows[0].symbol, "syn::parse::ParseBuffer::step");
        assert_eq!(owner(&rows[0].dso, &rows[0].symbol), "syn");
        assert!(owner(&rows[1].dso, &rows[1].symbol).starts_with("libc"));
        let children = parse_perf_report("    45.00%     1.00%   17  msgraph-bench  [.] prettyplease::unparse  -  -\n");
        assert_eq!(children[0].children, Some(45.0));
        assert_eq!(children[0].percent, 1.0);
        assert_eq!(children[0].samples, Some(17));
        assert_eq!(inclusive(&children, "prettyplease::unparse"), Some(45.0));
    }

    #[test]
    fn owners_of_trait_impls() {
        assert_eq!(owner("x", "<serde_json::value::Value as core::clone::Clone>::clone"), "serde_json");
        assert_eq!(owner("x", "main"), "other");
    }

    #[test]
    fn parses_callgrind_lines() {
        let rows = parse_callgrind("1,234,567 (12.34%)  ./src/lib.rs:syn::parse2 [/x/msgraph-bench]\n");
        assert_eq!(rows[0].percent, 12.34);
        assert_eq!(rows[0].symbol, "syn::parse2");
    }
}
