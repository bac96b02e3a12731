//! The generator against documents built to exhaust it: nesting 10,000 levels deep (in the
//! YAML itself, through inline schemas, `$ref` chains, `allOf` chains and array aliases) and
//! a 50 MB document. Each case runs on a thread with a 2 MiB stack, the default of test
//! threads, and must end with generated code or an error naming where it gave up: never a
//! stack overflow (which would abort the whole test binary) or a panic.

use std::fmt::Write as _;

use msgraph_codegen::{CrateConfig, Error, Inputs, OperationSelection};

const STACK: usize = 2 * 1024 * 1024;

/// Generates `document` (every operation, or only `only`) on a 2 MiB thread.
fn generate_on_small_stack(document: String, only: Option<&'static str>) -> Result<usize, String> {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(STACK)
        .spawn(move || {
            let krate = CrateConfig {
                name: "limits".into(),
                version: "0.1.0".into(),
                runtime_path: "../runtime".into(),
                workspace_member: false,
            };
            let selection = match only {
                Some(id) => OperationSelection::Only(vec![id.to_owned()]),
                None => OperationSelection::All,
            };
            let inputs = Inputs {
                document_name: "deep.yml",
                document: document.as_bytes(),
                pin: None,
                permissions: None,
                selection: &selection,
                always: None,
                sensitive: &[],
                krate: &krate,
            };
            msgraph_codegen::generate(&inputs).map(|g| g.files.len()).map_err(|e: Error| e.to_string())
        })
        .expect("spawn")
        .join()
        .expect("the generator panicked")
}

const HEAD: &str = "openapi: 3.0.1\ninfo: {title: deep, version: '1'}\n";

/// One operation answering with component `C0`, and the components given.
fn with_components(components: &str) -> String {
    format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a_get\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/C0'}}\ncomponents:\n  schemas:\n{components}"
    )
}

#[test]
fn yaml_nested_ten_thousand_levels_is_a_syntax_error() {
    for (open, close) in [("{a: ", "}"), ("[", "]")] {
        let mut document = String::from(HEAD);
        document.push_str("paths: ");
        document.push_str(&open.repeat(10_000));
        document.push('1');
        document.push_str(&close.repeat(10_000));
        document.push('\n');
        let error = generate_on_small_stack(document, None).unwrap_err();
        assert!(error.starts_with("deep.yml:3:"), "{error}");
        assert!(error.contains("recursion limit exceeded"), "{error}");
    }
}

/// Component `C0` nested `levels` inline object schemas deep (two tree levels each).
fn nested_inline(levels: usize) -> String {
    let mut schema = String::from("{type: string}");
    for _ in 0..levels {
        schema = format!("{{type: object, properties: {{x: {schema}}}}}");
    }
    with_components(&format!("    C0: {schema}\n"))
}

#[test]
fn inline_schemas_nested_to_the_depth_limit_generate() {
    // `/components/schemas/C0` is 3 levels deep and each inline schema adds 2: with 22, the
    // innermost `type: string` sits at the limit of 48 levels.
    let files = generate_on_small_stack(nested_inline(22), None).expect("generates");
    assert!(files > 22, "{files} files");
}

#[test]
fn inline_schemas_nested_past_the_depth_limit_are_refused_with_the_pointer() {
    // 55 levels is within the YAML parser's own limit (128) but would take more than 2 MiB of
    // stack to build the typed document from; validation stops it first.
    for levels in [23, 55] {
        let error = generate_on_small_stack(nested_inline(levels), None).unwrap_err();
        assert!(error.contains("nesting deeper than 48 levels"), "{error}");
        let pointer = format!("#/components/schemas/C0{}:", "/properties/x".repeat(23));
        assert!(error.contains(&pointer), "{pointer} in {error}");
    }
}

