//! Several module documents in one crate: merged into one model with one type per Graph type,
//! one Cargo feature and one identity type per module.

use std::collections::BTreeSet;
use std::path::PathBuf;

use msgraph_codegen::{
    CodegenConfig, CrateConfig, Error, ModuleDocument, ModulesInputs, OperationSelection, PermissionsTable,
};

fn openapi() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

/// The smallest modules that still share types with Applications: Mail (messages under
/// `/users`) and DirectoryObjects.
const MODULES: [&str; 3] = ["Applications", "DirectoryObjects", "Mail"];

struct Setup {
    documents: Vec<(String, String, Vec<u8>)>,
    config: CodegenConfig,
    permissions: PermissionsTable,
}

fn setup(modules: &[&str]) -> Setup {
    let read = |name: &str| std::fs::read_to_string(openapi().join(name)).unwrap();
    Setup {
        documents: modules
            .iter()
            .map(|m| (m.to_string(), format!("{m}.yml"), std::fs::read(openapi().join(format!("{m}.yml"))).unwrap()))
            .collect(),
        config: CodegenConfig::parse(&read("codegen.toml"), "codegen.toml").unwrap(),
        permissions: PermissionsTable::parse(&read("permissions.json"), "permissions.json").unwrap(),
    }
}

fn inputs<'a>(s: &'a Setup, modules: &'a [ModuleDocument<'a>], krate: &'a CrateConfig) -> ModulesInputs<'a> {
    ModulesInputs {
        modules,
        permissions: Some(&s.permissions),
        selection: &OperationSelection::All,
        always: s.config.selection.default.as_deref(),
        sensitive: &s.config.sensitive.properties,
        krate,
    }
}

fn documents(s: &Setup) -> Vec<ModuleDocument<'_>> {
    s.documents
        .iter()
        .map(|(module, name, bytes)| ModuleDocument { module, document_name: name, document: bytes, pin: None })
        .collect()
}

#[test]
fn modules_merge_into_one_model_with_a_feature_and_an_identity_each() {
    let s = setup(&MODULES);
    let modules = documents(&s);
    let (api, _) = msgraph_codegen::model_modules(&inputs(&s, &modules, &s.config.krate)).unwrap();
    assert!(api.by_module);

    let features: Vec<(&str, &str)> = api.modules.iter().map(|m| (m.name.as_str(), m.feature.as_str())).collect();
    assert_eq!(
        features,
        [("Applications", "applications"), ("DirectoryObjects", "directory-objects"), ("Mail", "mail")]
    );
    let identities: Vec<(&str, Option<&str>)> =
        api.identities.iter().map(|i| (i.type_name.as_str(), i.feature.as_deref())).collect();
    // Applications' identity is always compiled: the seed operations (always compiled) read it.
    assert_eq!(
        identities,
        [
            ("ApplicationsIdentity", None),
            ("DirectoryObjectsIdentity", Some("directory-objects")),
            ("MailIdentity", Some("mail"))
        ]
    );
    // The Applications identity is the one the module has alone: the seed's 24 keys.
    let applications = &api.identities[0];
    assert_eq!(applications.fields.len(), 24);
    assert!(applications.fields.iter().any(|f| f.wire == "ServicePrincipalId"));
    let mail: BTreeSet<&str> = api.identities[2].fields.iter().map(|f| f.wire.as_str()).collect();
    assert!(mail.contains("MessageId") && mail.contains("UserId") && !mail.contains("ServicePrincipalId"), "{mail:?}");

    // `/users` is fed by two modules; each operation carries its own module's feature and identity.
    let users = &api.areas["users"];
    let by_feature: BTreeSet<(Option<&str>, &str)> =
        users.operations.iter().map(|op| (op.feature.as_deref(), op.identity.as_str())).collect();
    assert_eq!(
        by_feature,
        BTreeSet::from([(Some("applications"), "ApplicationsIdentity"), (Some("mail"), "MailIdentity")])
    );
    let seed = api.areas["service_principals"]
        .operations
        .iter()
        .find(|op| op.operation_id == "servicePrincipal.synchronization_acquireAccessToken")
        .unwrap();
    assert_eq!(seed.feature, None, "the seed is compiled by default");

    // One model per Graph type, compiled by the feature of any module whose operations reach it:
    // `MailFolderCollectionResponse` is Mail's alone, `Application` Applications' alone, and a type both reach
    // (`DirectoryObject`) is compiled by either feature.
    let gate = |name: &str| api.model_features[name].clone().map(|f| f.into_iter().collect::<Vec<_>>());
    assert_eq!(gate("MailFolderCollectionResponse"), Some(vec!["mail".to_owned()]));
    assert_eq!(gate("Application"), Some(vec!["applications".to_owned()]));
    let directory_object = gate("DirectoryObject").unwrap();
    assert!(directory_object.contains(&"applications".to_owned()), "{directory_object:?}");
    assert!(directory_object.contains(&"directory-objects".to_owned()), "{directory_object:?}");
}

#[test]
fn the_merged_crate_is_the_same_bytes_whatever_the_order_of_the_modules() {
    let s = setup(&MODULES);
    let forward = documents(&s);
    let mut backward = documents(&s);
    backward.reverse();
    let a = msgraph_codegen::generate_modules(&inputs(&s, &forward, &s.config.krate)).unwrap();
    let b = msgraph_codegen::generate_modules(&inputs(&s, &backward, &s.config.krate)).unwrap();
    assert!(a.files == b.files, "module order changed the output");
    let manifest = &a.files["Cargo.toml"];
    assert!(
        manifest.contains("\n\"mail\" = []\n")
            && manifest.contains("full = [\"applications\", \"directory-objects\", \"mail\"]")
    );
    let lib = &a.files["src/lib.rs"];
    assert!(lib.contains("pub trait GraphApi"), "one trait over every module's areas");
    assert!(lib.contains("| Mail | `mail` |"), "the crate docs list the modules");
}

#[test]
fn a_path_two_modules_define_is_an_error_naming_both_documents() {
    let s = setup(&["Mail"]);
    let (_, _, mail) = &s.documents[0];
    let modules = [
        ModuleDocument { module: "Mail", document_name: "Mail.yml", document: mail, pin: None },
        ModuleDocument { module: "MailCopy", document_name: "MailCopy.yml", document: mail, pin: None },
    ];
    let error = msgraph_codegen::model_modules(&inputs(&s, &modules, &s.config.krate)).unwrap_err();
    let Error::Invalid { diagnostics, .. } = &error else { panic!("{error}") };
    let first = &diagnostics[0];
    assert!(first.pointer.starts_with("/paths/"), "{first}");
    assert!(first.message.contains("Mail.yml#/paths/") && first.message.contains("MailCopy.yml#/paths/"), "{first}");
}

#[test]
fn a_malformed_module_document_is_named_in_the_error() {
    let s = setup(&["Mail"]);
    let (_, _, mail) = &s.documents[0];
    let broken = b"openapi: 3.0.4\ninfo: {title: X, version: v1.0}\npaths:\n  /x:\n    get:\n      responses: {'200': {$ref: '#/components/responses/missing'}}\n".to_vec();
    let modules = [
        ModuleDocument { module: "Broken", document_name: "Broken.yml", document: &broken, pin: None },
        ModuleDocument { module: "Mail", document_name: "Mail.yml", document: mail, pin: None },
    ];
    let error = msgraph_codegen::model_modules(&inputs(&s, &modules, &s.config.krate)).unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("Broken.yml is not a document"), "{text}");
    assert!(text.contains("#/components/responses/missing"), "{text}");
}
