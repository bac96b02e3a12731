//! Rustdoc text from OpenAPI prose.
//!
//! Descriptions are written for web pages, not rustdoc: square brackets would become
//! broken intra-doc links, angle brackets HTML tags, and bare URLs warnings. They are
//! escaped here so that `cargo doc` stays quiet on generated code.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text` (a blank line separates paragraphs).
pub fn attrs(text: &str) -> TokenStream {
    let lines: Vec<String> = text.trim_end().lines().map(|l| format!(" {l}").trim_end().to_owned()).collect();
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = "..."]` inner attributes (module and crate documentation).
pub fn inner_attrs(text: &str) -> TokenStream {
    let lines: Vec<String> = text.trim_end().lines().map(|l| format!(" {l}").trim_end().to_owned()).collect();
    quote! { #( #![doc = #lines] )* }
}

/// Escapes OpenAPI prose for rustdoc.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.starts_with("https://") || word.starts_with("http://") {
            let trimmed = word.trim_end_matches(['.', ',', ';', ')']);
            out.push('<');
            out.push_str(trimmed);
            out.push('>');
            out.push_str(&word[trimmed.len()..]);
        } else {
            for c in word.chars() {
                match c {
                    '[' | ']' | '<' | '>' | '*' | '`' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\r' => {}
                    _ => out.push(c),
                }
            }
        }
    }
    out
}

/// Code span: `text` in backticks, with backticks inside made harmless.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_escapes_markdown_and_links_urls() {
        assert_eq!(prose("see [x] at https://a.b/c. ok"), "see \\[x\\] at <https://a.b/c>. ok");
        assert_eq!(prose("a <b> c_d *e*"), "a \\<b\\> c_d \\*e\\*");
    }
}
