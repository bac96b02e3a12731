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
        ("setBody", "set_body"),
        ("body", "body"),
        ("filter", "filter"),
        ("call", "call"),
        ("intoCall", "into_call"),
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
        [
            ("_2nd", "_2nd"),
            ("client", "client"),
            ("deep", "deep"),
            ("identity_area", "identity"),
            ("models_area", "models"),
            ("ping", "ping"),
            ("r#type", "r#type")
        ]
    );
    let area = api.areas.values().find(|a| a.module == "r#type").unwrap();
    let methods: Vec<&str> = area.operations.iter().map(|o| o.method_name.as_str()).collect();
    assert_eq!(methods, ["job_validate", "self_match", "validate_by_job_id"]);
    let self_match = area.operations.iter().find(|o| o.method_name == "self_match").unwrap();
    assert_eq!(self_match.path_params[0].rust, "self_", "`self` cannot be a raw identifier");
    // `type.job_validate` is used twice; the paths tell the operations apart.
    assert!(warnings.iter().any(|w| w.message.contains("operationId `type.job_validate` is used by 2 operations")));
}

#[test]
fn names_that_collide_in_an_area_module_are_disambiguated_with_warnings_naming_both() {
    let (api, warnings) = cursed();
    let ping = &api.areas["ping"];
    assert_eq!(ping.type_name, "Ping", "the handle users name keeps its name");
    let names: Vec<(&str, &str)> =
        ping.operations.iter().map(|o| (o.method_name.as_str(), o.builder_name.as_str())).collect();
    assert_eq!(
        names,
        [
            // `/ping/{ping-id}` comes first, so `ping_Get` keeps `get` and its `get_via_identity`.
            ("get", "Get"),
            ("get_via_identity_2", "GetViaIdentity2"),
            // `new` is the handle's constructor.
            ("new_2", "New2"),
            // The operation `ping` of the area `/ping`: both would be `Ping`.
            ("ping", "PingRequest"),
            ("update_node", "UpdateNode"),
        ]
    );
    let warned = |pointer: &str, text: &str| warnings.iter().any(|w| w.pointer == pointer && w.message.contains(text));
    assert!(
        warned(
            "/paths/~1ping/get",
            "`Ping` would collide with the handle of the area at #/paths/~1ping; it is `PingRequest`"
        ),
        "{warnings:?}"
    );
    assert!(warned("/paths/~1ping/post", "it is `new_2`"), "{warnings:?}");
    assert!(warned("/paths/~1ping~1viaIdentity/get", "it is `get_via_identity_2`"), "{warnings:?}");
    // A handle named like a runtime type its module imports steps aside.
    assert_eq!(api.areas["client"].type_name, "ClientArea");
    assert!(
        warned("/paths/~1client", "`Client` would shadow a name its module uses; it is `ClientArea`"),
        "{warnings:?}"
    );
}

#[test]
fn fields_that_close_a_cycle_are_boxed_in_models_and_body_setters_alike() {
    let (api, _) = cursed();
    let boxed = |model: &str| -> Vec<(String, bool)> {
        let Some(Model::Struct(s)) = api.models.get(model) else { panic!("{model}") };
        s.fields.iter().map(|f| (f.wire.clone(), f.boxed)).collect()
    };
    let section_group = boxed("SectionGroup");
    for (wire, expected) in [
        ("parentSectionGroup", true), // refers to itself
        ("parentNotebook", true),     // SectionGroup → Notebook → SectionGroup
        ("sectionGroups", false),     // a Vec is already indirect
        ("displayName", false),
    ] {
        assert!(section_group.contains(&(wire.to_owned(), expected)), "{wire}: {section_group:?}");
    }
    assert_eq!(boxed("Notebook"), [("defaultSectionGroup".to_owned(), true)]);
    assert!(boxed("Node").contains(&("self".to_owned(), true)));
    // The bodies of `ping_New` (SectionGroup) and `ping_UpdateNode` (Node, which requires its
    // boxed `self`) have setters for those fields; the golden crate
    // `generator/tests/golden/cursed` compiles them (`Some(Box::new(value.into()))`).
    let ping = &api.areas["ping"];
    let body_fields = |method: &str| -> Vec<String> {
        let op = ping.operations.iter().find(|o| o.method_name == method).unwrap();
        let Some(msgraph_codegen::ir::RequestBody::Json(body)) = &op.body else { panic!("{method}") };
        body.expanded.iter().map(|e| e.field.clone()).collect()
    };
    assert!(body_fields("new_2").contains(&"parent_section_group".to_owned()));
    assert!(body_fields("update_node").contains(&"self_".to_owned()));
}

