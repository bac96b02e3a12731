//! One module per area: the area handle with one method per operation (plain and via
//! identity, carrying the operation's documentation), a builder alias per operation, and
//! the `op` module of operation types: each an `Operation` (path, method, response) plus
//! the marker traits of the standard options it accepts. Everything a builder does is
//! written once, in `request.rs`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::docs::{attrs, code, inner_attrs, link_target, prose};
use super::type_tokens;
use crate::ir::{Api, Area, Model, Operation, Param, ParamKind, RequestBody, ResponseBody};
use crate::naming::{compose, ident, unraw};
use crate::permissions::Grant;

/// Tokens of `src/<area>.rs`.
pub fn area_rs(api: &Api, area: &Area) -> TokenStream {
    let handle = ident(&area.type_name);
    let segment = &area.segment;
    let module_doc = inner_attrs(&format!("Operations under `/{segment}`."));
    let handle_doc = attrs(&format!(
        "Operations under `/{segment}`. Get one with `client.{}()` (trait [`crate::{}Api`]) or [`{}::new`].",
        unraw(&area.accessor),
        crate::naming::type_name(&api.title),
        area.type_name,
    ));
    let methods = area.operations.iter().map(|op| entry_points(api, op));
    let aliases = builder_aliases(area);
    let operations = area.operations.iter().map(|op| operation_type(api, op));
    let op_doc = inner_attrs(&format!(
        "The operation types of `/{segment}`: each names one operation for [`crate::request::Request`] \
         and says which standard options it accepts."
    ));
    quote! {
        #module_doc

        use crate::request::Request;
        use crate::runtime::Client;

        #handle_doc
        #[derive(Clone, Debug)]
        pub struct #handle {
            client: Client,
        }

        impl #handle {
            /// The operations of this area, sent through `client` (a cheap clone).
            pub fn new(client: &Client) -> Self {
                Self { client: client.clone() }
            }

            #(#methods)*
        }

        #aliases

        pub mod op {
            #op_doc

            #(#operations)*
        }
    }
}

/// `#[cfg(feature = "…")]` for a gated operation.
fn cfg(op: &Operation) -> TokenStream {
    match &op.feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => quote!(),
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = String::new();
    if let Some(summary) = &op.docs.summary {
        doc.push_str(&prose(summary));
        doc.push_str("\n\n");
    }
    if let Some(description) = &op.docs.description
        && Some(description) != op.docs.summary.as_ref()
    {
        doc.push_str(&prose(description));
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("{} (operationId {}).\n", code(&op.docs.http), code(&op.operation_id)));
    if let Some(feature) = &op.feature {
        doc.push_str(&format!("\nAvailable with the Cargo feature {}.\n", code(feature)));
    }
    if let Some((url, text)) = &op.docs.external_docs {
        let text = if text.is_empty() { "Documentation" } else { text.as_str() };
        doc.push_str(&format!("\n[{}]({})\n", prose(text), link_target(url)));
    }
    doc.push_str("\n# Permissions\n\n");
    match &op.docs.permissions {
        Some(p) => {
            let list = |v: &[Grant]| {
                if v.is_empty() {
                    return "Not supported".to_owned();
                }
                let names: Vec<String> = v
                    .iter()
                    .map(|g| match g.also_requires.as_slice() {
                        [] => g.name.clone(),
                        also => format!("{} (with {})", g.name, also.join(" or ")),
                    })
                    .collect();
                names.join(", ")
            };
            doc.push_str("| Permission type | Permissions (from least to most privileged) |\n|---|---|\n");
            doc.push_str(&format!("| Delegated (work or school account) | {} |\n", list(&p.delegated_work)));
            doc.push_str(&format!("| Delegated (personal Microsoft account) | {} |\n", list(&p.delegated_personal)));
            doc.push_str(&format!("| Application | {} |\n", list(&p.application)));
            // Said only when the table is another path's (the reference does not list this one).
            if let Some(why) = p.inferred {
                doc.push_str(&format!("\nListed for `{}`; this operation is {why}.\n", p.listed_for));
            }
        }
        None => doc.push_str("Not in Microsoft's permission reference; see the linked documentation.\n"),
    }
    doc
}

