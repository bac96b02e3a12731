//! The module's identity type: the Rust form of the cmdlet's `-InputObject`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{attrs, code, prose};
use crate::ir::Api;
use crate::naming::{compose, ident};

/// Tokens of `src/identity.rs`.
pub fn identity_rs(api: &Api) -> TokenStream {
    let identity = &api.identity;
    let name = ident(&identity.type_name);
    let doc = attrs(&format!(
        "Identity of an object of the {title} module: one optional key per path parameter of the \
         document ({count} keys), as the PowerShell cmdlets' `-InputObject` \
         (`I{type_name}`).\n\n\
         Via-identity operations take the key their path needs from here and fail with \
         an error naming the key, before any request, when it is absent or empty.\n\n\
         Serialized with PowerShell's PascalCase names (`ServicePrincipalId`), so identity \
         JSON written by PowerShell loads as is; camelCase names are accepted too.",
        title = prose(&api.title),
        count = identity.fields.len(),
        type_name = identity.type_name,
    ));
    let fields = identity.fields.iter().map(|f| {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let doc = attrs(&format!("{} ({})", prose(if f.docs.is_empty() { &f.wire } else { &f.docs }), code(wire)));
        let alias = if f.alias != f.wire {
            let alias = &f.alias;
            quote!(alias = #alias,)
        } else {
            quote!()
        };
        quote! {
            #doc
            #[serde(rename = #wire, #alias default, skip_serializing_if = "Option::is_none")]
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
    quote! {
        //! The module's identity type.

        #doc
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// The keys an identity can hold, in PowerShell's spelling and order.
            pub const KEYS: &'static [&'static str] = &[#(#keys),*];

            /// An identity with no key set.
            pub fn new() -> Self {
                Self::default()
            }

            #(#setters)*
        }
    }
}
