//! Models: one file per struct or enum under `src/models/`, plus `src/models/mod.rs`.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{attrs, code, prose};
use super::{field_type_tokens, type_tokens};
use crate::ir::{Api, EnumModel, Kinds, Model, StructModel, TypeRef};
use crate::naming::{compose, field_name, ident, unraw};

/// Module (file) name of every model, in type-name order. Module names derive from unique
/// type names; two types could still fold to one snake-case name (`ODataError`,
/// `OdataError`), hence the suffix loop.
pub fn module_names(api: &Api) -> Vec<(String, &Model)> {
    let mut used = BTreeSet::new();
    api.models
        .values()
        .map(|model| {
            let base = unraw(&field_name(model.name())).to_owned();
            let mut module = base.clone();
            let mut n = 2;
            while !used.insert(module.clone()) {
                module = format!("{base}_{n}");
                n += 1;
            }
            (module, model)
        })
        .collect()
}

/// Tokens of one model's file.
pub fn model_tokens(api: &Api, uses: &super::requests::ModelUses<'_>, model: &Model) -> TokenStream {
    match model {
        Model::Struct(s) => {
            let tokens = struct_tokens(api, s);
            let requests = super::requests::request_impls(api, uses, s);
            quote!(#tokens #requests)
        }
        Model::Enum(e) => enum_tokens(e),
    }
}

/// `#[cfg(…)]` of a model: the features that compile it (nothing when always compiled).
fn model_cfg(api: &Api, name: &str) -> TokenStream {
    match api.model_features.get(name) {
        Some(Some(features)) => super::cfg_any(features.iter().map(String::as_str)),
        _ => quote!(),
    }
}

/// Tokens of `src/models/mod.rs`: one module per model, gated by the features that need it.
pub fn mod_rs(api: &Api, modules: &[(String, &Model)]) -> TokenStream {
    let mut always = Vec::new();
    let mut gated = Vec::new();
    for (module, model) in modules {
        let cfg = model_cfg(api, model.name());
        let module = ident(module);
        let name = ident(model.name());
        let kinds = match model {
            Model::Struct(StructModel { kinds: Some(kinds), .. }) => Some(ident(&kinds.name)),
            _ => None,
        };
        if cfg.is_empty() {
            let kinds = kinds.map(|kinds| quote!(pub use #module::#kinds;));
            always.push(quote! {
                mod #module;
                pub use #module::#name;
                #kinds
            });
        } else {
            gated.push(quote!(#cfg #module #name #kinds));
        }
    }
    let gated = if gated.is_empty() {
        quote!()
    } else {
        quote! {
            /// Model modules that only some features compile: `#[cfg(..)] module Type [Kind]`
            /// per model, the `cfg` written once for the module and its re-exports.
            macro_rules! gated {
                ($(#[$cfg:meta] $module:ident $name:ident $($kinds:ident)?),* $(,)?) => {
                    $(
                        #[$cfg] mod $module;
                        #[$cfg] pub use $module::$name;
                        $(#[$cfg] pub use $module::$kinds;)?
                    )*
                };
            }
            gated!(#(#gated),*);
        }
    };
    quote! {
        //! Types of request and response bodies, from the document's component schemas.
        //!
        //! Structs are `#[non_exhaustive]`: Graph adds properties over time. Build them
        //! with `Default::default()` and the `with_*` setters. Enums keep values this SDK
        //! does not know in `Unknown(String)` instead of failing.

        /// The `with_*` setters of a model: `with_x x "doc" kind Type` per field, where kind
        /// says how the value is stored (`opt`: `Nullable::Value(v)`, `opt_box`:
        /// `Nullable::Value(Box::new(v))`, `req`, `req_box`); `| with_x_null` after the type
        /// adds the setter of an explicit `null`, and `; additional` adds
        /// `with_additional_property`. (A crate without structs uses neither the macro nor its
        /// import.)
        #[allow(unused_macros)]
        macro_rules! setters {
            ($ty:ident { $($setter:ident $field:ident $doc:literal $kind:ident $fty:ty $(| $null:ident)?),* } $(; $additional:ident)?) => {
                impl $ty {
                    $(crate::models::setters!(@one $setter $field $doc $kind $fty);)*
                    $($(crate::models::setters!(@null $setter $field $null);)?)*
                    $(crate::models::setters!(@$additional);)?
                }
            };
            (@one $setter:ident $field:ident $doc:literal opt $fty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = crate::runtime::Nullable::Value(value.into());
                    self
                }
            };
            (@one $setter:ident $field:ident $doc:literal opt_box $fty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = crate::runtime::Nullable::Value(Box::new(value.into()));
                    self
                }
            };
            (@null $setter:ident $field:ident $null:ident) => {
                #[doc = concat!("Sets the property of [`", stringify!($setter), "`](Self::", stringify!($setter), ") to an explicit `null`: sent in a PATCH, it clears the property.")]
                pub fn $null(mut self) -> Self {
                    self.$field = crate::runtime::Nullable::Null;
                    self
                }
            };
            (@one $setter:ident $field:ident $doc:literal req $fty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = value.into();
                    self
                }
            };
            (@one $setter:ident $field:ident $doc:literal req_box $fty:ty) => {
                #[doc = $doc]
                pub fn $setter(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = Box::new(value.into());
                    self
                }
            };
            (@additional) => {
                /// Adds a property the schema does not name.
                pub fn with_additional_property(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                    self.additional_properties.insert(name.into(), value.into());
                    self
                }
            };
        }
        #[allow(unused_imports)]
        pub(crate) use setters;

        #(#always)*
        #gated
    }
}

fn struct_tokens(api: &Api, s: &StructModel) -> TokenStream {
    let name = ident(&s.name);
    let mut doc = if s.docs.is_empty() { String::new() } else { format!("{}\n\n", prose(&s.docs)) };
    doc.push_str(&format!("Schema {} ({}).", code(&s.origin), code(&format!("#{}", s.pointer))));
    let doc = attrs(&doc);

    let derive_default = if s.has_default { quote!(Default,) } else { quote!() };
    // A struct of optional fields only takes `default` once for all of them (and no required
    // field is ever silently defaulted).
    let all_optional = s.has_default && s.fields.iter().all(|f| f.optional);
    let container_default = if all_optional { quote!(#[serde(default)]) } else { quote!() };
    let fields = s.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let ty = field_type_tokens(&f.ty, f.boxed, f.optional);
        let mut text = match (&f.ty, f.docs.is_empty()) {
            (_, false) => prose(&f.docs),
            (TypeRef::Named(target) | TypeRef::Flags(target), true) => {
                format!("{}: see [`{target}`](crate::models::{target}).", code(&f.wire))
            }
            (_, true) => code(&f.wire),
        };
        if let Some(format) = &f.format {
            text.push_str(&format!("\n\nFormat: {}.", code(format)));
        }
        if f.read_only {
            text.push_str("\n\nRead-only: set by the service; leave it unset in requests.");
        }
        let doc = attrs(&text);
        let mut serde_args = Vec::new();
        if unraw(&f.rust) != f.wire {
            let wire = &f.wire;
            serde_args.push(quote!(rename = #wire));
        }
        match (f.optional, all_optional) {
            (true, true) => serde_args.push(quote!(skip_serializing_if = "Nullable::is_absent")),
            (true, false) => serde_args.push(quote!(default, skip_serializing_if = "Nullable::is_absent")),
            (false, _) => {}
        }
        // Graph writes non-finite doubles as "NaN"/"INF"/"-INF" strings.
        if f.ty == TypeRef::F64 && !f.boxed {
            let with =
                if f.optional { "crate::runtime::formats::double_nullable" } else { "crate::runtime::formats::double" };
            serde_args.push(quote!(with = #with));
        }
        let serde_attr = if serde_args.is_empty() { quote!() } else { quote!(#[serde(#(#serde_args),*)]) };
        quote! {
            #doc
            #serde_attr
            pub #rust: #ty,
        }
    });
    // Where `@odata.type` goes when the schema does not name it.
    let names_odata_type = s.fields.iter().any(|f| f.wire == "@odata.type");
    let additional_doc = attrs(if names_odata_type {
        "Properties the schema does not name, kept as they came."
    } else {
        "Properties the schema does not name, kept as they came (`@odata.type` among them)."
    });
    let additional = if s.additional_properties {
        quote! {
            #additional_doc
            #[serde(flatten)]
            pub additional_properties: serde_json::Map<String, serde_json::Value>,
        }
    } else {
        quote!()
    };

    // The `with_*` setters, one line per field through `models::setters!` (one item per field
    // would be a third of the models' source).
    let mut setter_names: BTreeSet<String> = s.fields.iter().map(|f| compose("with", &f.rust, "")).collect();
    setter_names.insert("with_additional_property".to_owned());
    let setters = s.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let setter_name = compose("with", &f.rust, "");
        let setter = ident(&setter_name);
        // `with_x_null` (numbered if a field named `xNull` took it) for a nullable property.
        let null_setter = (f.optional && f.nullable).then(|| {
            let base = format!("{}_null", unraw(&setter_name));
            let mut name = base.clone();
            let mut n = 2;
            while !setter_names.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            let name = ident(&name);
            quote!(| #name)
        });
        let inner = type_tokens(&f.ty);
        // The wire name is the document's text: it goes through `code` like every doc string.
        let doc = format!("Sets {}.", code(&f.wire));
        let kind = ident(match (f.optional, f.boxed) {
            (true, false) => "opt",
            (true, true) => "opt_box",
            (false, false) => "req",
            (false, true) => "req_box",
        });
        quote!(#setter #rust #doc #kind #inner #null_setter)
    });
    let setters: Vec<TokenStream> = setters.collect();
    let additional_setter = if s.additional_properties { quote!(; additional) } else { quote!() };
    let constructor = constructor(s);
    let constructor = if constructor.is_empty() { constructor } else { quote!(impl #name { #constructor }) };
    let kinds = s.kinds.as_ref().map(|kinds| kinds_tokens(api, s, kinds));

    let import = if s.fields.iter().any(|f| f.optional) {
        quote!(
            use crate::runtime::Nullable;
        )
    } else {
        quote!()
    };
    quote! {
        #import

        #doc
        #[derive(Clone, Debug, #derive_default PartialEq, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        #container_default
        pub struct #name {
            #(#fields)*
            #additional
        }

        #constructor

        crate::models::setters!(#name { #(#setters),* } #additional_setter);

        #kinds
    }
}

/// The enum over a struct and its derived types, chosen by `@odata.type` when read, and
/// `into_kind` on the struct. Variants hold the structs unboxed, for plain `match`es.
fn kinds_tokens(api: &Api, s: &StructModel, kinds: &Kinds) -> TokenStream {
    let base = ident(&s.name);
    let name = ident(&kinds.name);
    let doc = attrs(&format!(
        "[`{}`] or one of the types derived from it in this document that this build compiles (a variant \
         exists when its type's Cargo feature is on), told apart by `@odata.type`.\n\n\
         Graph may answer with a derived type where the document names the base type (a collection of \
         [`{}`] can hold any of them); read such values as this enum, or call [`{}::into_kind`]. \
         `@odata.type` values this SDK does not know, and values without one, are read as [`{}`].",
        s.name, s.name, s.name, s.name
    ));
    let variants = kinds.derived.iter().map(|kind| {
        let variant = ident(&kind.ty);
        let values: Vec<String> = kind.values.iter().map(|value| code(value)).collect();
        let doc = attrs(&format!("{}: [`{ty}`](crate::models::{ty}).", values.join(", "), ty = kind.ty));
        let cfg = model_cfg(api, &kind.ty);
        quote! {
            #doc
            #cfg
            #variant(crate::models::#variant),
        }
    });
    let base_doc = attrs(&format!("[`{}`] itself, or a derived type this SDK does not know.", s.name));
    let arms = kinds.derived.iter().map(|kind| {
        let variant = ident(&kind.ty);
        let values = &kind.values;
        let cfg = model_cfg(api, &kind.ty);
        quote!(#cfg Some(#(#values)|*) => serde_json::from_value(value).map(Self::#variant),)
    });
    let serialize_arms = kinds.derived.iter().map(|kind| {
        let variant = ident(&kind.ty);
        let cfg = model_cfg(api, &kind.ty);
        quote!(#cfg Self::#variant(value) => serde::Serialize::serialize(value, serializer),)
    });
    let froms = kinds.derived.iter().map(|kind| {
        let variant = ident(&kind.ty);
        let value = &kind.values[0];
        // A value built in Rust says what it is, as Graph needs for derived types in requests.
        // `link_kinds` links structs only; anything else would simply be wrapped as it is.
        let derived = match api.models.get(&kind.ty) {
            Some(Model::Struct(derived)) => Some(derived),
            _ => None,
        };
        let odata_type_field = derived.and_then(|d| {
            d.fields.iter().find(|f| f.wire == "@odata.type" && f.ty == TypeRef::String && f.optional && !f.boxed)
        });
        let keeps_unnamed = derived.is_some_and(|d| d.additional_properties);
        let (doc, tag) = match (odata_type_field, keeps_unnamed) {
            (Some(field), _) => {
                let field = ident(&field.rust);
                (
                    format!("Wraps `value`, setting its `@odata.type` to `{value}` if unset."),
                    quote!(value.#field.get_or_insert_with(|| #value.to_owned());),
                )
            }
            (None, true) => (
                format!("Wraps `value`, adding `@odata.type`: `{value}` to its properties if absent."),
                quote! {
                    value
                        .additional_properties
                        .entry("@odata.type")
                        .or_insert_with(|| serde_json::Value::from(#value));
                },
            ),
            (None, false) => ("Wraps `value`.".to_owned(), quote!()),
        };
        let doc = attrs(&doc);
        let binding = if tag.is_empty() { quote!(value) } else { quote!(mut value) };
        let cfg = model_cfg(api, &kind.ty);
        quote! {
            #cfg
            impl From<crate::models::#variant> for #name {
                #doc
                fn from(#binding: crate::models::#variant) -> Self {
                    #tag
                    Self::#variant(value)
                }
            }
        }
    });
    let into_kind_doc = attrs(&format!(
        "This value as the type its `@odata.type` names (see [`{}`]), every property read again into that \
         type; an error if they do not fit it.",
        kinds.name
    ));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #base_doc
            #base(#base),
            #(#variants)*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            // Features may compile every derived variant out, leaving only the base arm.
            #[allow(clippy::match_single_binding)]
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let kind = match value.get("@odata.type").and_then(serde_json::Value::as_str) {
                    #(#arms)*
                    _ => serde_json::from_value(value).map(Self::#base),
                };
                kind.map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    Self::#base(value) => serde::Serialize::serialize(value, serializer),
                    #(#serialize_arms)*
                }
            }
        }

        impl From<#base> for #name {
            fn from(value: #base) -> Self {
                Self::#base(value)
            }
        }

        #(#froms)*

        impl #base {
            #into_kind_doc
            pub fn into_kind(self) -> Result<#name, serde_json::Error> {
                serde_json::from_value(serde_json::to_value(self)?)
            }
        }
    }
}

/// `new(key, value)` for key/value pairs; `new(required…)` for structs without `Default`.
fn constructor(s: &StructModel) -> TokenStream {
    if let Some((key_ty, value_ty)) = &s.key_value
        && s.has_default
    {
        let (key_ty, value_ty) = (type_tokens(key_ty), type_tokens(value_ty));
        let wrap = |optional: bool, v: TokenStream| if optional { quote!(Nullable::Value(#v)) } else { v };
        let key_field = s.fields.iter().find(|f| f.wire == "key");
        let value_field = s.fields.iter().find(|f| f.wire == "value");
        let (Some(k), Some(v)) = (key_field, value_field) else { return quote!() };
        let (k_ident, v_ident) = (ident(&k.rust), ident(&v.rust));
        let key_value = wrap(k.optional, quote!(key.into()));
        let value_value = wrap(v.optional, quote!(value.into()));
        return quote! {
            /// A pair of `key` and `value`.
            pub fn new(key: impl Into<#key_ty>, value: impl Into<#value_ty>) -> Self {
                Self { #k_ident: #key_value, #v_ident: #value_value, ..Default::default() }
            }
        };
    }
    if s.has_default {
        return quote!();
    }
    let required: Vec<_> = s.fields.iter().filter(|f| !f.optional).collect();
    let params = required.iter().map(|f| {
        let rust = ident(&f.rust);
        let ty = type_tokens(&f.ty);
        quote!(#rust: impl Into<#ty>)
    });
    let inits = s.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        if f.optional {
            quote!(#rust: Nullable::Absent,)
        } else if f.boxed {
            quote!(#rust: Box::new(#rust.into()),)
        } else {
            quote!(#rust: #rust.into(),)
        }
    });
    let additional =
        if s.additional_properties { quote!(additional_properties: serde_json::Map::new(),) } else { quote!() };
    quote! {
        /// A value with every required property set and no optional one.
        pub fn new(#(#params),*) -> Self {
            Self { #(#inits)* #additional }
        }
    }
}

fn enum_tokens(e: &EnumModel) -> TokenStream {
    let name = ident(&e.name);
    let mut doc = if e.docs.is_empty() { String::new() } else { format!("{}\n\n", prose(&e.docs)) };
    doc.push_str(&format!(
        "Schema {}. Values this SDK does not know are kept in [`{}::Unknown`], never dropped.",
        code(&e.origin),
        e.name
    ));
    let doc = attrs(&doc);
    let variants = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let doc = attrs(&code(&v.wire));
        quote!(#doc #rust,)
    });
    let known = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        quote!(Self::#rust,)
    });
    let as_str = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let wire = &v.wire;
        quote!(Self::#rust => #wire,)
    });
    let from_str = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let wire = &v.wire;
        quote!(#wire => Some(Self::#rust),)
    });
    // An enum with no known value (hostile, but valid OpenAPI) must not emit a
    // single-arm match, which clippy rejects.
    let known_body = if e.variants.is_empty() {
        quote! {
            let _ = value;
            None
        }
    } else {
        quote! {
            match value {
                #(#from_str)*
                _ => None,
            }
        }
    };
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl #name {
            /// Every value this SDK knows, in document order.
            pub const KNOWN: &'static [Self] = &[#(#known)*];

            /// The exact wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value,
                }
            }

            /// Whether the value is one this SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            fn known(value: &str) -> Option<Self> {
                #known_body
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match Self::known(&value) {
                    Some(known) => known,
                    None => Self::Unknown(value),
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl crate::runtime::StringEnum for #name {
            fn as_str(&self) -> &str {
                #name::as_str(self)
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}
