//! Derived types told apart by `@odata.type`: which types get a `<Type>Kind` enum, with which
//! variants, whatever way the document declares the discriminator values.

use msgraph_codegen::{CrateConfig, Inputs, OperationSelection};

fn models(document: &str) -> std::collections::BTreeMap<String, String> {
    generate(document).files
}

fn generate(document: &str) -> msgraph_codegen::Generated {
    let krate =
        CrateConfig { name: "x".into(), version: "0.1.0".into(), runtime_path: "r".into(), workspace_member: false };
    let inputs = Inputs {
        document_name: "d.yml",
        document: document.as_bytes(),
        pin: None,
        permissions: None,
        selection: &OperationSelection::All,
        always: None,
        sensitive: &[],
        krate: &krate,
    };
    msgraph_codegen::generate(&inputs).expect("generates")
}

const DOCUMENT: &str = r##"
openapi: 3.0.1
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    microsoft.graph.base:
      type: object
      required: ['@odata.type']
      properties:
        '@odata.type': {type: string}
        id: {type: string}
      discriminator:
        propertyName: '@odata.type'
        mapping:
          '#microsoft.graph.mapped': '#/components/schemas/microsoft.graph.mapped'
          '#microsoft.graph.missing': '#/components/schemas/microsoft.graph.missing'
          '#microsoft.graph.unrelated': '#/components/schemas/microsoft.graph.unrelated'
    microsoft.graph.baseKind:
      type: object
      properties:
        taken: {type: string}
    microsoft.graph.mapped:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.base'
        - type: object
          properties:
            m: {type: string}
    microsoft.graph.tagged:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.mapped'
        - type: object
          properties:
            t: {type: string}
      x-ms-discriminator-value: '#microsoft.graph.tagged'
    microsoft.graph.untagged:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.base'
    microsoft.graph.unrelated:
      type: object
      properties:
        u: {type: string}
"##;

#[test]
fn bases_get_kinds_over_descendants_with_a_discriminator_value() {
    let files = models(DOCUMENT);
    let base = &files["src/models/base.rs"];
    // `BaseKind` is a schema's name already: the enum takes the next free name.
    assert!(base.contains("pub enum BaseKind2 {"), "{base}");
    assert!(files["src/models/base_kind.rs"].contains("pub struct BaseKind {"));
    assert!(files["src/models/mod.rs"].contains("pub use base::BaseKind2;"));
    // Mapped child and tagged grandchild; not the untagged child, the schema that does not
    // derive from the base, or the mapping's target the document lacks.
    for expected in [
        "Base(Base),",
        "Mapped(crate::models::Mapped),",
        "Tagged(crate::models::Tagged),",
        r##"Some("#microsoft.graph.mapped") =>"##,
        r##"Some("#microsoft.graph.tagged") =>"##,
        "pub fn into_kind(self) -> Result<BaseKind2, serde_json::Error>",
    ] {
        assert!(base.contains(expected), "missing {expected:?} in\n{base}");
    }
    for unexpected in ["Untagged", "Unrelated", "Missing"] {
        assert!(!base.contains(unexpected), "{unexpected} in\n{base}");
    }
    // The child gets its own kind (over the grandchild); leaves and unrelated types none.
    assert!(files["src/models/mapped.rs"].contains("pub enum MappedKind {"));
    for leaf in ["tagged", "untagged", "unrelated"] {
        assert!(!files[&format!("src/models/{leaf}.rs")].contains("Kind"), "{leaf}");
    }
    // `@odata.type` is optional although required: Graph omits it for the declared type.
    assert!(base.contains("pub odata_type: Nullable<String>,"), "{base}");
}

#[test]
fn documents_without_discriminators_get_no_kinds() {
    let document = DOCUMENT.replace("x-ms-discriminator-value", "x-other").replace("mapping:", "x-mapping:");
    let files = models(&document);
    assert!(files.values().all(|text| !text.contains("pub enum") || !text.contains("Kind")));
}

