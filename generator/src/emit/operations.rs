//! One module per area: the area handle, its operations (plain and via identity), the
//! static `OperationInfo` of each, and one request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{attrs, code, prose};
use super::type_tokens;
use crate::ir::{Api, Area, ExpandedField, Model, Operation, ResponseBody};
use crate::naming::{compose, ident, unraw};

/// Tokens of `src/<area>.rs`.
pub fn area_rs(api: &Api, area: &Area) -> TokenStream {
    let handle = ident(&area.type_name);
    let segment = &area.segment;
    let handle_doc = attrs(&format!(
        "Operations under `/{segment}`. Get one with `client.{}()` (trait [`crate::{}Api`]) or [`{}::new`].",
        unraw(&area.module),
        crate::naming::type_name(&api.title),
        area.type_name,
    ));
    let methods = area.operations.iter().map(|op| entry_points(api, op));
    let infos = area.operations.iter().map(info_static);
    let builders = area.operations.iter().map(|op| builder(api, op));
    let inner_doc = super::docs::inner_attrs(&format!("Operations under `/{segment}`."));
    quote! {
        #inner_doc

        use crate::runtime::{Call, Client, Error, HttpMethod, OperationInfo, Response, WhatIf};

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

        #(#infos)*

        #(#builders)*
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
    if let Some((url, text)) = &op.docs.external_docs {
        let text = if text.is_empty() { "Documentation" } else { text.as_str() };
        doc.push_str(&format!("\n[{}]({url})\n", prose(text)));
    }
    doc.push_str("\n# Permissions\n\n");
    match &op.docs.permissions {
        Some(p) => {
            let list = |v: &[String]| if v.is_empty() { "Not supported".to_owned() } else { v.join(", ") };
            doc.push_str("| Permission type | Permissions (from least to most privileged) |\n|---|---|\n");
            doc.push_str(&format!("| Delegated (work or school account) | {} |\n", list(&p.delegated_work_or_school)));
            doc.push_str(&format!("| Delegated (personal Microsoft account) | {} |\n", list(&p.delegated_personal)));
            doc.push_str(&format!("| Application | {} |\n", list(&p.application)));
        }
        None => doc.push_str("Not listed in `openapi/permissions.json`; see the linked documentation.\n"),
    }
    doc
}

fn entry_points(api: &Api, op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let info = ident(&op.info_name);
    let params: Vec<_> = op.path_params.iter().map(|p| ident(&p.rust)).collect();
    let wires = op.path_params.iter().map(|p| &p.wire);
    let mut doc = operation_doc(op);
    if !op.path_params.is_empty() {
        doc.push_str("\n# Arguments\n\n");
        for p in &op.path_params {
            doc.push_str(&format!("- `{}`: {}\n", unraw(&p.rust), prose(&p.docs)));
        }
    }
    let doc = attrs(&doc);

    // A body type without `Default` (it has required properties) is an argument.
    let (body_param, body_arg, body_init) = match &op.body {
        Some(body) if !body_has_default(api, &body.type_name) => {
            let ty = ident(&body.type_name);
            (quote!(body: crate::models::#ty,), quote!(body,), quote!(body,))
        }
        Some(body) => {
            let ty = ident(&body.type_name);
            (quote!(), quote!(), quote!(body: crate::models::#ty::default(),))
        }
        None => (quote!(), quote!(), quote!()),
    };
    let plain = quote! {
        #doc
        pub fn #method(&self, #(#params: &str,)* #body_param) -> #builder {
            let mut call = Call::new(&#info);
            #( call.path_param(#wires, #params); )*
            #builder { client: self.client.clone(), call, #body_init }
        }
    };
    if op.path_params.is_empty() {
        return plain;
    }

    let via = ident(&compose("", &op.method_name, "via identity"));
    let identity = ident(&api.identity.type_name);
    let keys: Vec<String> = op.path_params.iter().map(|p| code(&p.identity_wire)).collect();
    let via_doc = attrs(&format!(
        "[`Self::{}`] with the path taken from an identity (the cmdlet's `-InputObject`): uses {}.\n\n\
         # Errors\n\n\
         When the identity has no value (or an empty one) for a key the path needs; nothing is sent.",
        unraw(&op.method_name),
        keys.join(", ")
    ));
    let lookups = op.path_params.iter().map(|p| {
        let local = ident(&p.rust);
        let field = ident(&p.identity_field);
        let key = &p.identity_wire;
        quote!(let #local = crate::runtime::identity_key(identity.#field.as_deref(), #key)?;)
    });
    quote! {
        #plain

        #via_doc
        pub fn #via(&self, identity: &crate::identity::#identity, #body_param) -> Result<#builder, Error> {
            #(#lookups)*
            Ok(self.#method(#(#params,)* #body_arg))
        }
    }
}

fn body_has_default(api: &Api, type_name: &str) -> bool {
    matches!(api.models.get(type_name), Some(Model::Struct(s)) if s.has_default)
}

fn info_static(op: &Operation) -> TokenStream {
    let info = ident(&op.info_name);
    let id = &op.operation_id;
    let method = ident(op.http_method.variant());
    let path = &op.path;
    let doc = attrs(&format!("Static description of {}.", code(&op.docs.http)));
    quote! {
        #doc
        pub static #info: OperationInfo = OperationInfo {
            operation_id: #id,
            method: HttpMethod::#method,
            path_template: #path,
        };
    }
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_name);
    let doc = attrs(&format!(
        "Request builder of {} (operationId {}). Set the body with the methods named after its \
         properties (the cmdlet's expanded parameter set) or all at once with `body` (the \
         `-BodyParameter` set); per-call options (headers, timeout, retries, pipeline steps) \
         come from the runtime. Nothing is sent until [`Self::send`]; [`Self::what_if`] shows \
         the request instead.",
        code(&op.docs.http),
        code(&op.operation_id)
    ));
    let (body_field, body_methods, attach, attach_redacted) = match &op.body {
        Some(body) => {
            let ty = ident(&body.type_name);
            let setters = body.expanded.iter().map(|e| expanded_methods(api, e));
            let additional = if body.additional_properties {
                quote! {
                    /// Adds a body property the schema does not name (the cmdlet's `-AdditionalProperties`),
                    /// for example `@odata.type`.
                    pub fn additional_property(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                        self.body.additional_properties.insert(name.into(), value.into());
                        self
                    }
                }
            } else {
                quote!()
            };
            (
                quote!(body: crate::models::#ty,),
                quote! {
                    /// Replaces the whole request body (the cmdlet's `-BodyParameter`).
                    pub fn body(mut self, body: crate::models::#ty) -> Self {
                        self.body = body;
                        self
                    }
                    #(#setters)*
                    #additional
                },
                quote! {
                    let mut call = self.call;
                    call.json_body(&self.body);
                },
                quote! {
                    let mut call = self.call;
                    call.json_body_redacted(&self.body);
                },
            )
        }
        None => (quote!(), quote!(), quote!(let call = self.call;), quote!(let call = self.call;)),
    };
    let (output, finish, send_doc) = match &op.response {
        ResponseBody::Empty => (
            quote!(Response<()>),
            quote!(Ok(response.without_body())),
            "Sends the request. Any 2XX status is success: the response carries status and \
             headers, and [`Response::pass_thru`] is `true` (the cmdlet's `-PassThru`).",
        ),
        ResponseBody::Json(ty) => {
            let ty = type_tokens(ty);
            (
                quote!(Response<#ty>),
                quote!(response.json()),
                "Sends the request and decodes the 2XX JSON body; status and headers stay available.",
            )
        }
    };
    let send_doc = attrs(&format!(
        "{send_doc}\n\n# Errors\n\nAn invalid argument (before any request), a transport failure or \
         timeout, a non-2XX status (with the service's error code, message and response headers), \
         or a body that does not decode."
    ));
    quote! {
        #doc
        #[derive(Debug)]
        #[must_use = "a request does nothing until `send` or `what_if` is called"]
        pub struct #builder {
            client: Client,
            call: Call,
            #body_field
        }

        impl #builder {
            #body_methods

            #send_doc
            pub async fn send(self) -> Result<#output, Error> {
                #attach
                let response = self.client.execute(call).await?;
                #finish
            }

            /// The cmdlet's `-WhatIf`: the exact request (method, URL, headers, JSON body)
            /// that [`Self::send`] would send, with secrets redacted. Nothing is sent.
            ///
            /// # Errors
            ///
            /// The same argument errors `send` would report, before any request.
            pub fn what_if(self) -> Result<WhatIf, Error> {
                #attach_redacted
                self.client.what_if(call)
            }
        }

        crate::runtime::call_options!(#builder);
    }
}

fn expanded_methods(api: &Api, e: &ExpandedField) -> TokenStream {
    let field = ident(&e.field);
    let setter = ident(&e.setter);
    let doc = attrs(&if e.docs.is_empty() {
        format!("Sets the body property {}.", code(unraw(&e.field)))
    } else {
        format!("Sets the body property {}: {}", code(unraw(&e.field)), prose(&e.docs))
    });
    let wrap = |v: TokenStream| if e.optional { quote!(Some(#v)) } else { v };
    let set = match &e.item {
        Some(item) => {
            let item = type_tokens(item);
            let value = wrap(quote!(value.into_iter().collect()));
            quote! {
                #doc
                pub fn #setter(mut self, value: impl IntoIterator<Item = #item>) -> Self {
                    self.body.#field = #value;
                    self
                }
            }
        }
        None => {
            let ty = type_tokens(&e.ty);
            let value = wrap(quote!(value.into()));
            quote! {
                #doc
                pub fn #setter(mut self, value: impl Into<#ty>) -> Self {
                    self.body.#field = #value;
                    self
                }
            }
        }
    };
    let add = match (&e.adder, &e.item) {
        (Some(adder), Some(item)) => {
            let name = ident(&adder.name);
            let list = if e.optional {
                quote!(self.body.#field.get_or_insert_with(Vec::new))
            } else {
                quote!(self.body.#field)
            };
            let item_has_new = match item {
                crate::ir::TypeRef::Named(n) => {
                    matches!(api.models.get(n), Some(Model::Struct(s)) if s.key_value.is_some() && s.has_default)
                }
                _ => false,
            };
            match (&adder.key_value, item_has_new, item) {
                (Some((k, v)), true, crate::ir::TypeRef::Named(item_name)) => {
                    let (k, v) = (type_tokens(k), type_tokens(v));
                    let item_ident = ident(item_name);
                    let doc = attrs(&format!(
                        "Appends one `key`/`value` pair to the body property {}.",
                        code(unraw(&e.field))
                    ));
                    quote! {
                        #doc
                        pub fn #name(mut self, key: impl Into<#k>, value: impl Into<#v>) -> Self {
                            #list.push(crate::models::#item_ident::new(key, value));
                            self
                        }
                    }
                }
                _ => {
                    let item = type_tokens(item);
                    let doc = attrs(&format!("Appends one element to the body property {}.", code(unraw(&e.field))));
                    quote! {
                        #doc
                        pub fn #name(mut self, item: impl Into<#item>) -> Self {
                            #list.push(item.into());
                            self
                        }
                    }
                }
            }
        }
        _ => quote!(),
    };
    quote!(#set #add)
}