#[test]
fn credential_properties_are_secrets_and_identifiers_are_not() {
    let (api, _) = cursed();
    let Some(Model::Struct(s)) = api.models.get("SectionGroup") else { panic!() };
    let ty = |wire: &str| s.fields.iter().find(|f| f.wire == wire).unwrap().ty.clone();
    assert_eq!(ty("proof"), TypeRef::Secret);
    assert_eq!(ty("temporaryAccessPass"), TypeRef::Secret);
    assert_eq!(ty("secretKey"), TypeRef::Secret);
    assert_eq!(ty("keyId"), TypeRef::String);
    assert_eq!(ty("displayName"), TypeRef::String);
}

/// Body setters are methods of `Request<_, Body>` shared by every operation with that body, so
/// they avoid every method the shared builder has (`send`, `body`, `filter`, `call`, …) and each
/// other (`setBody` before `body`); the operation's own parameters then avoid the setters and
/// the builder's methods, while a standard option (`$select` as a list) keeps the shared method.
#[test]
fn body_setters_and_own_parameters_avoid_the_shared_builder_methods() {
    use msgraph_codegen::ir::RequestBody;
    let (api, _) = cursed();
    let op = api.areas.values().flat_map(|a| &a.operations).find(|o| o.operation_id == "type.self_match").unwrap();
    let Some(RequestBody::Json(body)) = &op.body else { panic!("a JSON body") };
    let setters: Vec<(&str, &str)> = body.expanded.iter().map(|e| (e.field.as_str(), e.setter.as_str())).collect();
    assert_eq!(
        setters,
        [
            ("send", "set_send"),
            ("set_body", "set_body"),
            ("body", "set_body_2"),
            ("filter", "set_filter"),
            ("call", "set_call"),
            ("into_call", "set_into_call"),
            ("r#type", "r#type"),
            ("odata_type", "odata_type"),
            ("odata_type_2", "odata_type_2"),
            ("headers", "set_headers"),
            ("_2fa", "_2fa"),
            ("password", "password"),
        ]
    );
    let params: Vec<(&str, &str, Option<&str>)> =
        op.query_params.iter().map(|p| (p.wire.as_str(), p.rust.as_str(), p.standard.as_deref())).collect();
    assert_eq!(
        params,
        [
            ("$select", "select", Some("Select")),
            ("$filter", "filter_2", None),
            ("type", "type_2", None),
            ("send", "send_2", None),
        ]
    );
}

/// An area named like one of the crate's own Cargo features (`azure`, `notifications`, `full`,
/// …) gets `-area`, so that enabling the area never means enabling the azure adapter, and the
/// manifest never declares a feature twice.
#[test]
fn areas_named_like_the_crates_own_features_get_a_suffix() {
    let document = "openapi: 3.0.4\ninfo: {title: t, version: v1.0}\npaths:\n  /azure:\n    get:\n      operationId: azure_GetAzure\n      responses: {'204': {description: ok}}\n  /full:\n    get:\n      operationId: full_GetFull\n      responses: {'204': {description: ok}}\n  /users:\n    get:\n      operationId: users_ListUser\n      responses: {'204': {description: ok}}\n";
    let krate =
        CrateConfig { name: "c".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    let always = vec!["users_ListUser".to_owned()];
    let inputs = Inputs {
        document_name: "areas.yml",
        document: document.as_bytes(),
        pin: None,
        permissions: None,
        selection: &OperationSelection::All,
        always: Some(&always),
        sensitive: &[],
        krate: &krate,
    };
    let generated = msgraph_codegen::generate(&inputs).unwrap();
    let manifest = &generated.files["Cargo.toml"];
    let features: Vec<&str> =
        manifest.lines().filter_map(|l| l.split_once(" = ")).map(|(name, _)| name.trim_matches('"')).collect();
    for feature in ["azure-area", "full-area", "azure", "full"] {
        assert_eq!(features.iter().filter(|f| **f == feature).count(), 1, "{feature} in\n{manifest}");
    }
    assert!(manifest.contains("full = [\"azure-area\", \"full-area\", \"users\"]"), "{manifest}");
}