#[test]
fn every_value_names_its_type_and_conflicts_are_warned_about() {
    let document = r##"
openapi: 3.0.1
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    a.base:
      type: object
      properties:
        '@odata.type': {type: string}
      discriminator:
        propertyName: '@odata.type'
        mapping:
          '#a.one': '#/components/schemas/a.one'
          '#a.uno': '#/components/schemas/a.one'
          '#a.dup': '#/components/schemas/a.two'
      x-ms-discriminator-value: '#a.base'
    a.one:
      allOf:
        - $ref: '#/components/schemas/a.base'
      x-ms-discriminator-value: '#a.one'
    a.two:
      allOf:
        - $ref: '#/components/schemas/a.base'
        - type: object
          additionalProperties: false
          properties:
            x: {type: string}
      x-ms-discriminator-value: '#a.base'
    a.three:
      allOf:
        - $ref: '#/components/schemas/a.base'
      x-ms-discriminator-value: '#a.dup'
    b.other:
      type: object
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
        mapping:
          special: '#/components/schemas/b.special'
    b.special:
      allOf:
        - $ref: '#/components/schemas/b.other'
"##;
    let generated = generate(document);
    let base = &generated.files["src/models/base.rs"];
    // Both keys that name `a.one` are read as it; the first is the one it is given.
    assert!(base.contains(r##"Some("#a.one" | "#a.uno") =>"##), "{base}");
    assert!(base.contains(r##"get_or_insert_with(|| "#a.one".to_owned())"##), "{base}");
    // `a.two` claims the base's own value and `#a.dup`, which `a.three` claims too (components
    // are taken in name order): each conflict is warned about, and `a.two` is left with none.
    assert!(base.contains(r##"Some("#a.dup") => serde_json::from_value(value).map(Self::Three)"##), "{base}");
    assert!(!base.contains("Two("), "{base}");
    let warned = |needle: &str| generated.warnings.iter().any(|w| w.message.contains(needle));
    assert!(warned("`@odata.type` value `#a.base` of `a.two` is also `a.base`'s"), "{:?}", generated.warnings);
    assert!(warned("`@odata.type` value `#a.dup` of `a.two` is also `a.three`'s"), "{:?}", generated.warnings);
    // Discriminators on another property are not `@odata.type`: no kind for them.
    assert!(!generated.files["src/models/other.rs"].contains("Kind"));
}

/// A `<Base>Kind` does not compile every derived type: each variant (its `@odata.type` arm, its
/// `Serialize` arm and its `From` impl) is under its own type's features, and a derived type is
/// compiled only by the operations that name it (or `full`), not through its base. The golden
/// `polymorphic` crate, whose default build has only `directoryObject_GetDirectoryObject`, shows
/// it; CI lints that crate with default features and with all of them.
#[test]
fn kind_variants_exist_only_where_their_types_are_compiled() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/polymorphic/src/models");
    let read = |file: &str| std::fs::read_to_string(root.join(file)).unwrap();
    let modules = read("mod.rs");
    // The base type is always compiled (the default operation returns it); `User` by the
    // `users` area; `Group`, which no operation names, only by `full`.
    let lines: Vec<&str> = modules.lines().collect();
    let at = lines.iter().position(|l| *l == "mod directory_object;").expect("mod directory_object");
    assert!(!lines[at - 1].starts_with("#[cfg"), "directory_object is always compiled:\n{modules}");
    // Gated modules are entries of `gated!(#[cfg(..)] module Type, ..)`, whitespace aside.
    let flat: String = modules.split_whitespace().collect::<Vec<_>>().join(" ");
    for (module, cfg) in [("user User", "#[cfg(feature = \"users\")]"), ("group Group", "#[cfg(feature = \"full\")]")] {
        assert!(flat.contains(&format!("{cfg} {module}")), "{module} under {cfg}:\n{modules}");
    }
    let base = read("directory_object.rs");
    let gated = |cfg: &str, item: &str| {
        base.lines().collect::<Vec<_>>().windows(2).any(|w| w[0].trim() == cfg && w[1].trim().starts_with(item))
    };
    for (cfg, item) in [
        ("#[cfg(feature = \"users\")]", "User(crate::models::User)"),
        ("#[cfg(feature = \"full\")]", "Group(crate::models::Group)"),
        ("#[cfg(feature = \"users\")]", "Some(\"#microsoft.graph.user\")"),
        ("#[cfg(feature = \"users\")]", "Self::User(value) =>"),
        ("#[cfg(feature = \"users\")]", "impl From<crate::models::User> for DirectoryObjectKind"),
    ] {
        assert!(gated(cfg, item), "{item} under {cfg} in directory_object.rs");
    }
}
