//! Benchmark binary behind `cargo xtask bench` (always built with `--release`).
//!
//! Each benchmark subcommand prints one Markdown section of `BENCHMARKS.md` on stdout;
//! lines starting with `summary|` are collected by the xtask into the summary table
//! (`summary|benchmark|figure|target|verdict`). Progress goes to stderr.
//!
//! ```text
//! msgraph-bench codegen            parse_only vs generate, stages, peak memory
//! msgraph-bench http               SDK vs raw reqwest against a local hyper server
//! msgraph-bench serde              typed models vs serde_json::Value
//! msgraph-bench fragment OUT.json [--adapted]   the acquireAccessToken fragment (progenitor peer)
//! ```
//!
//! The remaining subcommands (`codegen-child`, `codegen-loop`, `serde-loop`) are the
//! workloads that run in child processes for peak-memory measurement and profiling.

use std::path::Path;
use std::process::ExitCode;

use msgraph_bench::{Result, alloc, codegen, fragment, http, serde_bench, size, workspace_root};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

fn usage() -> String {
    "usage: msgraph-bench codegen|http|serde|fragment OUT.json [--adapted] \
     | codegen-child parse|generate|model default|all \
     | codegen-loop parse|generate|model default|all SECONDS \
     | http-loop sdk|raw SECONDS \
     | serde-loop serialize-typed|serialize-value|deserialize-typed|deserialize-value SECONDS"
        .to_owned()
}

fn seconds(arg: Option<&String>) -> Result<f64> {
    arg.ok_or_else(usage)?.parse::<f64>().map_err(|e| format!("invalid SECONDS: {e}"))
}

fn run(args: &[String]) -> Result<()> {
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen::bench(&root),
        Some("http") => http::bench(),
        Some("serde") => serde_bench::bench(),
        Some("size") => size::bench(&root),
        Some("fragment") => fragment::write(
            &root,
            Path::new(args.get(1).ok_or_else(usage)?),
            args.get(2).map(String::as_str) == Some("--adapted"),
        ),
        Some("codegen-child") => codegen::child(&root, args.get(1).ok_or_else(usage)?, args.get(2).ok_or_else(usage)?),
        Some("codegen-loop") => codegen::workload(
            &root,
            args.get(1).ok_or_else(usage)?,
            args.get(2).ok_or_else(usage)?,
            seconds(args.get(3))?,
        ),
        Some("http-loop") => http::workload(args.get(1).ok_or_else(usage)?, seconds(args.get(2))?),
        Some("serde-loop") => serde_bench::workload(args.get(1).ok_or_else(usage)?, seconds(args.get(2))?),
        _ => Err(usage()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("msgraph-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
