//! Benchmark 5: how much source the generator writes. For each of the 38 pinned v1.0 module
//! documents, the standalone crate of every operation is generated in memory and its bytes
//! split into operations (`src/*.rs` but models), models (`src/models/`) and the generated
//! test; the committed SDK crate likewise, from `openapi/codegen.toml`. A model several modules use is one
//! file per module today, so the whole-of-Graph figure for one crate with shared models is
//! projected from the distinct model files (the largest variant of each), and says so.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use msgraph_codegen::{CrateConfig, Inputs, OperationSelection, PermissionsTable, Pin, Provenance};

use crate::stats::verdict;
use crate::{Result, summary};

/// The budget of the all-of-Graph issue: every v1.0 operation in at most this much source.
pub const BUDGET_BYTES: u64 = 40_000_000;

/// Source bytes of one generated crate, by part.
#[derive(Default)]
struct Sizes {
    operations: usize,
    models: usize,
    operation_bytes: u64,
    model_bytes: u64,
    test_bytes: u64,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn per(bytes: u64, count: usize) -> String {
    if count == 0 { "–".to_owned() } else { format!("{:.2} KB", bytes as f64 / count as f64 / 1e3) }
}

/// Splits generated files (relative path → text) into the three parts; `models` collects each
/// model file's size by file name.
fn split<'a>(files: impl Iterator<Item = (&'a str, u64)>, models: &mut BTreeMap<String, u64>) -> Sizes {
    let mut sizes = Sizes::default();
    for (path, bytes) in files {
        if let Some(name) = path.strip_prefix("src/models/") {
            sizes.model_bytes += bytes;
            if name != "mod.rs" {
                let largest = models.entry(name.to_owned()).or_default();
                *largest = (*largest).max(bytes);
            }
        } else if path.starts_with("tests/") {
            sizes.test_bytes += bytes;
        } else if path.starts_with("src/") {
            sizes.operation_bytes += bytes;
        }
    }
    sizes
}

/// Lowers once and emits once; the counts come from the same model as the files.
fn sizes_of(inputs: &Inputs<'_>, models: &mut BTreeMap<String, u64>) -> Result<Sizes> {
    let (api, _) = msgraph_codegen::model(inputs).map_err(|e| format!("{}: {e}", inputs.document_name))?;
    let files = msgraph_codegen::emit_files(&api, inputs.krate).map_err(|e| e.to_string())?;
    let mut sizes = split(files.iter().map(|(p, t)| (p.as_str(), t.len() as u64)), models);
    sizes.operations = api.areas.values().map(|a| a.operations.len()).sum();
    sizes.models = api.models.len();
    Ok(sizes)
}

