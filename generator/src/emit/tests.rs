//! A generated, table-driven test for the emitted crate: every operation, built with
//! sample arguments (plainly and via an identity), must reach a local HTTP server with its
//! method and its path template filled in.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::inner_attrs;
use crate::ir::{Api, Area, Model, Operation, ParamKind, RequestBody};
use crate::naming::{compose, ident};

/// Tokens of `tests/every_operation.rs`.
pub fn every_operation_rs(api: &Api, crate_name: &str) -> TokenStream {
    let lib = ident(&crate_name.replace('-', "_"));
    let trait_name = ident(&format!("{}Api", crate::naming::type_name(&api.title)));
    // Each identity the area's operations read, holding every key, behind its feature.
    let identity_lets = |area: &Area| {
        let used: std::collections::BTreeSet<&str> = area.operations.iter().map(|op| op.identity.as_str()).collect();
        let lets: Vec<TokenStream> = api
            .identities
            .iter()
            .filter(|i| used.contains(i.type_name.as_str()))
            .map(|i| {
                let name = ident(&i.type_name);
                let var = identity_var(api, &i.type_name);
                let cfg = super::cfg_any(i.feature.as_deref());
                let setters = i.fields.iter().map(|f| {
                    let setter = ident(&compose("with", &f.rust, ""));
                    let value = sample(&f.wire);
                    quote!(.#setter(#value))
                });
                quote! {
                    #cfg
                    let #var = #lib::identity::#name::new() #(#setters)*;
                }
            })
            .collect();
        lets
    };
    // One test per area. Each case is the `Call` its builder assembled (`into_call`, the
    // same assembly `send` performs), so the cases are plain statements and the test compiles
    // one `async` path rather than one future per operation.
    let tests = api.areas.values().map(|area| {
        let accessor = ident(&area.accessor);
        let module = ident(&area.module);
        let name = ident(&compose("", &area.accessor, "operations reach the server"));
        let cases: Vec<TokenStream> = area.operations.iter().filter_map(|op| case(api, op)).collect();
        let area_cfg = match area.features() {
            Some(features) => super::cfg_any(features.iter().copied()),
            None => quote!(),
        };
        let lets = identity_lets(area);
        let uses: Vec<TokenStream> = api
            .identities
            .iter()
            .filter(|i| area.operations.iter().any(|op| op.identity == i.type_name))
            .map(|i| {
                let var = identity_var(api, &i.type_name);
                let cfg = super::cfg_any(i.feature.as_deref());
                quote!(#cfg let _ = &#var;)
            })
            .collect();
        quote! {
            #area_cfg
            #[tokio::test]
            async fn #name() {
                let (server, client) = start().await;
                // The area's module, for the builders' `via_identity`.
                #[allow(unused_imports)]
                use #lib::#module as this;
                #(#lets)*
                let area = client.#accessor();
                let mut cases: Cases = Vec::new();
                #(#cases)*
                #(#uses)*
                let _ = &area;
                check(&server, &client, cases).await;
            }
        }
    });
    let doc = inner_attrs(
        "Every operation, built with sample arguments (plainly and via an identity holding every key), \
         reaches a local server with its method and its path template filled in. Run with \
         `--all-features` to cover operations behind Cargo features.",
    );
    quote! {
        #doc
        // With default features every operation of an area may be compiled out, leaving the
        // helpers unused; and each case is pushed on its own, under its own feature gate.
        #![allow(dead_code, unused_imports, unused_mut, clippy::vec_init_then_push)]

        use #lib::#trait_name;
        use #lib::runtime::{Call, Client, Error, StaticToken};

        /// Expected method and path, and how to build the call (`into_call`, the assembly `send` uses).
        ///
        /// Each call is built by its own closure, only when it is checked: built in place, the
        /// builders of a large area (Security's 500 operations) would each keep a slot in one
        /// debug-build stack frame and overflow a test thread's stack.
        type Cases<'a> = Vec<(&'static str, &'static str, Box<dyn Fn() -> Result<Call, Error> + 'a>)>;

        /// One operation: its call built plainly and, when the path has parameters, via the
        /// identity; both must reach the same method and path.
        macro_rules! case {
            ($cases:ident, $method:literal, $path:literal, $plain:expr) => {
                $cases.push(($method, $path, Box::new(|| $plain.into_call())))
            };
            ($cases:ident, $method:literal, $path:literal, $plain:expr, $via:expr) => {
                $cases.push(($method, $path, Box::new(|| $plain.into_call())));
                $cases.push(($method, $path, Box::new(|| $via.and_then(|r| r.into_call()))));
            };
        }

        /// Sends each call and checks that the server received exactly it: one new request
        /// with the expected method and path. Answers are 204 with no body; only the request
        /// matters here.
        async fn check(server: &wiremock::MockServer, client: &Client, cases: Cases<'_>) {
            for (seen, (method, path, build)) in cases.into_iter().enumerate() {
                let call = build().unwrap_or_else(|e| panic!("{method} {path}: {e}"));
                let _ = client.execute(call).await;
                let requests = server.received_requests().await.unwrap_or_default();
                assert_eq!(requests.len(), seen + 1, "{method} {path}: expected exactly one new request");
                let request = &requests[seen];
                assert_eq!(request.method.as_str(), method, "method of {path}");
                assert_eq!(request.url.path(), format!("/v1.0{path}"), "path of {method} {path}");
            }
        }

        async fn start() -> (wiremock::MockServer, Client) {
            let server = wiremock::MockServer::start().await;
            wiremock::Mock::given(wiremock::matchers::any())
                .respond_with(wiremock::ResponseTemplate::new(204))
                .mount(&server)
                .await;
            let client = Client::builder()
                .base_url(format!("{}/v1.0", server.uri()))
                .credential(StaticToken::new("sample-token"))
                .no_proxy()
                .max_retries(0)
                .build()
                .expect("client");
            (server, client)
        }

        #(#tests)*
    }
}

