//! The intermediate representation: what the SDK contains, in Rust terms, with every
//! name already decided. Lowering (`lower`) builds it from the document; emission
//! (`emit`) turns it into files and makes no naming or typing decisions of its own.
//!
//! Only ordered collections appear here (`Vec`, `BTreeMap`), so emission order is a
//! function of the document alone.

use std::collections::{BTreeMap, BTreeSet};

/// Everything to emit for one document and selection.
#[derive(Clone, Debug)]
pub struct Api {
    /// `info.title` of the document, e.g. `Applications`.
    pub title: String,
    /// `info.version` of the document, e.g. `v1.0`.
    pub version: String,
    /// The identity types (the cmdlets' `IApplicationsIdentity`): one per module document,
    /// sorted by type name.
    pub identities: Vec<Identity>,
    /// Whether operations are gated by their module's feature (a crate of several module
    /// documents) rather than their area's.
    pub by_module: bool,
    /// The module documents of a crate of several modules, sorted by name (empty for one
    /// document).
    pub modules: Vec<ModuleInfo>,
    /// Selected operations grouped by area, both sorted by name.
    pub areas: BTreeMap<String, Area>,
    /// Models reachable from the selected operations (plus the error models), by type name.
    pub models: BTreeMap<String, Model>,
    /// Per model: `None` when it is always compiled, else the features of which any one
    /// compiles it (the features of the operations that reach it).
    pub model_features: BTreeMap<String, Option<BTreeSet<String>>>,
    /// Whether operations are gated by area features (`[selection] default` is set).
    pub gated: bool,
}

/// One module document of a crate of several modules.
#[derive(Clone, Debug)]
pub struct ModuleInfo {
    /// PowerShell's name, e.g. `Identity.SignIns`.
    pub name: String,
    /// Its Cargo feature, e.g. `identity-sign-ins`.
    pub feature: String,
    /// How many of its operations are generated.
    pub operations: usize,
}

impl Area {
    /// The features of which any one compiles the area; `None` when one of its operations is
    /// always compiled.
    pub fn features(&self) -> Option<BTreeSet<&str>> {
        let mut out = BTreeSet::new();
        for op in &self.operations {
            out.insert(op.feature.as_deref()?);
        }
        Some(out)
    }
}

/// One identity type: an optional value for every path parameter of the document.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Rust type name, e.g. `ApplicationsIdentity`.
    pub type_name: String,
    /// The module it belongs to (`Applications`), for its docs.
    pub module: String,
    /// The Cargo feature without which it does not exist; `None`: always compiled (one
    /// module, or a module with always-compiled operations).
    pub feature: Option<String>,
    /// Fields sorted by wire name (ordinal), as the cmdlet lists them.
    pub fields: Vec<IdentityField>,
}

/// One key of the identity type.
#[derive(Clone, Debug)]
pub struct IdentityField {
    /// PascalCase JSON name, as PowerShell writes it: `ServicePrincipalId`.
    pub wire: String,
    /// Rust field name: `service_principal_id`.
    pub rust: String,
    /// Description of the first path parameter that introduced the key.
    pub docs: String,
}

/// Operations that share the first path segment (`/servicePrincipals/...`).
#[derive(Clone, Debug)]
pub struct Area {
    /// First path segment, e.g. `servicePrincipals`.
    pub segment: String,
    /// Module name, e.g. `service_principals`; differs from `accessor` only where that would
    /// be a module the crate has anyway (`/identity` → `identity_area`).
    pub module: String,
    /// Method on the client, e.g. `service_principals`.
    pub accessor: String,
    /// Type of the area handle, e.g. `ServicePrincipals`.
    pub type_name: String,
    /// Cargo feature that enables the area, e.g. `service-principals`.
    pub feature: String,
    /// Selected operations of the area, sorted by method name.
    pub operations: Vec<Operation>,
}