/// One module's standalone crate, with the pinned permission reference (as `cargo xtask
/// codegen --document` generates it).
fn module_sizes(
    root: &Path,
    module: &str,
    permissions: Option<&PermissionsTable>,
    models: &mut BTreeMap<String, u64>,
) -> Result<Sizes> {
    let dir = root.join("openapi");
    let document = fs::read(dir.join(format!("{module}.yml"))).map_err(|e| format!("{module}.yml: {e}"))?;
    let provenance_name = format!("openapi/{module}.provenance.toml");
    let text = fs::read_to_string(root.join(&provenance_name)).map_err(|e| format!("{provenance_name}: {e}"))?;
    let provenance = Provenance::parse(&text, &provenance_name).map_err(|e| e.to_string())?;
    let krate = CrateConfig {
        name: format!("msgraph-{}", module.to_lowercase().replace('.', "-")),
        version: "0.1.0".to_owned(),
        runtime_path: "../runtime".to_owned(),
        workspace_member: false,
    };
    let document_name = format!("openapi/{module}.yml");
    let inputs = Inputs {
        document_name: &document_name,
        document: &document,
        pin: Some(Pin { provenance_name: &provenance_name, sha256: &provenance.sha256 }),
        permissions,
        selection: &OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    sizes_of(&inputs, models)
}

/// The committed crate `generated/`: generated from `openapi/codegen.toml` as `cargo xtask
/// codegen` does (`codegen --check` in CI holds it equal to the files on disk), so the counts
/// come from the model rather than from reading the files back.
fn committed(setup: &crate::codegen::Setup) -> Result<Sizes> {
    let selection = setup.selection("all")?;
    sizes_of(&setup.inputs(&selection), &mut BTreeMap::new())
}

/// Prints the section and its summary rows.
pub fn bench(root: &Path) -> Result<()> {
    let mut modules: Vec<String> = fs::read_dir(root.join("openapi"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.path().file_name()?.to_str()?.strip_suffix(".yml").map(str::to_owned))
        .collect();
    modules.sort();
    let mut distinct: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows = Vec::new();
    let setup = crate::codegen::Setup::load(root)?;
    for module in &modules {
        rows.push((module.clone(), module_sizes(root, module, setup.permissions(), &mut distinct)?));
    }
    let total = |f: fn(&Sizes) -> u64| rows.iter().map(|(_, s)| f(s)).sum::<u64>();
    let (ops, models) =
        (rows.iter().map(|(_, s)| s.operations).sum::<usize>(), rows.iter().map(|(_, s)| s.models).sum::<usize>());
    let (op_bytes, model_bytes, test_bytes) =
        (total(|s| s.operation_bytes), total(|s| s.model_bytes), total(|s| s.test_bytes));
    let distinct_bytes: u64 = distinct.values().sum();
    let projected = op_bytes + distinct_bytes + test_bytes;
    let sdk = committed(&setup)?;

    println!("## 5. Generated code size\n");
    println!(
        "Bytes of generated Rust source. Each of the {} pinned v1.0 module documents is generated as a standalone \
         crate with every operation and its permissions tables (in memory, as `cargo xtask codegen --document … \
         --out …` would write it); \
         *operations* are `src/*.rs` without `src/models/` (area modules, `request.rs`, `lib.rs`, `identity.rs`), \
         *models* are `src/models/`, *test* is the generated `tests/every_operation.rs`.\n",
        modules.len()
    );
    println!(
        "| crate | operations | models | operations source | per operation | models source | per model | test | per operation |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let row = |name: &str, s: &Sizes| {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.operations,
            s.models,
            mb(s.operation_bytes),
            per(s.operation_bytes, s.operations),
            mb(s.model_bytes),
            per(s.model_bytes, s.models),
            mb(s.test_bytes),
            per(s.test_bytes, s.operations)
        )
    };
    row("`generated/` (committed: Applications)", &sdk);
    for (module, sizes) in &rows {
        row(module, sizes);
    }
    let all = Sizes { operations: ops, models, operation_bytes: op_bytes, model_bytes, test_bytes };
    row("**all 38, standalone**", &all);
    println!(
        "\nAll 38 standalone crates together: {} ({} operations, {} models, {} of test). A model is one file per \
         module that uses it, so models repeat: the {} distinct model files (by name, the largest variant of each) \
         hold {} ({} per model).\n",
        mb(op_bytes + model_bytes + test_bytes),
        mb(op_bytes),
        mb(model_bytes),
        mb(test_bytes),
        distinct.len(),
        mb(distinct_bytes),
        per(distinct_bytes, distinct.len()),
    );
    println!(
        "**Projection** for all of v1.0 in one crate with one type per Graph type (not built yet: models are still \
         generated per module): operations {} + distinct models {} + test {} = **{}**, against the budget of {}.",
        mb(op_bytes),
        mb(distinct_bytes),
        mb(test_bytes),
        mb(projected),
        mb(BUDGET_BYTES),
    );
    summary(
        "5. generated source, committed crate",
        &format!(
            "{} ({} per operation, {} per model, test {} per operation)",
            mb(sdk.operation_bytes + sdk.model_bytes + sdk.test_bytes),
            per(sdk.operation_bytes, sdk.operations),
            per(sdk.model_bytes, sdk.models),
            per(sdk.test_bytes, sdk.operations)
        ),
        "–",
        "–",
    );
    summary(
        "5. generated source, all 38 modules standalone",
        &format!(
            "{} ({} operations, {} per operation)",
            mb(op_bytes + model_bytes + test_bytes),
            ops,
            per(op_bytes, ops)
        ),
        "–",
        "–",
    );
    summary(
        "5. generated source, all of v1.0 with shared models (projected)",
        &format!(
            "{} (operations {} + distinct models {} + test {})",
            mb(projected),
            mb(op_bytes),
            mb(distinct_bytes),
            mb(test_bytes)
        ),
        &format!("≤ {}", mb(BUDGET_BYTES)),
        &format!("{} (projected)", verdict(projected <= BUDGET_BYTES)),
    );
    Ok(())
}
