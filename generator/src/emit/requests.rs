//! What a model does for requests, emitted in the model's file: a body model implements
//! `request::JsonBody` and gets its property setters on `Request<_, Model>` (the cmdlet's
//! expanded parameter set, written once per model rather than once per operation); a
//! collection page implements `request::Page`, which gives `pages()`/`items()` to every
//! operation returning it.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, prose};
use super::type_tokens;
use crate::ir::{Api, ExpandedField, JsonBody, Model, Paging, StructModel, TypeRef};
use crate::naming::{ident, unraw};

/// Per model name: the body it is of some operation, the page it is of some operation.
/// The first operation in area and method order decides; every operation with the same body
/// model has the same setters (their names do not depend on the operation).
#[derive(Default)]
pub struct ModelUses<'a> {
    bodies: BTreeMap<&'a str, &'a JsonBody>,
    pages: BTreeMap<&'a str, &'a Paging>,
}

impl<'a> ModelUses<'a> {
    /// Collected once per crate.
    pub fn of(api: &'a Api) -> Self {
        let mut uses = ModelUses::default();
        for op in api.areas.values().flat_map(|a| &a.operations) {
            if let Some(crate::ir::RequestBody::Json(body)) = &op.body {
                uses.bodies.entry(body.type_name.as_str()).or_insert(body);
            }
            if let Some(paging) = &op.paging {
                uses.pages.entry(paging.page.as_str()).or_insert(paging);
            }
        }
        uses
    }
}

/// The request-side impls of struct `s`: nothing when it is neither a body nor a page.
pub fn request_impls(api: &Api, uses: &ModelUses<'_>, s: &StructModel) -> TokenStream {
    let name = ident(&s.name);
    let body = uses.bodies.get(s.name.as_str()).map(|body| {
        let entries = body.expanded.iter().map(|e| expanded_entry(api, s, e));
        let additional = if body.additional_properties { quote!(; additional) } else { quote!() };
        quote! {
            crate::request::body_setters!(#name { #(#entries),* } #additional);
        }
    });
    let page = uses.pages.get(s.name.as_str()).map(|paging| {
        let item = type_tokens(&paging.item);
        let next = ident(&paging.next_link_field);
        let value = ident(&paging.value_field);
        let take = if paging.value_optional { quote!(self.#value.unwrap_or_default()) } else { quote!(self.#value) };
        quote! {
            impl crate::request::Page for #name {
                type Item = #item;
                fn next_link(&self) -> Option<&str> {
                    self.#next.as_deref()
                }
                fn into_items(self) -> Vec<#item> {
                    #take
                }
            }
        }
    });
    quote!(#body #page)
}

/// One property's entry of `request::body_setters!` (see its docs in `src/request.rs`).
fn expanded_entry(api: &Api, model: &StructModel, e: &ExpandedField) -> TokenStream {
    let field = ident(&e.field);
    // The model is the one place that knows whether the field is boxed (a recursive property).
    let boxed = model.fields.iter().any(|f| f.rust == e.field && f.boxed);
    let setter = ident(&e.setter);
    let doc = if e.docs.is_empty() {
        format!("Sets the body property {}.", code(unraw(&e.field)))
    } else {
        format!("Sets the body property {}: {}", code(unraw(&e.field)), prose(&e.docs))
    };
    let doc = super::docs::doc_literal(&doc);
    let (list, ty) = match &e.item {
        Some(item) => (true, type_tokens(item)),
        None => (false, type_tokens(&e.ty)),
    };
    let kind = ident(&format!(
        "{}{}{}",
        if e.optional { "opt" } else { "" },
        match (list, e.optional) {
            (true, true) => "_list",
            (true, false) => "list",
            (false, true) => "",
            (false, false) => "val",
        },
        if boxed { "_box" } else { "" }
    ));
    let null = e.null_setter.as_ref().map(|null| {
        let null = ident(null);
        quote!(| #null)
    });
    let add = match (&e.adder, &e.item) {
        (Some(adder), Some(item)) if !boxed => {
            let name = ident(&adder.name);
            let item_has_new = match item {
                TypeRef::Named(n) => {
                    matches!(api.models.get(n), Some(Model::Struct(s)) if s.key_value.is_some() && s.has_default)
                }
                _ => false,
            };
            match (&adder.key_value, item_has_new, item) {
                (Some((k, v)), true, TypeRef::Named(item_name)) => {
                    let (k, v) = (type_tokens(k), type_tokens(v));
                    let item_ident = ident(item_name);
                    quote!(=> #name pair (#item_ident, #k, #v))
                }
                _ => quote!(=> #name item),
            }
        }
        _ => quote!(),
    };
    quote!(#setter #field #doc #kind #ty #null #add)
}
