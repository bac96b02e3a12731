//! The modules' identity types: the Rust form of the cmdlets' `-InputObject`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{attrs, code, prose};
use crate::ir::{Api, Identity};
use crate::naming::{compose, ident};

/// Tokens of `src/identity.rs`: every module's identity, each behind its module's feature
/// when it has one.
pub fn identity_rs(api: &Api) -> TokenStream {
    let identities = api.identities.iter().map(|identity| one_identity(identity, api.by_module));
    let doc = if api.by_module { " The modules' identity types." } else { " The module's identity type." };
    quote! {
        #![doc = #doc]
        #(#identities)*
    }
}

fn one_identity(identity: &Identity, by_module: bool) -> TokenStream {
    let cfg = match &identity.feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => quote!(),
    };
    let name = ident(&identity.type_name);
    let example = match identity.fields.first() {
        Some(f) => {
            let lower = heck::ToLowerCamelCase::to_lower_camel_case(f.wire.as_str());
            format!(
                " (`{}`): key names match whatever their case, with or without dashes (`{}`, `{lower}`)",
                f.wire, f.wire
            )
        }
        None => String::new(),
    };
    let doc = attrs(&format!(
        "Identity of an object of the {title} module: one optional key per path parameter of the \
         {scope} ({count} keys), as the PowerShell cmdlets' `-InputObject` \
         (`I{type_name}`).{gate}\n\n\
         Via-identity operations take the key their path needs from here and fail with \
         an error naming the key, before any request, when it is absent or empty.\n\n\
         Serialized with PowerShell's PascalCase names. Read like PowerShell reads a \
         hashtable{example}; numbers are taken as their text; `null` and keys that are not \
         identity keys are ignored.",
        title = prose(&identity.module),
        scope = if by_module { "module" } else { "document" },
        gate = match &identity.feature {
            Some(feature) => format!(" Exists with the Cargo feature `{feature}`."),
            None => String::new(),
        },
        count = identity.fields.len(),
        type_name = identity.type_name,
    ));
    let fields = identity.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let doc = attrs(&format!("{} ({})", prose(if f.docs.is_empty() { &f.wire } else { &f.docs }), code(wire)));
        quote! {
            #doc
            #[serde(rename = #wire, skip_serializing_if = "Option::is_none")]
            pub #rust: Option<String>,
        }
    });
    let setters = identity.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let setter = ident(&compose("with", &f.rust, ""));
        let doc = attrs(&format!("Sets {}.", code(&f.wire)));
        quote! {
            #doc
            pub fn #setter(mut self, value: impl Into<String>) -> Self {
                self.#rust = Some(value.into());
                self
            }
        }
    });
    let keys = identity.fields.iter().map(|f| &f.wire);
    let arms: Vec<TokenStream> = identity
        .fields
        .iter()
        .map(|f| {
            let rust = ident(&f.rust);
            let normalized = normalize(&f.wire);
            quote!(#normalized => &mut identity.#rust,)
        })
        .collect();
    let deserialize = deserialize_impl(&name, arms, &cfg);
    let lookups = identity.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        quote!(#wire => self.#rust.as_deref(),)
    });
    // Generated operations read their path keys through this, by the key's exact spelling.
    let body = if identity.fields.is_empty() {
        quote!(let _ = key; None)
    } else {
        quote!(match key { #(#lookups)* _ => None })
    };
    let lookup = quote! {
        #cfg
        impl crate::request::Identity for #name {
            fn key(&self, key: &str) -> Option<&str> {
                #body
            }
        }
    };
    quote! {
        #doc
        #cfg
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #cfg
        impl #name {
            /// The keys an identity can hold, in PowerShell's spelling and order.
            pub const KEYS: &'static [&'static str] = &[#(#keys),*];

            /// An identity with no key set.
            pub fn new() -> Self {
                Self::default()
            }

            #(#setters)*
        }

        #lookup

        #deserialize
    }
}

/// `Deserialize` of the identity: keys matched like PowerShell matches hashtable keys.
fn deserialize_impl(name: &proc_macro2::Ident, arms: Vec<TokenStream>, cfg: &TokenStream) -> TokenStream {
    if arms.is_empty() {
        // A document without path parameters: nothing to read, any map is accepted.
        return quote! {
            #cfg
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <serde::de::IgnoredAny as serde::Deserialize>::deserialize(deserializer)?;
                    Ok(Self::default())
                }
            }
        };
    }
    quote! {
        #cfg
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let map = <serde_json::Map<String, serde_json::Value> as serde::Deserialize>::deserialize(deserializer)?;
                let mut identity = Self::default();
                for (key, value) in map {
                    let normalized: String =
                        key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
                    let target: &mut Option<String> = match normalized.as_str() {
                        #(#arms)*
                        _ => continue,
                    };
                    *target = match value {
                        serde_json::Value::String(text) => Some(text),
                        serde_json::Value::Null => None,
                        serde_json::Value::Number(number) => Some(number.to_string()),
                        serde_json::Value::Bool(_) | serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                            return Err(serde::de::Error::custom(format!("identity key {key:?} must be a string")));
                        }
                    };
                }
                Ok(identity)
            }
        }
    }
}

/// The form under which identity keys are compared: ASCII letters and digits, lower case.
fn normalize(key: &str) -> String {
    key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}