/// A JSON body type without `Default` (it has required properties) is an argument.
fn body_argument(api: &Api, op: &Operation) -> Option<TokenStream> {
    match &op.body {
        Some(RequestBody::Json(body)) if !body_has_default(api, &body.type_name) => {
            let ty = ident(&body.type_name);
            Some(quote!(crate::models::#ty))
        }
        _ => None,
    }
}

/// The Rust type of a required parameter argument.
fn param_arg_type(param: &Param) -> TokenStream {
    match param.kind {
        ParamKind::String => quote!(&str),
        ParamKind::Integer => quote!(i64),
        ParamKind::Boolean => quote!(bool),
        ParamKind::List => quote!(&[&str]),
    }
}

/// The expression that writes a parameter value held in `value` into `call`.
fn apply_param(param: &Param, header: bool, call: TokenStream, value: TokenStream) -> TokenStream {
    let wire = &param.wire;
    // `Call::header` takes `&str`, `Call::query_param` takes `impl Into<String>`.
    let (owned, borrowed) = match param.kind {
        ParamKind::String => (quote!(#value), quote!(#value)),
        ParamKind::Integer | ParamKind::Boolean => (quote!(#value.to_string()), quote!(&#value.to_string())),
        ParamKind::List => (quote!(#value.join(",")), quote!(&#value.join(","))),
    };
    if header { quote!(#call.header(#wire, #borrowed);) } else { quote!(#call.query_param(#wire, #owned);) }
}

fn required_params(op: &Operation) -> impl Iterator<Item = (&Param, bool)> {
    let query = op.query_params.iter().filter(|p| p.required).map(|p| (p, false));
    let header = op.header_params.iter().filter(|p| p.required).map(|p| (p, true));
    query.chain(header)
}

/// The builder's body type: `()`, the body model, or bytes.
fn body_type(op: &Operation) -> TokenStream {
    match &op.body {
        None => quote!(()),
        Some(RequestBody::Json(body)) => {
            let ty = ident(&body.type_name);
            quote!(crate::models::#ty)
        }
        Some(RequestBody::Binary { .. }) => quote!(crate::runtime::Bytes),
    }
}

fn entry_points(api: &Api, op: &Operation) -> TokenStream {
    let cfg = cfg(op);
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let params: Vec<_> = op.path_params.iter().map(|p| ident(&p.rust)).collect();
    let required: Vec<(&Param, bool)> = required_params(op).collect();
    let required_decls: Vec<TokenStream> = required
        .iter()
        .map(|(p, _)| {
            let name = ident(&p.rust);
            let ty = param_arg_type(p);
            quote!(#name: #ty,)
        })
        .collect();
    let required_applies: Vec<TokenStream> = required
        .iter()
        .map(|(p, header)| apply_param(p, *header, quote!(request.call), ident(&p.rust).into_token_stream()))
        .collect();

    let mut doc = operation_doc(op);
    if !op.path_params.is_empty() || !required.is_empty() {
        doc.push_str("\n# Arguments\n\n");
        for p in &op.path_params {
            doc.push_str(&format!("- `{}`: {}\n", unraw(&p.rust), prose(&p.docs)));
        }
        for (p, _) in &required {
            doc.push_str(&format!("- `{}` ({}): {}\n", unraw(&p.rust), code(&p.wire), prose(&p.docs)));
        }
    }
    let doc = attrs(&doc);

    let body_arg = body_argument(api, op);
    let body_param = match &body_arg {
        Some(ty) => quote!(body: #ty,),
        None => quote!(),
    };
    // One shape for every entry point: build the request from the path values (or the
    // identity), then apply the required parameters, if any.
    let finish = |start: TokenStream| {
        if required_applies.is_empty() {
            start
        } else {
            quote! {
                let mut request: #builder = #start;
                #(#required_applies)*
                request
            }
        }
    };
    let plain_start = match &body_arg {
        Some(_) => quote!(Request::with_body(&self.client, &[#(#params),*], body)),
        None => quote!(Request::new(&self.client, &[#(#params),*])),
    };
    let plain_body = finish(plain_start);
    // The arguments are the path's placeholders (a deep Graph path has eight), then required
    // parameters: clippy's limit of 7 (with `self`) would reject Graph's own shape.
    let many = |count: usize| if count > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
    let plain_allow = many(1 + params.len() + required.len() + usize::from(body_arg.is_some()));
    let plain = quote! {
        #doc
        #cfg
        #plain_allow
        pub fn #method(&self, #(#params: &str,)* #(#required_decls)* #body_param) -> #builder {
            #plain_body
        }
    };
    // Operations complete with their path are built from an identity by the one generic
    // `Request::via_identity`; only those that also take a required argument need their own.
    if op.path_params.is_empty() || !needs_own_via(api, op) {
        return plain;
    }

    let via = ident(&compose("", &op.method_name, "via identity"));
    let identity = ident(&op.identity);
    let keys: Vec<String> = op.path_params.iter().map(|p| code(&p.identity_wire)).collect();
    let via_doc = attrs(&format!(
        "[`Self::{}`] with the path from an identity (`-InputObject`): {} ([errors](Request::identity_path)).",
        unraw(&op.method_name),
        keys.join(", ")
    ));
    let start = match &body_arg {
        Some(_) => quote!(#builder::with_body(&self.client, &#builder::identity_path(identity)?, body)),
        None => quote!(#builder::new(&self.client, &#builder::identity_path(identity)?)),
    };
    let via_body = finish(start);
    let via_allow = many(2 + required.len() + usize::from(body_arg.is_some()));
    quote! {
        #plain

        #via_doc
        #cfg
        #via_allow
        pub fn #via(
            &self,
            identity: &crate::identity::#identity,
            #(#required_decls)*
            #body_param
        ) -> Result<#builder, crate::runtime::Error> {
            Ok({ #via_body })
        }
    }
}

/// Whether an operation with path parameters needs an argument besides its path (a required
/// query parameter or header, or a body without `Default`), so `Request::via_identity`
/// cannot build it.
fn needs_own_via(api: &Api, op: &Operation) -> bool {
    required_params(op).next().is_some() || body_argument(api, op).is_some()
}

/// `pub type <Builder> = Request<op::<Builder>, Body>;` per operation, one line each through
/// `request::builders!` (a raw method name, which the macro's doc link cannot spell, gets its
/// alias written out), plus methods for the operations' own optional parameters (those that
/// are not standard options).
fn builder_aliases(area: &Area) -> TokenStream {
    let handle = ident(&area.type_name);
    let mut listed = Vec::new();
    let mut written = Vec::new();
    for op in &area.operations {
        let cfg = cfg(op);
        let builder = ident(&op.builder_name);
        let body = body_type(op);
        if op.method_name.starts_with("r#") {
            let doc = attrs(&format!("Builder of [`{}::{}`].", area.type_name, unraw(&op.method_name)));
            written.push(quote! {
                #doc
                #cfg
                pub type #builder = Request<op::#builder, #body>;
            });
        } else {
            let method = ident(&op.method_name);
            listed.push(quote!(#cfg #builder #method #body));
        }
        let own = op_param_methods(op);
        if !own.is_empty() {
            written.push(quote! {
                #cfg
                impl #builder {
                    #(#own)*
                }
            });
        }
    }
    let listed = if listed.is_empty() { quote!() } else { quote!(crate::request::builders!(#handle; #(#listed),*);) };
    quote!(#listed #(#written)*)
}

/// Builder methods for optional parameters that are not standard options.
fn op_param_methods(op: &Operation) -> Vec<TokenStream> {
    let query = op.query_params.iter().map(|p| (p, false));
    let header = op.header_params.iter().map(|p| (p, true));
    query
        .chain(header)
        .filter(|(p, _)| !p.required && p.standard.is_none())
        .map(|(p, header)| {
            let name = ident(&p.rust);
            let kind = if header { "header" } else { "query parameter" };
            let doc = attrs(&if p.docs.is_empty() {
                format!("Sets the {kind} {}.", code(&p.wire))
            } else {
                format!("Sets the {kind} {}: {}", code(&p.wire), prose(&p.docs))
            });
            let apply = apply_param(p, header, quote!(self.call), quote!(value));
            let (generics, arg, prepare) = match p.kind {
                ParamKind::String => (quote!(), quote!(value: impl AsRef<str>), quote!(let value = value.as_ref();)),
                ParamKind::Integer => (quote!(), quote!(value: i64), quote!()),
                ParamKind::Boolean => (quote!(), quote!(value: bool), quote!()),
                ParamKind::List => (
                    quote!(<I, S>),
                    quote!(values: I),
                    quote!(let value: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();),
                ),
            };
            let bounds = match p.kind {
                ParamKind::List => quote!(where I: IntoIterator<Item = S>, S: AsRef<str>),
                _ => quote!(),
            };
            quote! {
                #doc
                pub fn #name #generics (mut self, #arg) -> Self #bounds {
                    #prepare
                    #apply
                    self
                }
            }
        })
        .collect()
}

/// The operation type, declared with `request::operation!`: `Operation` (static description,
/// path keys, response) and the marker traits of its standard options (and `Paged`).
fn operation_type(api: &Api, op: &Operation) -> TokenStream {
    let cfg = cfg(op);
    let name = ident(&op.builder_name);
    let id = &op.operation_id;
    let method = ident(op.http_method.variant());
    let path = &op.path;
    let keys = op.path_params.iter().map(|p| {
        let (wire, key) = (&p.wire, &p.identity_wire);
        quote!((#wire, #key))
    });
    // The short forms of `request::operation!` (`(json Model)` for a model of the crate).
    let output = match &op.response {
        ResponseBody::Empty => quote!(none),
        ResponseBody::Json(crate::ir::TypeRef::Named(name)) => {
            let name = ident(name);
            quote!((json #name))
        }
        ResponseBody::JsonOrNoContent(crate::ir::TypeRef::Named(name)) => {
            let name = ident(name);
            quote!((json_or_none #name))
        }
        ResponseBody::Json(ty) => {
            let ty = type_tokens(ty);
            quote!((raw crate::request::Json<#ty>))
        }
        ResponseBody::JsonOrNoContent(ty) => {
            let ty = type_tokens(ty);
            quote!((raw crate::request::JsonOrNoContent<#ty>))
        }
        ResponseBody::Text(ty) => {
            let ty = type_tokens(ty);
            quote!((text #ty))
        }
        ResponseBody::Binary => quote!(binary),
    };
    let content_type = match &op.body {
        Some(RequestBody::Binary { content_type, .. }) => quote!(content_type #content_type,),
        _ => quote!(),
    };
    let mut options: Vec<proc_macro2::Ident> = op
        .query_params
        .iter()
        .chain(op.header_params.iter())
        .filter_map(|p| p.standard.as_deref().map(ident))
        .collect();
    if let (Some(_), crate::ir::HttpMethod::Get, None) = (&op.paging, op.http_method, &op.body) {
        options.push(ident("Paged"));
    }
    if !op.path_params.is_empty() && !needs_own_via(api, op) {
        options.push(ident("FromIdentity"));
    }
    let permissions = op.docs.permissions.as_ref().map(|p| {
        let set = ident(&super::permission_sets::set_name(p));
        quote!(permissions #set,)
    });
    quote! {
        crate::request::operation! {
            #cfg
            #name = #method #path, #id,
            path [#(#keys),*],
            output #output,
            #content_type
            #permissions
            options [#(#options)*]
        }
    }
}

/// Whether the body model derives `Default` (else the body is an argument).
fn body_has_default(api: &Api, type_name: &str) -> bool {
    matches!(api.models.get(type_name), Some(Model::Struct(s)) if s.has_default)
}
