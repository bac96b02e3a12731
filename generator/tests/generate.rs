//! The generator as a pure function: on the real Graph document and on malformed ones.

use std::path::PathBuf;

use msgraph_codegen::{
    CodegenConfig, CrateConfig, Error, Inputs, OperationSelection, PermissionsTable, Pin, Provenance,
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Project {
    document: Vec<u8>,
    config: CodegenConfig,
    provenance: Provenance,
    permissions: PermissionsTable,
}

fn project() -> Project {
    let openapi = repo().join("openapi");
    let read = |name: &str| std::fs::read_to_string(openapi.join(name)).unwrap();
    Project {
        document: std::fs::read(openapi.join("Applications.yml")).unwrap(),
        config: CodegenConfig::parse(&read("codegen.toml"), "codegen.toml").unwrap(),
        provenance: Provenance::parse(&read("Applications.provenance.toml"), "provenance").unwrap(),
        permissions: PermissionsTable::parse(&read("permissions.json"), "permissions.json").unwrap(),
    }
}

fn inputs<'a>(p: &'a Project, document: &'a [u8], selection: &'a OperationSelection) -> Inputs<'a> {
    Inputs {
        document_name: "Applications.yml",
        document,
        pin: None,
        permissions: Some(&p.permissions),
        selection,
        always: None,
        sensitive: &p.config.sensitive.properties,
        krate: &p.config.krate,
    }
}

/// The 24 keys of the cmdlet's INPUTOBJECT section (shared/seed), in its order.
const SEED_IDENTITY_KEYS: [&str; 24] = [
    "AppId",
    "AppManagementPolicyId",
    "AppRoleAssignmentId",
    "ApplicationId",
    "ApplicationTemplateId",
    "ClaimsMappingPolicyId",
    "DelegatedPermissionClassificationId",
    "DirectoryDefinitionId",
    "DirectoryObjectId",
    "EndpointId",
    "ExtensionPropertyId",
    "FederatedIdentityCredentialId",
    "GroupId",
    "HomeRealmDiscoveryPolicyId",
    "Name",
    "OAuth2PermissionGrantId",
    "ServicePrincipalId",
    "SynchronizationJobId",
    "SynchronizationTemplateId",
    "TargetDeviceGroupId",
    "TokenIssuancePolicyId",
    "TokenLifetimePolicyId",
    "UniqueName",
    "UserId",
];

#[test]
fn identity_has_exactly_the_seed_keys_with_their_descriptions() {
    let p = project();
    let selection = p.config.selection.operations.clone();
    let (api, _) = msgraph_codegen::model(&inputs(&p, &p.document, &selection)).unwrap();
    let keys: Vec<&str> = api.identities[0].fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(keys, SEED_IDENTITY_KEYS);
    let docs = |wire: &str| api.identities[0].fields.iter().find(|f| f.wire == wire).unwrap().docs.clone();
    assert_eq!(docs("ServicePrincipalId"), "The unique identifier of servicePrincipal");
    assert_eq!(docs("AppId"), "Alternate key of application");
    assert_eq!(docs("UniqueName"), "Alternate key of application");
    assert_eq!(docs("Name"), "Alternate key of federatedIdentityCredential");
    assert_eq!(api.identities[0].type_name, "ApplicationsIdentity");
}

#[test]
fn the_seed_operations_emit_their_closure_and_error_models() {
    let p = project();
    let selection = OperationSelection::Only(
        p.config.selection.default.clone().expect("codegen.toml lists the default operations"),
    );
    let (api, warnings) = msgraph_codegen::model(&inputs(&p, &p.document, &selection)).unwrap();
    let models: Vec<&str> = api.models.keys().map(String::as_str).collect();
    assert_eq!(
        models,
        [
            "AcquireAccessTokenRequestBody",
            "ErrorDetails",
            "InnerError",
            "MainError",
            "ODataError",
            "SynchronizationSecret",
            "SynchronizationSecretKeyStringValuePair"
        ]
    );
    let Some(msgraph_codegen::ir::Model::Enum(secret)) = api.models.get("SynchronizationSecret") else { panic!() };
    assert_eq!(secret.variants.len(), 45);
    assert_eq!(secret.variants[0].wire, "None");
    assert_eq!(secret.variants[44].wire, "ConnectionString");
    // Microsoft's duplicated operationIds are resolved with a warning naming both paths.
    let duplicates: Vec<_> = warnings.iter().filter(|w| w.message.contains("is used by 2 operations")).collect();
    assert_eq!(duplicates.len(), 2, "{warnings:?}");
    assert!(
        duplicates[0]
            .message
            .contains("/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.validateCredentials")
    );
    assert!(duplicates[0].message.contains("/synchronization/jobs/microsoft.graph.validateCredentials"));
    let areas: Vec<&str> = api.areas.keys().map(String::as_str).collect();
    assert_eq!(areas, ["applications", "service_principals"]);
}

#[test]
fn generation_is_deterministic() {
    let p = project();
    let selection = p.config.selection.operations.clone();
    let first = msgraph_codegen::generate(&inputs(&p, &p.document, &selection)).unwrap();
    let second = msgraph_codegen::generate(&inputs(&p, &p.document, &selection)).unwrap();
    assert_eq!(first.files, second.files);
    for (path, text) in &first.files {
        let header_line = text.lines().next().unwrap_or_default();
        assert!(
            header_line.ends_with("@generated by cargo xtask codegen; do not edit"),
            "{path} starts with {header_line:?}"
        );
    }
}

