//! How lowering time grows with the number of structs (the figures are in RELIABILITY.md, next to
//! the boxing row).
//!
//! Ignored by default: it measures, it does not assert a time. Run it with
//! `cargo test -p msgraph-codegen --test scaling -- --ignored --nocapture`.

use std::fmt::Write as _;
use std::time::Instant;

use msgraph_codegen::ir::Model;
use msgraph_codegen::{CrateConfig, Inputs, OperationSelection};

/// `count` object schemas in one cycle: `s{i}` has a nullable reference to `s{i+1}`, the last
/// to `s0`, plus a list of `s0` and a string, the shape that made boxing quadratic.
fn cycle(count: usize) -> String {
    let mut doc = String::from(
        "openapi: 3.0.3\ninfo: {title: scaling, version: '1'}\npaths:\n  /s:\n    get:\n      operationId: s_Get\n      \
         responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              \
         schema: {$ref: '#/components/schemas/s0'}\ncomponents:\n  schemas:\n",
    );
    for i in 0..count {
        let next = (i + 1) % count;
        writeln!(
            doc,
            "    s{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/s{next}'}}\n        \
             all: {{type: array, items: {{$ref: '#/components/schemas/s0'}}}}\n        name: {{type: string}}"
        )
        .unwrap();
    }
    doc
}

#[test]
#[ignore = "a measurement; run with --ignored --nocapture"]
fn lowering_time_by_struct_count() {
    let krate =
        CrateConfig { name: "s".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    for count in [1_250, 2_500, 5_000] {
        let document = cycle(count);
        let inputs = Inputs {
            document_name: "scaling.yml",
            document: document.as_bytes(),
            pin: None,
            permissions: None,
            selection: &OperationSelection::All,
            always: None,
            sensitive: &[],
            krate: &krate,
        };
        let started = Instant::now();
        let (api, _) = msgraph_codegen::model(&inputs).unwrap();
        let elapsed = started.elapsed();
        let boxed = api
            .models
            .values()
            .filter_map(|m| match m {
                Model::Struct(s) => Some(s.fields.iter().filter(|f| f.boxed).count()),
                Model::Enum(_) => None,
            })
            .sum::<usize>();
        assert_eq!(boxed, count, "every `next` closes the cycle");
        println!("{count} structs in one cycle: model() {:.2} s", elapsed.as_secs_f64());
    }
}
