//! The one place where names from the document become Rust identifiers.
//!
//! Every identifier the generator emits goes through [`sanitize`], so the rules for
//! keywords, leading digits, OData dots (`microsoft.graph.x`), annotations
//! (`@odata.type`), dashes (`servicePrincipal-id`) and empty names live here and only
//! here. The functions are pure and total: any input string yields a valid identifier.

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

/// What kind of Rust item a name is for; decides the case convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Types, enum variants: `SynchronizationSecret`.
    Pascal,
    /// Fields, functions, modules: `service_principal_id`.
    Snake,
    /// Constants and statics: `ACQUIRE_ACCESS_TOKEN`.
    ShoutySnake,
}

/// Turns any string into a valid Rust identifier in the requested case.
///
/// - characters that cannot appear in identifiers (`.`, `@`, `-`, `$`, `(`, `'`, …) are
///   word separators, so `@odata.nextLink` becomes `odata_next_link`;
/// - a name that starts with a digit gets a leading `_` in snake case (`_2xx`) and a
///   leading `N` in Pascal case (`N2xx`), since `_` alone is not a valid type name start
///   under clippy's conventions;
/// - a name that is empty after cleaning becomes `empty`/`Empty`;
/// - keywords become raw identifiers (`r#type`) where Rust allows it, and get a
///   trailing `_` where it does not (`self_`, `crate_`, `super_`); the type name `Self` becomes
///   `SelfType`.
pub fn sanitize(name: &str, case: Case) -> String {
    let cased = cased_words(name, case);
    // `Self` cannot be a type name, and `Self_` breaks the type naming convention (clippy's
    // `non_camel_case_types`).
    if case == Case::Pascal && cased == "Self" {
        return "SelfType".to_owned();
    }
    escape_keyword(cased)
}

/// A PascalCase label for people and JSON (`ServicePrincipalId`, `Self`): the same
/// words as [`type_name`], without keyword escaping, since it is never an identifier.
pub fn pascal_label(name: &str) -> String {
    cased_words(name, Case::Pascal)
}

fn cased_words(name: &str, case: Case) -> String {
    // Split on anything that is not alphanumeric so that heck sees word boundaries
    // (heck treats `.` and `@` inconsistently across versions; we decide here).
    let spaced: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let cased = match case {
        Case::Pascal => spaced.to_pascal_case(),
        Case::Snake => spaced.to_snake_case(),
        Case::ShoutySnake => spaced.to_shouty_snake_case(),
    };
    let cased = if cased.is_empty() {
        match case {
            Case::Pascal => "Empty".to_owned(),
            Case::Snake => "empty".to_owned(),
            Case::ShoutySnake => "EMPTY".to_owned(),
        }
    } else {
        cased
    };
    if cased.starts_with(|c: char| c.is_ascii_digit()) {
        match case {
            Case::Pascal => format!("N{cased}"),
            Case::Snake | Case::ShoutySnake => format!("_{cased}"),
        }
    } else {
        cased
    }
}

/// PascalCase type or variant name.
pub fn type_name(name: &str) -> String {
    sanitize(name, Case::Pascal)
}

/// snake_case field, function or module name.
pub fn field_name(name: &str) -> String {
    sanitize(name, Case::Snake)
}

/// SHOUTY_SNAKE_CASE constant name.
pub fn const_name(name: &str) -> String {
    sanitize(name, Case::ShoutySnake)
}

/// Words that cannot be raw identifiers (`r#self` is rejected by rustc).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "extern", "_"];

/// Strict and reserved keywords of Rust 2024 (plus weak ones that break in some positions).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn escape_keyword(ident: String) -> String {
    if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

/// The name under which an identifier is seen by users (raw prefix removed), used
/// where a name is composed from another one (`r#type` + `_id` must give `type_id`).
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// An identifier composed of words around an existing identifier, such as `with_` +
/// `_2fa` → `with_2fa` or `r#type` + `_via_identity`: recomposed through
/// [`field_name`] so that the result is valid and conventionally cased.
pub fn compose(before: &str, ident: &str, after: &str) -> String {
    field_name(&format!("{before} {} {after}", unraw(ident)))
}

/// Builds a `proc_macro2::Ident` from a sanitized name (raw identifiers included).
pub fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// A crude but predictable English singular, for `credentials` → `credential` adders.
/// Returns `None` when no confident singular exists (then no adder is generated).
pub fn singular(snake: &str) -> Option<String> {
    let base = unraw(snake);
    if let Some(stem) = base.strip_suffix("ies") {
        return Some(format!("{stem}y"));
    }
    if base.ends_with("ss") || base.ends_with("us") || base.ends_with("is") {
        return None;
    }
    base.strip_suffix('s').filter(|stem| !stem.is_empty() && !stem.ends_with('_')).map(|stem| stem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that have broken generators before: every one must become a valid,
    /// parseable identifier of the right case.
    #[test]
    fn cursed_names() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "microsoft.graph.synchronizationSecret",
                "MicrosoftGraphSynchronizationSecret",
                "microsoft_graph_synchronization_secret",
            ),
            ("@odata.type", "OdataType", "odata_type"),
            ("@odata.nextLink", "OdataNextLink", "odata_next_link"),
            ("servicePrincipal-id", "ServicePrincipalId", "service_principal_id"),
            ("oAuth2PermissionGrant-id", "OAuth2PermissionGrantId", "o_auth2_permission_grant_id"),
            ("type", "Type", "r#type"),
            ("self", "SelfType", "self_"),
            ("Self", "SelfType", "self_"),
            ("crate", "Crate", "crate_"),
            ("super", "Super", "super_"),
            ("match", "Match", "r#match"),
            ("gen", "Gen", "r#gen"),
            ("async", "Async", "r#async"),
            ("2XX", "N2xx", "_2xx"),
            ("3dModel", "N3dModel", "_3d_model"),
            ("", "Empty", "empty"),
            ("@", "Empty", "empty"),
            ("$top", "Top", "top"),
            ("(appId='{appId}')", "AppIdAppId", "app_id_app_id"),
            ("é", "Empty", "empty"),
            ("_", "Empty", "empty"),
            ("ID", "Id", "id"),
            ("request-id", "RequestId", "request_id"),
        ];
        for (input, pascal, snake) in cases {
            assert_eq!(&type_name(input), pascal, "type name of {input:?}");
            assert_eq!(&field_name(input), snake, "field name of {input:?}");
            for name in [type_name(input), field_name(input), const_name(input)] {
                let parsed: Result<syn::Ident, _> = syn::parse_str(&name);
                assert!(parsed.is_ok(), "{name:?} (from {input:?}) is not an identifier");
            }
        }
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("credentials").as_deref(), Some("credential"));
        assert_eq!(singular("policies").as_deref(), Some("policy"));
        assert_eq!(singular("address"), None);
        assert_eq!(singular("status"), None);
        assert_eq!(singular("s"), None);
    }
}