/// HTTP methods the runtime knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl HttpMethod {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// Runtime enum variant name.
    pub fn variant(self) -> &'static str {
        match self {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Patch => "Patch",
            HttpMethod::Delete => "Delete",
        }
    }
}

/// One generated operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Effective operationId (after disambiguation of Microsoft's duplicates).
    pub operation_id: String,
    /// Method on the area handle, e.g. `synchronization_acquire_access_token`.
    pub method_name: String,
    /// Request builder type, e.g. `SynchronizationAcquireAccessToken`.
    pub builder_name: String,
    /// Name of the `static OperationInfo`, e.g. `SYNCHRONIZATION_ACQUIRE_ACCESS_TOKEN`.
    pub info_name: String,
    /// HTTP method.
    pub http_method: HttpMethod,
    /// Path template as in the document.
    pub path: String,
    /// Path parameters in path order.
    pub path_params: Vec<PathParam>,
    /// Query parameters (OData options such as `$select`, `$top`; `@id` of `$ref` deletes).
    pub query_params: Vec<Param>,
    /// Header parameters (`ConsistencyLevel`, `If-Match`).
    pub header_params: Vec<Param>,
    /// Request body, if any.
    pub body: Option<RequestBody>,
    /// What a 2XX response carries.
    pub response: ResponseBody,
    /// When the response is a Graph collection page: how to follow `@odata.nextLink`.
    pub paging: Option<Paging>,
    /// Cargo feature that must be on for the operation to exist; `None`: always compiled.
    pub feature: Option<String>,
    /// The identity type its `via_identity` reads (its module's).
    pub identity: String,
    /// Documentation.
    pub docs: OperationDocs,
}

/// A query or header parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name on the wire: `$select`, `ConsistencyLevel`.
    pub wire: String,
    /// Builder method (optional parameters) or argument name (required ones).
    pub rust: String,
    /// Value shape.
    pub kind: ParamKind,
    /// Required parameters are arguments of the entry point; optional ones builder methods.
    pub required: bool,
    /// For a standard option (`$select`, `If-Match`, …; see `shape::STANDARD_OPTIONS`): the
    /// marker trait through which the operation gets the method every builder shares.
    pub standard: Option<String>,
    /// Description.
    pub docs: String,
}

/// How a parameter value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Free text.
    String,
    /// An integer.
    Integer,
    /// `true`/`false`.
    Boolean,
    /// Several strings joined by commas (`style: form, explode: false`).
    List,
}

/// Paging of a collection response.
#[derive(Clone, Debug)]
pub struct Paging {
    /// Type of one page.
    pub page: String,
    /// Element type.
    pub item: TypeRef,
    /// Field holding the elements (`value`).
    pub value_field: String,
    /// Whether that field is an `Option`.
    pub value_optional: bool,
    /// Field holding `@odata.nextLink`.
    pub next_link_field: String,
}

/// A `{name}` placeholder of the path.
#[derive(Clone, Debug)]
pub struct PathParam {
    /// Name in the template, e.g. `servicePrincipal-id`.
    pub wire: String,
    /// Rust argument name, e.g. `service_principal_id`.
    pub rust: String,
    /// Identity field that supplies it in the via-identity variant.
    pub identity_field: String,
    /// Identity key as users see it, e.g. `ServicePrincipalId`.
    pub identity_wire: String,
    /// Parameter description.
    pub docs: String,
}

/// The request body of an operation.
#[derive(Clone, Debug)]
pub enum RequestBody {
    /// A JSON body typed by a model.
    Json(JsonBody),
    /// Raw bytes (`application/octet-stream` and the like).
    Binary {
        /// Content type the document declares.
        content_type: String,
        /// Whether the document marks the body required.
        required: bool,
    },
}

/// A JSON request body.
#[derive(Clone, Debug)]
pub struct JsonBody {
    /// Type of the whole body (a model).
    pub type_name: String,
    /// Whether the document marks the body required.
    pub required: bool,
    /// Body properties offered as builder methods (the cmdlet's expanded parameter set).
    pub expanded: Vec<ExpandedField>,
    /// Whether the body type keeps additional properties (`additional_property` method).
    pub additional_properties: bool,
}