fn error_of(document: &str, selection: &OperationSelection) -> Error {
    let p = project();
    msgraph_codegen::generate(&inputs(&p, document.as_bytes(), selection)).unwrap_err()
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let text = error_of("openapi: 3.0.1\npaths:\n  /a:\n    get: [\n", &OperationSelection::All).to_string();
    assert!(text.starts_with("Applications.yml:5:1: YAML syntax error:"), "{text}");
}

#[test]
fn missing_ref_target_names_its_pointer() {
    let doc = r##"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: a_get
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/missing'
"##;
    let text = error_of(doc, &OperationSelection::All).to_string();
    assert!(
        text.contains("#/paths/~1a/get/responses/200/content/application~1json/schema/$ref: `$ref: #/components/schemas/missing` does not resolve"),
        "{text}"
    );
}

#[test]
fn unresolvable_duplicate_operation_id_is_an_error() {
    let doc = r##"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get: {operationId: same, responses: {'204': {description: ok}}}
    delete: {operationId: same, responses: {'204': {description: ok}}}
"##;
    let text = error_of(doc, &OperationSelection::All).to_string();
    assert!(text.contains("#/paths/~1a/get/operationId: operationId `same` is used by several operations whose paths cannot tell them apart: GET /a, DELETE /a"), "{text}");
}

#[test]
fn unknown_selected_operation_is_an_error() {
    let p = project();
    let selection = OperationSelection::Only(vec!["nope_nothing".to_owned()]);
    let text = msgraph_codegen::generate(&inputs(&p, &p.document, &selection)).unwrap_err().to_string();
    assert!(
        text.contains("the selection names operationId `nope_nothing`, which the document does not have"),
        "{text}"
    );
}

#[test]
fn checksum_mismatch_says_how_to_re_pin() {
    let p = project();
    let selection = p.config.selection.operations.clone();
    let mut changed = p.document.clone();
    changed.extend_from_slice(b"\n# edited\n");
    let mut i = inputs(&p, &changed, &selection);
    i.pin = Some(Pin { provenance_name: "openapi/Applications.provenance.toml", sha256: &p.provenance.sha256 });
    let text = msgraph_codegen::generate(&i).unwrap_err().to_string();
    assert!(
        text.contains(&format!("but openapi/Applications.provenance.toml pins sha256 {}", p.provenance.sha256)),
        "{text}"
    );
    assert!(text.contains("re-pin it: set `sha256 = \""), "{text}");
    // The pinned bytes pass.
    let mut i = inputs(&p, &p.document, &selection);
    i.pin = Some(Pin { provenance_name: "x", sha256: &p.provenance.sha256 });
    assert!(msgraph_codegen::generate(&i).is_ok());
}

#[test]
fn hostile_documents_give_errors_not_panics() {
    let krate =
        CrateConfig { name: "x".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    let cases: &[(&str, &str)] = &[
        ("", "not a document the generator can use"),
        ("[]", "the document is not a mapping"),
        ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}", "#/openapi: OpenAPI version \"3.1.0\""),
        (
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: x\n      responses:\n        '200': {$ref: 'other.yml#/r'}",
            "points outside the document",
        ),
        (
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}",
            "reference cycle",
        ),
        (
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{x}:\n    get:\n      operationId: x\n      responses: {'204': {description: d}}",
            "path placeholder `{x}` has no matching `in: path` parameter",
        ),
        ("openapi: 3.0.0\ninfo: {title: 5}\npaths: {}", "#/info"),
        ("\u{feff}openapi: 3.0.0\n\t- x", "YAML syntax error"),
    ];
    for (doc, expected) in cases {
        let inputs = Inputs {
            document_name: "d.yml",
            document: doc.as_bytes(),
            pin: None,
            permissions: None,
            selection: &OperationSelection::All,
            always: None,
            sensitive: &[],
            krate: &krate,
        };
        let text = match msgraph_codegen::generate(&inputs) {
            Ok(_) => panic!("{doc:?} should fail"),
            Err(e) => e.to_string(),
        };
        assert!(text.contains(expected), "{doc:?}: expected {expected:?} in {text}");
    }
}

/// Graph's credential-bearing string properties in the Applications document are `Secret`
/// fields without being listed in `codegen.toml`; identifiers and hints next to them are not.
#[test]
fn applications_credentials_are_secrets_and_their_identifiers_are_not() {
    use msgraph_codegen::ir::{Model, TypeRef};
    let p = project();
    let (api, _) = msgraph_codegen::model(&inputs(&p, &p.document, &OperationSelection::All)).unwrap();
    let ty = |model: &str, wire: &str| {
        let Some(Model::Struct(s)) = api.models.get(model) else { panic!("{model}") };
        s.fields.iter().find(|f| f.wire == wire).unwrap_or_else(|| panic!("{model}.{wire}")).ty.clone()
    };
    for (model, wire) in [
        ("AddKeyRequestBody", "proof"),
        ("RemoveKeyRequestBody", "proof"),
        ("TemporaryAccessPassAuthenticationMethod", "temporaryAccessPass"),
        ("SoftwareOathAuthenticationMethod", "secretKey"),
        ("KeyCredential", "key"),
        ("PasswordCredential", "secretText"),
        ("PasswordProfile", "password"),
        ("ManagedDevice", "activationLockBypassCode"),
        ("JoinMeetingIdSettings", "passcode"),
    ] {
        assert_eq!(ty(model, wire), TypeRef::Secret, "{model}.{wire}");
    }
    for (model, wire) in [
        ("KeyCredential", "keyId"),
        ("KeyCredential", "displayName"),
        ("PasswordCredential", "hint"),
        ("PasswordCredential", "keyId"),
        ("KeyValue", "key"),
        ("User", "passwordPolicies"),
    ] {
        assert_ne!(ty(model, wire), TypeRef::Secret, "{model}.{wire}");
    }
}
