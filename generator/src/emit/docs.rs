//! Rustdoc text from OpenAPI prose.
//!
//! Descriptions are written for web pages, not rustdoc: square brackets would become
//! broken intra-doc links, angle brackets HTML tags, and bare URLs warnings. They are
//! escaped here so that `cargo doc` stays quiet on generated code.
//!
//! They are also hostile input: any code block in a doc comment is a doctest, which
//! `cargo test` compiles and runs. A code block needs a fence (three backticks or tildes
//! in a row) or four columns of indentation (at the start of a line, or after a list or
//! quote marker), so no doc line ever has either: [`doc_lines`] (the only way doc text
//! reaches the output) keeps at most three spaces of indentation, collapses every other run
//! of spaces and tabs to one space, and escapes any run of three backticks or tildes; [`prose`]
//! escapes every backtick and tilde of document text besides. HTML cannot open a code block
//! either (and [`prose`] escapes `<`). Characters a doc comment cannot hold (a bare carriage
//! return is a syntax error, bidirectional overrides are denied by rustc's
//! `text_direction_codepoint_in_comment`) become spaces or their `U+XXXX` names. The string
//! itself is always a quoted literal built by `quote`, so `"#`, `]` or `*/` in a description
//! cannot end the attribute.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text` (a blank line separates paragraphs).
pub fn attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// One doc string for `text` (its [`doc_lines`] joined), for a macro's `#[doc = $doc]`.
pub fn doc_literal(text: &str) -> String {
    doc_lines(text).join("\n")
}

/// `#![doc = "..."]` inner attributes (module and crate documentation).
pub fn inner_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// The doc attribute values for `text`: one per line, each ` <line>`. No line is indented by
/// more than three spaces and no line holds two spaces in a row after its indentation, so no
/// line is indented by four columns relative to any container (a list item, a quote) — the
/// condition for an indented code block. Three spaces are kept so that list items can
/// continue their paragraphs. No character a comment cannot hold, no fence.
pub fn doc_lines(text: &str) -> Vec<String> {
    text.trim_end()
        .split('\n')
        .map(|line| {
            let line = comment_safe(line);
            let content = line.trim_start_matches(' ');
            let indent = (line.len() - content.len()).min(MAX_INDENT);
            let mut collapsed = String::with_capacity(content.len());
            for c in content.chars() {
                if !(c == ' ' && collapsed.ends_with(' ')) {
                    collapsed.push(c);
                }
            }
            format!(" {}{}", " ".repeat(indent), unfence(&collapsed)).trim_end().to_owned()
        })
        .collect()
}

/// Indentation kept at the start of a doc line: one less than an indented code block needs.
const MAX_INDENT: usize = 3;

/// Replaces what a doc comment cannot hold: tabs and carriage returns become spaces, other
/// control characters, line separators and bidirectional formatting characters their
/// `U+XXXX` names (visible, so nothing is lost silently).
fn comment_safe(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' | '\r' => out.push(' '),
            c if c.is_control() || is_bidi_or_separator(c) => out.push_str(&format!("U+{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional formatting characters (rustc's `text_direction_codepoint_*` lints deny them)
/// and the Unicode line and paragraph separators.
fn is_bidi_or_separator(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Escapes every backtick and tilde of a run of three or more, the only way a fence starts.
fn unfence(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut run = 1;
        while i + run < chars.len() && chars[i + run] == c {
            run += 1;
        }
        let escape = (c == '`' || c == '~') && run >= 3;
        for _ in 0..run {
            if escape {
                out.push('\\');
            }
            out.push(c);
        }
        i += run;
    }
    out
}

/// Escapes OpenAPI prose for rustdoc: Markdown punctuation is escaped and `http(s)://` words
/// made only of URL characters become autolinks. Indentation is left to [`doc_lines`].
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for (i, word) in line.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            // A URL in parentheses or quotes, `(https://…/).`, is still a URL.
            let rest = word.trim_start_matches(['(', '"', '\'']);
            let lead = &word[..word.len() - rest.len()];
            let trimmed = rest.trim_end_matches(['.', ',', ';', ')', '"', '\'']);
            if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && trimmed.chars().all(is_url_char) {
                escape_into(lead, &mut out);
                out.push('<');
                out.push_str(trimmed);
                out.push('>');
                escape_into(&rest[trimmed.len()..], &mut out);
            } else {
                escape_into(word, &mut out);
            }
        }
    }
    out
}

/// Characters an autolink may hold as they are: CommonMark ends one only at a space, a control
/// character or `<`/`>`; backticks and backslashes are kept out so that the rest of the line
/// cannot be read differently, and non-ASCII so that no look-alike hides in a link.
fn is_url_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '<' | '>' | '`' | '\\')
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '[' | ']' | '<' | '>' | '*' | '`' | '~' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            _ => out.push(c),
        }
    }
}