/// One body property offered as a builder method.
#[derive(Clone, Debug)]
pub struct ExpandedField {
    /// Field of the body type.
    pub field: String,
    /// Builder method that sets the whole value.
    pub setter: String,
    /// Element type when the property is a list.
    pub item: Option<TypeRef>,
    /// Builder method that appends one element, when the property is a list.
    pub adder: Option<Adder>,
    /// The property's type (without the `Option` wrapper).
    pub ty: TypeRef,
    /// Whether the body field is a `Nullable`.
    pub optional: bool,
    /// Builder method that sends the property as `null`, when the schema allows `null`.
    pub null_setter: Option<String>,
    /// Description. (Whether the field is boxed is read from the body's model when emitting:
    /// boxing is decided after the bodies are lowered, once every model is known.)
    pub docs: String,
}

/// A builder method that appends one list element.
#[derive(Clone, Debug)]
pub struct Adder {
    /// Method name, e.g. `credential`.
    pub name: String,
    /// When the element is a key/value pair model: its type's key and value field types,
    /// so the adder takes `(key, value)`.
    pub key_value: Option<(TypeRef, TypeRef)>,
}

/// What a successful response carries.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseBody {
    /// Nothing the SDK reads (2XX with no content schema).
    Empty,
    /// A JSON value of this type.
    Json(TypeRef),
    /// A JSON value of this type, or no body at all: the answer of an update (PATCH) or a
    /// replacement (PUT). Graph's documents declare the entity, but the service answers
    /// `204 No Content` unless asked for the representation (`Prefer: return=representation`).
    JsonOrNoContent(TypeRef),
    /// `text/plain` parsed into this scalar type (`$count`).
    Text(TypeRef),
    /// Raw bytes (`application/octet-stream`, `$value` endpoints).
    Binary,
}

/// Documentation of an operation.
#[derive(Clone, Debug, Default)]
pub struct OperationDocs {
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `externalDocs.url` and its description.
    pub external_docs: Option<(String, String)>,
    /// Permissions from Microsoft's permission reference (`permissions.json`).
    pub permissions: Option<crate::permissions::Permissions>,
    /// `METHOD /path`.
    pub http: String,
}

/// A generated type.
#[derive(Clone, Debug)]
pub enum Model {
    /// An object schema.
    Struct(StructModel),
    /// A string enum.
    Enum(EnumModel),
}

impl Model {
    /// The Rust type name.
    pub fn name(&self) -> &str {
        match self {
            Model::Struct(s) => &s.name,
            Model::Enum(e) => &e.name,
        }
    }
}

/// A struct generated from an object schema (with `allOf` parents merged in).
#[derive(Clone, Debug)]
pub struct StructModel {
    /// Rust type name.
    pub name: String,
    /// Where it comes from: the component name or a description of the inline position.
    pub origin: String,
    /// JSON pointer of the schema.
    pub pointer: String,
    /// Title/description.
    pub docs: String,
    /// Properties in document order, parents first.
    pub fields: Vec<Field>,
    /// Whether unknown keys are kept (`additionalProperties` anything but `false`).
    pub additional_properties: bool,
    /// Whether every field has a default (so the type can derive `Default`).
    pub has_default: bool,
    /// Key/value pair models (exactly `key` and `value` properties) get `new(key, value)`.
    pub key_value: Option<(TypeRef, TypeRef)>,
    /// The types derived from this one (`allOf`) that the document tells apart by
    /// `@odata.type`, when it has any.
    pub kinds: Option<Kinds>,
}

/// An enum over a struct and the generated types derived from it, chosen by `@odata.type`
/// (`discriminator.mapping`, `x-ms-discriminator-value`).
#[derive(Clone, Debug)]
pub struct Kinds {
    /// Rust name of the enum.
    pub name: String,
    /// The derived structs, in type-name order.
    pub derived: Vec<DerivedKind>,
}

