//! `crate::request::permission_sets`: one `static` per distinct permissions table, which every
//! operation accepting exactly those permissions names in its `OperationInfo` (196 operations
//! of Applications share 40 tables). A table's name is a hash of its content, so adding an
//! operation or a table never renames another one (no churn in unrelated lines).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use sha2::{Digest, Sha256};

use crate::ir::Api;
use crate::naming::ident;
use crate::permissions::{Grant, Permissions};

/// The table's three lists as one canonical text (`listed_for` and `inferred` are docs only).
fn canonical(p: &Permissions) -> String {
    let list = |v: &[Grant]| {
        v.iter()
            .map(|g| format!("{}{}[{}]", if g.least { "+" } else { "-" }, g.name, g.also_requires.join(",")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("{}|{}|{}", list(&p.delegated_work), list(&p.delegated_personal), list(&p.application))
}

/// `P_` and the first 12 hex digits of the canonical text's sha256.
pub fn set_name(p: &Permissions) -> String {
    let digest = Sha256::digest(canonical(p).as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("P_{}", hex.to_ascii_uppercase())
}

/// The `permission_sets` module: every distinct table of the crate's operations, by name.
pub fn sets_tokens(api: &Api) -> TokenStream {
    let mut sets: BTreeMap<String, &Permissions> = BTreeMap::new();
    let mut collisions = Vec::new();
    for p in api.areas.values().flat_map(|a| &a.operations).filter_map(|op| op.docs.permissions.as_ref()) {
        let name = set_name(p);
        let kept = *sets.entry(name.clone()).or_insert(p);
        // Two different tables under one 48-bit name would give an operation the wrong
        // permissions: the crate must not compile then, rather than be wrong.
        if canonical(kept) != canonical(p) {
            collisions.push(format!("permission tables collide under the name {name}"));
        }
    }
    let collisions = collisions.iter().map(|message| quote!(compile_error!(#message);));
    let statics = sets.iter().map(|(name, p)| {
        let name = ident(name);
        let list = |v: &[Grant]| {
            let items = v.iter().map(|g| {
                let (permission, also) = (&g.name, &g.also_requires);
                let kind = ident(if g.least { "least" } else { "higher" });
                if also.is_empty() {
                    quote!(P::#kind(#permission))
                } else {
                    quote!(P::#kind(#permission).also(&[#(#also),*]))
                }
            });
            quote!(&[#(#items),*])
        };
        let (work, personal, application) =
            (list(&p.delegated_work), list(&p.delegated_personal), list(&p.application));
        quote! {
            pub static #name: crate::runtime::Permissions = crate::runtime::Permissions {
                delegated_work: #work,
                delegated_personal: #personal,
                application: #application,
            };
        }
    });
    let import = (!sets.is_empty()).then(|| {
        quote!(
            use crate::runtime::Permission as P;
        )
    });
    quote! {
        /// The permissions tables of this crate's operations (Microsoft's permission
        /// reference), shared by every operation that accepts the same permissions; reached
        /// through each operation's `OperationInfo::permissions`.
        #[doc(hidden)]
        pub mod permission_sets {
            #import
            #(#collisions)*
            #(#statics)*
        }
    }
}
