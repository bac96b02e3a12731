//! `cargo xtask …`: the maintainer's commands. See `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintainer commands of the Microsoft Graph Rust SDK")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the SDK (generated/) and the generator's golden outputs from openapi/.
    Codegen {
        /// Regenerate in memory and compare with the committed tree; exit 1 if it is stale.
        #[arg(long, conflicts_with_all = ["document", "out"])]
        check: bool,
        /// Generate a standalone crate from this document instead (with --out).
        #[arg(long, requires = "out")]
        document: Option<PathBuf>,
        /// With --document: `all` or a comma-separated list of operationIds.
        #[arg(long, default_value = "all", requires = "document")]
        select: String,
        /// With --document: the directory to write the crate into.
        #[arg(long, requires = "document")]
        out: Option<PathBuf>,
    },
    /// Generate every pinned module document (openapi/*.yml) as a standalone crate under the
    /// target directory and lint it (clippy -D warnings); with --test also run its generated
    /// every-operation test. Long: all 38 hold about 74 MB of source.
    Modules {
        /// Only these modules (comma-separated file stems, e.g. `Mail,Sites`).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Also run each crate's generated test.
        #[arg(long)]
        test: bool,
    },
    /// Report which operations of every pinned module document find their permissions in
    /// Microsoft's permission reference (PERMISSIONS.md).
    Permissions {
        /// Compare with the committed report instead; exit 1 if it is stale.
        #[arg(long)]
        check: bool,
    },
    /// Run every benchmark (release builds) and rewrite BENCHMARKS.md; takes about 20 minutes.
    Bench {
        /// Run only these benchmarks (comma-separated: codegen, http, serde, compile, size) and
        /// print their sections instead of rewriting BENCHMARKS.md.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = xtask::workspace_root();
    let result = match cli.command {
        Command::Codegen { check: true, .. } => xtask::codegen::check(&root).map(|report| {
            if report.is_fresh() {
                println!("generated code is up to date ({} files checked)", report.files_checked);
                true
            } else {
                eprintln!("{report}");
                false
            }
        }),
        Command::Codegen { document: Some(document), out: Some(out), select, .. } => {
            xtask::codegen::standalone(&root, &document, &select, &out).map(|()| true)
        }
        Command::Codegen { .. } => xtask::codegen::write(&root).map(|()| true),
        Command::Modules { only, test } => xtask::modules::run(&root, &xtask::modules::Options { only, test }),
        Command::Permissions { check } => xtask::permissions::run(&root, check),
        Command::Bench { only } => {
            xtask::bench::Selection::from_names(&only).and_then(|s| xtask::bench::run(&root, s)).map(|()| true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