/// One derived struct of [`Kinds`].
#[derive(Clone, Debug)]
pub struct DerivedKind {
    /// The `@odata.type` values that name it (at least one); the first is the one it gets when
    /// converted into the enum without one.
    pub values: Vec<String>,
    /// Rust type name of the struct.
    pub ty: String,
}

/// One struct field.
#[derive(Clone, Debug)]
pub struct Field {
    /// JSON name.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// Type, without `Option`/`Box`.
    pub ty: TypeRef,
    /// `Nullable<…>` (absent, `null` or a value): not required, or nullable. Every such
    /// property has three states so that a payload read and written again is unchanged.
    pub optional: bool,
    /// The schema says `nullable` (or allows `null` through `anyOf`): the model and the body
    /// builders get a setter that writes an explicit `null`.
    pub nullable: bool,
    /// `Box<…>`: the field closes a cycle of types.
    pub boxed: bool,
    /// The schema's `format` (`date-time`, `uuid`, `base64url`, …), for the documentation.
    pub format: Option<String>,
    /// `readOnly: true`: set by the service; leave it unset in requests.
    pub read_only: bool,
    /// Description.
    pub docs: String,
}

/// A string enum; unknown values are kept in an `Unknown(String)` variant.
#[derive(Clone, Debug)]
pub struct EnumModel {
    /// Rust type name.
    pub name: String,
    /// Where it comes from.
    pub origin: String,
    /// Title/description.
    pub docs: String,
    /// Known values in document order.
    pub variants: Vec<Variant>,
}

/// One known enum value.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Exact wire spelling.
    pub wire: String,
    /// Rust variant name.
    pub rust: String,
}

/// A Rust type expression.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `runtime::Secret`: a string never shown in Debug, logs or what-if.
    Secret,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `serde_json::Value`: anything JSON.
    Json,
    /// `runtime::formats::<Format>`: a string format (`date-time`, `uuid`, ...) kept as its
    /// text, with typed conversions.
    Format(TextFormat),
    /// A generated model.
    Named(String),
    /// `runtime::Flags<Named>`: a flag enum (`x-ms-enum-flags`), comma-separated on the wire.
    Flags(String),
    /// `Vec<…>`.
    Vec(Box<TypeRef>),
}

/// The string formats that get a type of their own (`runtime/src/formats/text.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TextFormat {
    /// `date-time`.
    DateTime,
    /// `date`.
    Date,
    /// `time`.
    TimeOfDay,
    /// `duration`.
    Duration,
    /// `uuid`.
    Uuid,
    /// `base64url`.
    Base64Url,
}

impl TextFormat {
    /// The format a string schema's `format` names, if it has a type of its own.
    pub fn of(format: &str) -> Option<TextFormat> {
        Some(match format {
            "date-time" => TextFormat::DateTime,
            "date" => TextFormat::Date,
            "time" => TextFormat::TimeOfDay,
            "duration" => TextFormat::Duration,
            "uuid" => TextFormat::Uuid,
            "base64url" => TextFormat::Base64Url,
            _ => return None,
        })
    }

    /// The type's name in `runtime::formats`.
    pub fn type_name(self) -> &'static str {
        match self {
            TextFormat::DateTime => "DateTime",
            TextFormat::Date => "Date",
            TextFormat::TimeOfDay => "TimeOfDay",
            TextFormat::Duration => "Duration",
            TextFormat::Uuid => "Uuid",
            TextFormat::Base64Url => "Base64Url",
        }
    }
}

impl TypeRef {
    /// Whether `Default::default()` exists for the type.
    pub fn has_default(&self, models: &BTreeMap<String, Model>) -> bool {
        match self {
            TypeRef::Named(name) => match models.get(name) {
                Some(Model::Struct(s)) => s.has_default,
                Some(Model::Enum(_)) | None => false,
            },
            _ => true,
        }
    }
}
