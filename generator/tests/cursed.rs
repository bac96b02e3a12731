//! The golden `cursed` fixture (`generator/tests/fixtures/cursed/document.yml`) names, one by one,
//! the inputs that break generators, and the identifiers the generator picks for them. That the
//! resulting crate compiles, passes clippy and reaches a server is proven by the golden crate
//! itself (`generator/tests/golden/cursed`, a workspace member with its own tests).

use msgraph_codegen::ir::{Model, TypeRef};
use msgraph_codegen::{CrateConfig, Inputs, OperationSelection};

fn cursed() -> (msgraph_codegen::ir::Api, Vec<msgraph_codegen::Diagnostic>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cursed/document.yml");
    let document = std::fs::read(path).unwrap();
    let krate =
        CrateConfig { name: "c".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    let inputs = Inputs {
        document_name: "cursed.yml",
        document: &document,
        pin: None,
        permissions: None,
        selection: &OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    msgraph_codegen::model(&inputs).unwrap()
}

fn struct_fields(api: &msgraph_codegen::ir::Api, name: &str) -> Vec<(String, String)> {
    let Some(Model::Struct(model)) = api.models.get(name) else { panic!("{name} is not a struct") };
    model.fields.iter().map(|f| (f.wire.clone(), f.rust.clone())).collect()
}

#[test]
fn keywords_digits_annotations_and_collisions_get_valid_distinct_names() {
    let (api, _) = cursed();
    let fields = struct_fields(&api, "MatchRequestBody");
    let expected = [
        ("send", "send"),
        ("body", "body"),
        ("type", "r#type"),
        ("@odata.type", "odata_type"),
        ("odataType", "odata_type_2"),
        ("headers", "headers"),
        ("2fa", "_2fa"),
        ("password", "password"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(w, r)| (w.to_string(), r.to_string())).collect();
    assert_eq!(fields, expected);
    let Some(Model::Struct(body)) = api.models.get("MatchRequestBody") else { unreachable!() };
    let password = body.fields.iter().find(|f| f.wire == "password").unwrap();
    assert_eq!(password.ty, TypeRef::Secret, "secret-named properties are Secret");

    // Two components whose last dotted segment is `entity`; `crate` cannot be a raw identifier.
    assert!(api.models.contains_key("Entity"));
    assert!(api.models.contains_key("OtherNamespaceEntity"));
    // A schema named `self`: neither `Self` nor `Self_` would do as a type name.
    assert!(api.models.contains_key("SelfType"));
    assert_eq!(struct_fields(&api, "OtherNamespaceEntity"), [("crate".to_owned(), "crate_".to_owned())]);
}

#[test]
fn enum_values_that_collide_or_are_not_identifiers_become_distinct_variants() {
    let (api, warnings) = cursed();
    let Some(Model::Enum(kind)) = api.models.get("Kind") else { panic!() };
    let variants: Vec<(&str, &str)> = kind.variants.iter().map(|v| (v.wire.as_str(), v.rust.as_str())).collect();
    assert_eq!(
        variants,
        [
            ("unknown", "UnknownValue"),
            ("Unknown", "Unknown2"),
            ("self", "SelfType"),
            ("3d", "N3d"),
            ("a.b", "AB"),
            ("", "Empty"),
            ("unknownFutureValue", "UnknownFutureValue"),
        ]
    );
    // An enum without values still exists (holding only unknown values), with a warning.
    let Some(Model::Enum(empty)) = api.models.get("EmptyEnum") else { panic!() };
    assert!(empty.variants.is_empty());
    assert!(
        warnings.iter().any(|w| w.pointer == "/components/schemas/microsoft.graph.emptyEnum"
            && w.message.contains("enum has no string values")),
        "{warnings:?}"
    );
}

#[test]
fn keyword_and_digit_paths_and_duplicate_operation_ids() {
    let (api, warnings) = cursed();
    let modules: Vec<(&str, &str)> = api.areas.values().map(|a| (a.module.as_str(), a.accessor.as_str())).collect();
    // `/identity` and `/models` keep their accessors; their modules step aside for the
    // crate's own `identity` and `models`.
    assert_eq!(
        modules,
        [("_2nd", "_2nd"), ("identity_area", "identity"), ("models_area", "models"), ("r#type", "r#type")]
    );
    let area = api.areas.values().find(|a| a.module == "r#type").unwrap();
    let methods: Vec<&str> = area.operations.iter().map(|o| o.method_name.as_str()).collect();
    assert_eq!(methods, ["job_validate", "self_match", "validate_by_job_id"]);
    let self_match = area.operations.iter().find(|o| o.method_name == "self_match").unwrap();
    assert_eq!(self_match.path_params[0].rust, "self_", "`self` cannot be a raw identifier");
    // `type.job_validate` is used twice; the paths tell the operations apart.
    assert!(warnings.iter().any(|w| w.message.contains("operationId `type.job_validate` is used by 2 operations")));
}
