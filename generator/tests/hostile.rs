//! Hostile input bytes beyond `generate.rs`'s cases: text that is not UTF-8, and YAML aliases
//! that expand a small document into an enormous tree ("billion laughs").

use std::fmt::Write as _;

use msgraph_codegen::{CrateConfig, Inputs, OperationSelection};

fn generate(document: &[u8]) -> Result<usize, String> {
    let krate =
        CrateConfig { name: "x".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    let inputs = Inputs {
        document_name: "d.yml",
        document,
        pin: None,
        permissions: None,
        selection: &OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    msgraph_codegen::generate(&inputs).map(|g| g.files.len()).map_err(|e| e.to_string())
}

#[test]
fn text_that_is_not_utf8_is_a_syntax_error_with_its_line() {
    let mut document = b"openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n# caf".to_vec();
    document.push(0xe9); // Latin-1 é
    document.extend_from_slice(b"\n");
    let error = generate(&document).unwrap_err();
    assert!(error.starts_with("d.yml:4:1: YAML syntax error: the document is not UTF-8"), "{error}");
}

#[test]
fn nested_alias_expansion_is_refused() {
    // Nine levels of nine aliases: 9^9 (387 million) strings from under a kilobyte.
    let mut document = String::from(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let aliases = vec![format!("*{}", pair[0]); 9].join(", ");
        writeln!(document, "x-{}: &{} [{aliases}]", pair[1], pair[1]).unwrap();
    }
    // yaml_serde's own limit on alias jumps stops this one.
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("YAML syntax error: repetition limit exceeded"), "{error}");
}

#[test]
fn quadratic_alias_expansion_is_refused() {
    // One anchor of 40,000 items repeated by 40,000 aliases: 1.6 billion nodes from 200 KB.
    // yaml_serde's own limit (100 alias jumps per event) lets this through.
    let mut document = String::from("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a [");
    document.push_str(&"1,".repeat(40_000));
    document.push_str("]\nx-b: [");
    document.push_str(&"*a,".repeat(40_000));
    document.push_str("]\n");
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("the document expands to more than"), "{error}");

    // The same with one long string repeated.
    let mut document = String::from("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a ");
    document.push_str(&"x".repeat(100_000));
    document.push_str("\nx-b: [");
    document.push_str(&"*a,".repeat(10_000));
    document.push_str("]\n");
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("the document expands to more than"), "{error}");
}

#[test]
fn modest_aliases_still_work() {
    let document = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a_get\n      responses: &ok {'204': {description: done}}\n    delete:\n      operationId: a_delete\n      responses: *ok\n";
    assert!(generate(document.as_bytes()).is_ok());
}

#[test]
fn duplicate_keys_are_errors_with_pointer_and_position() {
    // Two `get:` under one path: a parser keeps one of them silently.
    let document = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a_list\n      responses: {'204': {description: done}}\n    get:\n      operationId: a_get\n      responses: {'204': {description: done}}\n";
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("duplicate key `get` at #/paths/~1a/get"), "{error}");
    // The parser reports where the mapping holding the repeated key starts (the first `get`).
    assert!(error.starts_with("d.yml:5:5:"), "{error}");

    // The same property twice, deep inside a list, in flow style.
    let document = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    a:\n      allOf:\n        - {type: object, properties: {id: {type: string}, id: {type: integer}}}\n";
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("duplicate key `id` at #/components/schemas/a/allOf/0/properties/id"), "{error}");
    assert!(error.starts_with("d.yml:8:"), "{error}");

    // JSON documents load through the same parser.
    let document = r#"{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}, "info": {"title": "u", "version": "2"}}"#;
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("duplicate key `info` at #/info"), "{error}");

    // Keys that only look alike are different keys.
    let document = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: {get: 1, Get: 2, 'get ': 3}\n";
    assert!(generate(document.as_bytes()).is_ok());
}

#[test]
fn a_path_without_a_leading_slash_is_an_error_naming_it() {
    let document = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  users/{id}:\n    get:\n      operationId: users_get\n      responses: {'204': {description: done}}\n  x-extension: {}\n";
    let error = generate(document.as_bytes()).unwrap_err();
    assert!(error.contains("#/paths/users~1{id}") && error.contains("does not start with `/`"), "{error}");
    assert!(!error.contains("x-extension"), "extensions are allowed: {error}");
}