/// An array alias chain as deep as lowering allows: `C0` = array of `C1` = … (`Vec<Vec<…>>`).
#[test]
fn array_aliases_up_to_the_schema_depth_limit_generate() {
    let mut components = String::new();
    // The response's schema, then two levels per component (the alias and its `items`): `C31`
    // is the 64th.
    for i in 0..31 {
        writeln!(components, "    C{i}: {{type: array, items: {{$ref: '#/components/schemas/C{}'}}}}", i + 1).unwrap();
    }
    components.push_str("    C31: {type: string}\n");
    assert!(generate_on_small_stack(with_components(&components), None).is_ok());
}

#[test]
fn ten_thousand_ref_aliases_stop_with_an_error_naming_the_pointer() {
    let mut components = String::new();
    for i in 0..10_000 {
        writeln!(components, "    C{i}: {{$ref: '#/components/schemas/C{}'}}", i + 1).unwrap();
    }
    components.push_str("    C10000: {type: string}\n");
    // Validation follows each chain at most 32 hops, so it stays linear (it took minutes).
    let error = generate_on_small_stack(with_components(&components), None).unwrap_err();
    assert!(
        error.contains("#/components/schemas/C0/$ref: `$ref: #/components/schemas/C1` starts a chain of more than 32"),
        "{error}"
    );
}

#[test]
fn short_ref_chains_resolve() {
    let mut components = String::from("    C0: {type: object, properties: {x: {$ref: '#/components/schemas/R0'}}}\n");
    for i in 0..20 {
        writeln!(components, "    R{i}: {{$ref: '#/components/schemas/R{}'}}", i + 1).unwrap();
    }
    components.push_str("    R20: {type: array, items: {type: string}}\n");
    assert!(generate_on_small_stack(with_components(&components), None).is_ok());
}

#[test]
fn ten_thousand_array_aliases_stop_with_an_error_naming_the_pointer() {
    let mut components = String::new();
    for i in 0..10_000 {
        writeln!(components, "    C{i}: {{type: array, items: {{$ref: '#/components/schemas/C{}'}}}}", i + 1).unwrap();
    }
    components.push_str("    C10000: {type: string}\n");
    let error = generate_on_small_stack(with_components(&components), None).unwrap_err();
    assert!(error.contains("#/components/schemas/C31/items: schema nesting deeper than 64 levels"), "{error}");
}

#[test]
fn ten_thousand_all_of_parents_stop_with_an_error_naming_the_pointer() {
    let mut components = String::new();
    for i in 0..10_000 {
        writeln!(
            components,
            "    C{i}: {{allOf: [{{$ref: '#/components/schemas/C{}'}}, {{type: object, properties: {{p{i}: {{type: string}}}}}}]}}",
            i + 1
        )
        .unwrap();
    }
    components.push_str("    C10000: {type: object, properties: {root: {type: string}}}\n");
    let error = generate_on_small_stack(with_components(&components), None).unwrap_err();
    assert!(error.contains("nesting deeper than"), "{error}");
    assert!(error.contains("#/components/schemas/C"), "{error}");
}

#[test]
fn a_fifty_megabyte_document_generates_its_selection() {
    // 50 MB of components that no selected operation uses: read, validated and named, never
    // emitted. Memory stays proportional to the document (the tree is built once).
    let mut components = String::from("    C0: {type: object, properties: {id: {type: string}}}\n");
    let description = "d".repeat(200);
    let mut i = 1;
    while components.len() < 50 * 1024 * 1024 {
        writeln!(
            components,
            "    Unused{i}: {{type: object, description: {description}, properties: {{id: {{type: string}}, n{i}: {{type: integer}}}}}}"
        )
        .unwrap();
        i += 1;
    }
    let document = with_components(&components);
    let size = document.len();
    assert!(size >= 50 * 1024 * 1024);
    assert!(generate_on_small_stack(document, Some("a_get")).is_ok());
    // Peak memory of the whole test process (about 23 times the document when measured).
    if let Some(peak) = peak_memory_bytes() {
        assert!(peak < 60 * size, "peak resident memory {peak} bytes for a document of {size} bytes");
    }
}

/// `VmHWM` (peak resident set) of this process, where the OS reports it.
fn peak_memory_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