/// Code span: `text` in backticks, with backticks inside made harmless and line breaks
/// (a code span cannot hold them) made spaces.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'").replace(['\n', '\r'], " "))
}

/// A link destination: characters that could end it or the line (`)`, spaces, line breaks,
/// backticks, angle brackets, anything outside ASCII) are percent-encoded.
pub fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/?#@!$&'*+,;=%".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_escapes_markdown_and_links_urls() {
        assert_eq!(prose("see [x] at https://a.b/c. ok"), "see \\[x\\] at <https://a.b/c>. ok");
        // Graph's descriptions put URLs in parentheses: rustdoc's bare-URL lint must not fire.
        assert_eq!(
            prose("the base URL (https://graph.microsoft.com/v1.0/). See"),
            "the base URL (<https://graph.microsoft.com/v1.0/>). See"
        );
        assert_eq!(prose("\"https://a.b/c\","), "\"<https://a.b/c>\",");
        assert_eq!(prose("a <b> c_d *e*"), "a \\<b\\> c_d \\*e\\*");
    }

    /// What a Markdown reader needs to open a code block, checked on the final attribute
    /// values: a line indented by four columns (rustdoc drops the one space every line
    /// starts with), or three backticks or tildes in a row that are not escaped.
    fn assert_no_code_block(text: &str) {
        for line in doc_lines(text) {
            let content = line.strip_prefix(' ').unwrap_or(&line);
            let body = content.trim_start_matches(' ');
            assert!(content.len() - body.len() <= 3, "indented line {line:?} from {text:?}");
            assert!(!body.contains("  ") && !body.contains('\t'), "spaces after a marker in {line:?} from {text:?}");
            let chars: Vec<char> = content.chars().collect();
            for fence in ['`', '~'] {
                let mut run = 0;
                for (i, c) in chars.iter().enumerate() {
                    let backslashes = chars[..i].iter().rev().take_while(|c| **c == '\\').count();
                    let escaped = backslashes % 2 == 1;
                    run = if *c == fence && !escaped { run + 1 } else { 0 };
                    assert!(run < 3, "fence in {line:?} from {text:?}");
                }
            }
            assert!(!line.chars().any(|c| c.is_control() || is_bidi_or_separator(c)), "{line:?}");
        }
    }

    #[test]
    fn hostile_descriptions_cannot_open_code_blocks() {
        let hostile = [
            "```\nfn main() { panic!() }\n```",
            "~~~rust\nstd::process::exit(1);\n~~~",
            "para\n\n    let x = 1;\n",
            "para\n\n\tlet x = 1;",
            "para\n\n \t  let x = 1;",
            "- item\n\n      code in a list item",
            "-     code as a list item's first line",
            "10.      code in an ordered item",
            ">     code in a quote",
            "- - -     nested",
            "> ```\n> quoted fence",
            "1. ~~~\n2. list fence",
            "\\```\\~~~ escaped by the document itself",
            "\\\\```",
            "`` ` ``` ` ``",
            "<pre><code>fn main() {}</code></pre>",
            "see https://a.b/```\n```",
            "see https://a.b/x\n\n    indented after a link",
            "\u{3000}\u{3000}\u{3000}\u{3000}ideographic spaces",
            "\u{a0}\u{a0}\u{a0}\u{a0}no-break spaces",
            "bidi \u{202E}evil\u{202C} and \u{2066}isolate\u{2069}, bare \r carriage return, \u{1b}[31m escape, \u{2028} separator",
            "\"# ] */ #[doc = \"x\"] /** */",
        ];
        for text in hostile {
            assert_no_code_block(&prose(text));
            // Generator text built around document text goes through `attrs` as well.
            assert_no_code_block(&format!("- `x`: {}\n{}", prose(text), code(text)));
            // Even text that skipped `prose` cannot open a block.
            assert_no_code_block(text);
        }
    }

    #[test]
    fn unsafe_characters_are_named_not_dropped() {
        assert_eq!(doc_lines("a\u{202E}b\tc\u{1b}"), [" aU+202Eb cU+001B"]);
        assert_eq!(doc_lines("x\n\n    y\n\t```z"), [" x", "", "    y", "  \\`\\`\\`z"]);
        assert_eq!(doc_lines("-     a  b"), [" - a b"]);
    }

    #[test]
    fn code_spans_and_link_targets_stay_on_one_line() {
        assert_eq!(code("a`b\nc"), "`a'b c`");
        assert_eq!(link_target("https://x.y/a b)\n```"), "https://x.y/a%20b%29%0A%60%60%60");
        assert_eq!(
            link_target("https://learn.microsoft.com/graph/api/x?view=graph-rest-1.0"),
            "https://learn.microsoft.com/graph/api/x?view=graph-rest-1.0"
        );
    }
}
