//! One module per area: the area handle, its operations (plain and via identity), the
//! static `OperationInfo` of each, and one request builder per operation.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::docs::{attrs, code, inner_attrs, link_target, prose};
use super::type_tokens;
use crate::ir::{
    Api, Area, ExpandedField, JsonBody, Model, Operation, Param, ParamKind, RequestBody, ResponseBody, TypeRef,
};
use crate::naming::{compose, ident, unraw};

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
    let items = area.operations.iter().map(|op| {
        let info = info_static(op);
        let builder = builder(api, op);
        quote!(#info #builder)
    });
    quote! {
        #module_doc

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

        #(#items)*
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

fn entry_points(api: &Api, op: &Operation) -> TokenStream {
    let cfg = cfg(op);
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let info = ident(&op.info_name);
    let params: Vec<_> = op.path_params.iter().map(|p| ident(&p.rust)).collect();
    let wires = op.path_params.iter().map(|p| &p.wire);
    let required: Vec<(&Param, bool)> = required_params(op).collect();
    let required_idents: Vec<_> = required.iter().map(|(p, _)| ident(&p.rust)).collect();
    let required_decls = required.iter().map(|(p, _)| {
        let name = ident(&p.rust);
        let ty = param_arg_type(p);
        quote!(#name: #ty,)
    });
    let required_applies =
        required.iter().map(|(p, header)| apply_param(p, *header, quote!(call), ident(&p.rust).into_token_stream()));

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
    let (body_param, body_pass, body_init) = match (&op.body, &body_arg) {
        (Some(_), Some(ty)) => (quote!(body: #ty,), quote!(body,), quote!(body,)),
        (Some(RequestBody::Json(body)), None) => {
            let ty = ident(&body.type_name);
            (quote!(), quote!(), quote!(body: crate::models::#ty::default(),))
        }
        (Some(RequestBody::Binary { .. }), None) => (quote!(), quote!(), quote!(body: crate::runtime::Bytes::new(),)),
        (None, _) => (quote!(), quote!(), quote!()),
    };
    let call_binding = if params.is_empty() && required.is_empty() { quote!(let call) } else { quote!(let mut call) };
    let plain = quote! {
        #doc
        #cfg
        pub fn #method(&self, #(#params: &str,)* #(#required_decls)* #body_param) -> #builder {
            #call_binding = Call::new(&#info);
            #( call.path_param(#wires, #params); )*
            #(#required_applies)*
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
    let required_decls = required.iter().map(|(p, _)| {
        let name = ident(&p.rust);
        let ty = param_arg_type(p);
        quote!(#name: #ty,)
    });
    quote! {
        #plain

        #via_doc
        #cfg
        pub fn #via(
            &self,
            identity: &crate::identity::#identity,
            #(#required_decls)*
            #body_param
        ) -> Result<#builder, Error> {
            #(#lookups)*
            Ok(self.#method(#(#params,)* #(#required_idents,)* #body_pass))
        }
    }
}

fn body_has_default(api: &Api, type_name: &str) -> bool {
    matches!(api.models.get(type_name), Some(Model::Struct(s)) if s.has_default)
}

fn info_static(op: &Operation) -> TokenStream {
    let cfg = cfg(op);
    let info = ident(&op.info_name);
    let id = &op.operation_id;
    let method = ident(op.http_method.variant());
    let path = &op.path;
    let doc = attrs(&format!("Static description of {}.", code(&op.docs.http)));
    quote! {
        #doc
        #cfg
        pub static #info: OperationInfo = OperationInfo {
            operation_id: #id,
            method: HttpMethod::#method,
            path_template: #path,
        };
    }
}

/// Builder methods for optional query and header parameters.
fn param_methods(op: &Operation) -> TokenStream {
    let query = op.query_params.iter().filter(|p| !p.required).map(|p| (p, false));
    let header = op.header_params.iter().filter(|p| !p.required).map(|p| (p, true));
    let methods = query.chain(header).map(|(p, header)| {
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
    });
    quote!(#(#methods)*)
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let cfg = cfg(op);
    let builder = ident(&op.builder_name);
    let doc = attrs(&format!(
        "Request builder of {} (operationId {}). Optional parameters and body properties are \
         methods (the cmdlet's expanded parameter set); `body` sets the whole body (the \
         `-BodyParameter` set); per-call options (headers, timeout, retries, pipeline steps) \
         come from the runtime. Nothing is sent until [`Self::send`]; [`Self::what_if`] shows \
         the request instead.",
        code(&op.docs.http),
        code(&op.operation_id)
    ));
    let params = param_methods(op);
    let (body_field, body_methods, attach, attach_redacted) = match &op.body {
        Some(RequestBody::Json(body)) => json_body(api, body),
        Some(RequestBody::Binary { content_type, .. }) => (
            quote!(body: crate::runtime::Bytes,),
            quote! {
                /// Sets the request body: raw bytes, sent as the declared content type unless a
                /// `Content-Type` header is set for the call.
                pub fn body(mut self, body: impl Into<crate::runtime::Bytes>) -> Self {
                    self.body = body.into();
                    self
                }
            },
            quote! {
                let mut call = self.call;
                call.raw_body(#content_type, self.body);
            },
            quote! {
                let mut call = self.call;
                call.raw_body(#content_type, self.body);
            },
        ),
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
        ResponseBody::Text(ty) => {
            let ty = type_tokens(ty);
            (
                quote!(Response<#ty>),
                quote!(response.text()),
                "Sends the request and parses the 2XX `text/plain` body; status and headers stay available.",
            )
        }
        ResponseBody::Binary => (
            quote!(Response<crate::runtime::Bytes>),
            quote!(Ok(response)),
            "Sends the request; the 2XX body is returned as bytes with status and headers.",
        ),
    };
    let send_doc = attrs(&format!(
        "{send_doc}\n\n# Errors\n\nAn invalid argument (before any request), a transport failure or \
         timeout, a non-2XX status (with the service's error code, message and response headers), \
         or a body that does not decode."
    ));
    let paging = match (&op.paging, op.http_method, &op.body) {
        (Some(paging), crate::ir::HttpMethod::Get, None) => {
            let page = ident(&paging.page);
            let item = type_tokens(&paging.item);
            let next = ident(&paging.next_link_field);
            let value = ident(&paging.value_field);
            let take =
                if paging.value_optional { quote!(page.#value.unwrap_or_default()) } else { quote!(page.#value) };
            quote! {
                /// Every page of the collection, following `@odata.nextLink` (same headers and
                /// options on each request; links to another host are refused). The stream ends
                /// after the first error.
                pub fn pages(self) -> impl crate::runtime::Stream<Item = Result<Response<crate::models::#page>, Error>> + Send {
                    crate::runtime::paging::pages(self.client, self.call, |page: &crate::models::#page| page.#next.as_deref())
                }

                /// Every element of every page (see [`Self::pages`]).
                pub fn items(self) -> impl crate::runtime::Stream<Item = Result<#item, Error>> + Send {
                    crate::runtime::paging::items(
                        self.client,
                        self.call,
                        |page: &crate::models::#page| page.#next.as_deref(),
                        |page: crate::models::#page| #take,
                    )
                }
            }
        }
        _ => quote!(),
    };
    quote! {
        #doc
        #cfg
        #[derive(Debug)]
        #[must_use = "a request does nothing until `send` or `what_if` is called"]
        pub struct #builder {
            client: Client,
            call: Call,
            #body_field
        }

        #cfg
        impl #builder {
            #params
            #body_methods

            #send_doc
            pub async fn send(self) -> Result<#output, Error> {
                #attach
                let response = self.client.execute(call).await?;
                #finish
            }

            #paging

            /// The cmdlet's `-WhatIf`: the exact request (method, URL, headers, body) that
            /// [`Self::send`] would send, with secrets redacted. Nothing is sent.
            ///
            /// # Errors
            ///
            /// The same argument errors `send` would report, before any request.
            pub fn what_if(self) -> Result<WhatIf, Error> {
                #attach_redacted
                self.client.what_if(call)
            }
        }

        #cfg
        crate::runtime::call_options!(#builder);
    }
}

/// Field, methods and body-attaching statements of a JSON body.
fn json_body(api: &Api, body: &JsonBody) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let ty = ident(&body.type_name);
    let setters = body.expanded.iter().map(|e| expanded_methods(api, body, e));
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

fn expanded_methods(api: &Api, body: &JsonBody, e: &ExpandedField) -> TokenStream {
    let field = ident(&e.field);
    // The model is the one place that knows whether the field is boxed (a recursive property).
    let boxed = match api.models.get(&body.type_name) {
        Some(Model::Struct(s)) => s.fields.iter().any(|f| f.rust == e.field && f.boxed),
        _ => false,
    };
    let setter = ident(&e.setter);
    let doc = attrs(&if e.docs.is_empty() {
        format!("Sets the body property {}.", code(unraw(&e.field)))
    } else {
        format!("Sets the body property {}: {}", code(unraw(&e.field)), prose(&e.docs))
    });
    let wrap = |v: TokenStream| {
        let v = if boxed { quote!(Box::new(#v)) } else { v };
        if e.optional { quote!(Some(#v)) } else { v }
    };
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
                TypeRef::Named(n) => {
                    matches!(api.models.get(n), Some(Model::Struct(s)) if s.key_value.is_some() && s.has_default)
                }
                _ => false,
            };
            match (&adder.key_value, item_has_new, item) {
                (Some((k, v)), true, TypeRef::Named(item_name)) => {
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