/// The test's variable for an identity: `identity` when the crate has one.
fn identity_var(api: &Api, type_name: &str) -> proc_macro2::Ident {
    if api.by_module { ident(&crate::naming::field_name(type_name)) } else { ident("identity") }
}

/// A sample value for a parameter: plain ASCII, so the expected path needs no encoding.
fn sample(name: &str) -> String {
    let clean: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("sample-{clean}")
}

fn case(api: &Api, op: &Operation) -> Option<TokenStream> {
    // A body type without `Default` is an argument that cannot be built generically; none
    // of Graph's bodies has one, and such an operation is left out of the table.
    if let Some(RequestBody::Json(body)) = &op.body
        && !matches!(api.models.get(&body.type_name), Some(Model::Struct(s)) if s.has_default)
    {
        return None;
    }
    let method = ident(&op.method_name);
    let method_text = op.http_method.as_str();
    let mut path = op.path.clone();
    let mut args = Vec::new();
    for p in &op.path_params {
        let value = sample(&p.identity_wire);
        path = path.replace(&format!("{{{}}}", p.wire), &value);
        args.push(quote!(#value));
    }
    let required: Vec<TokenStream> = op
        .query_params
        .iter()
        .chain(op.header_params.iter())
        .filter(|p| p.required)
        .map(|p| match p.kind {
            ParamKind::String => quote!("sample"),
            ParamKind::Integer => quote!(1),
            ParamKind::Boolean => quote!(true),
            ParamKind::List => quote!(&["sample"]),
        })
        .collect();
    let expected = path;
    let cfg = super::cfg_any(op.feature.as_deref());
    let identity = identity_var(api, &op.identity);
    let via = if op.path_params.is_empty() {
        quote!()
    } else if required.is_empty() {
        // Complete with its path: the generic `Request::via_identity` builds it.
        let builder = ident(&op.builder_name);
        quote!(, this::#builder::via_identity(&client, &#identity))
    } else {
        let via = ident(&compose("", &op.method_name, "via identity"));
        quote!(, area.#via(&#identity, #(#required,)*))
    };
    Some(quote! {
        #cfg
        case!(cases, #method_text, #expected, area.#method(#(#args,)* #(#required,)*) #via);
    })
}
