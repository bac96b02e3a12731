//! A generated, table-driven test for the emitted crate: every operation, built with
//! sample arguments (plainly and via an identity), must reach a local HTTP server with its
//! method and its path template filled in.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::inner_attrs;
use crate::ir::{Api, Model, Operation, ParamKind, RequestBody};
use crate::naming::{compose, ident};

/// Tokens of `tests/every_operation.rs`.
pub fn every_operation_rs(api: &Api, crate_name: &str) -> TokenStream {
    let lib = ident(&crate_name.replace('-', "_"));
    let identity = ident(&api.identity.type_name);
    let trait_name = ident(&format!("{}Api", crate::naming::type_name(&api.title)));
    let identity_setters = api
        .identity
        .fields
        .iter()
        .map(|f| {
            let setter = ident(&compose("with", &f.rust, ""));
            let value = sample(&f.wire);
            quote!(.#setter(#value))
        })
        .collect::<Vec<_>>();
    // One test per area, each case boxed: a single future holding hundreds of awaits
    // overflows a test thread's stack in debug builds.
    let tests = api.areas.values().map(|area| {
        let accessor = ident(&area.accessor);
        let name = ident(&compose("", &area.accessor, "operations reach the server"));
        let cases: Vec<TokenStream> = area.operations.iter().filter_map(|op| case(api, op, &accessor)).collect();
        let area_cfg = match &area.operations.iter().all(|op| op.feature.is_some()) {
            true => {
                let feature = &area.feature;
                quote!(#[cfg(feature = #feature)])
            }
            false => quote!(),
        };
        quote! {
            #area_cfg
            #[tokio::test]
            async fn #name() {
                let (server, client) = start().await;
                let identity = #lib::identity::#identity::new() #(#identity_setters)*;
                let mut seen = 0usize;
                // Answers are 204 with no body: operations that expect JSON fail to decode,
                // which is fine here; only the request matters.
                #(#cases)*
                let _ = (&identity, &client, &mut seen);
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
        // helpers unused.
        #![allow(dead_code, unused_imports)]

        use #lib::#trait_name;
        use #lib::runtime::{Client, StaticToken};

        /// Checks the last request the server received, then forgets it.
        async fn expect(server: &wiremock::MockServer, seen: &mut usize, method: &str, path: &str) {
            let requests = server.received_requests().await.unwrap_or_default();
            assert_eq!(requests.len(), *seen + 1, "{method} {path}: expected exactly one new request");
            let request = &requests[*seen];
            assert_eq!(request.method.as_str(), method, "method of {path}");
            assert_eq!(request.url.path(), path, "path of {method} {path}");
            *seen += 1;
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

/// A sample value for a parameter: plain ASCII, so the expected path needs no encoding.
fn sample(name: &str) -> String {
    let clean: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("sample-{clean}")
}

fn case(api: &Api, op: &Operation, accessor: &proc_macro2::Ident) -> Option<TokenStream> {
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
    let expected = format!("/v1.0{path}");
    let cfg = match &op.feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => quote!(),
    };
    let via = if op.path_params.is_empty() {
        quote!()
    } else {
        let via = ident(&compose("", &op.method_name, "via identity"));
        quote! {
            let _ = client.#accessor().#via(&identity, #(#required,)*).expect("identity has every key").send().await;
            expect(&server, &mut seen, #method_text, #expected).await;
        }
    };
    Some(quote! {
        #cfg
        Box::pin(async {
            let _ = client.#accessor().#method(#(#args,)* #(#required,)*).send().await;
            expect(&server, &mut seen, #method_text, #expected).await;
            #via
        })
        .await;
    })
}
