//! Errors and warnings of the generator. Every message about the document names the
//! JSON pointer at fault, so that a maintainer can jump to the offending node.

use std::fmt;

/// A finding about the document: where (JSON pointer) and what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// RFC 6901 pointer into the document, e.g. `/paths/~1applications/get`.
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { pointer: pointer.into(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Why generation failed. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document's bytes are not the pinned ones.
    #[error(
        "{document} has sha256 {actual}, but {provenance} pins sha256 {expected}.\n\
         If this new document is intended, re-pin it: set `sha256 = \"{actual}\"` (and `source`, `commit`, `date`) \
         in {provenance}, then run `cargo xtask codegen`."
    )]
    Checksum {
        /// The document's file name.
        document: String,
        /// The provenance file's name.
        provenance: String,
        /// The pinned checksum.
        expected: String,
        /// The checksum of the bytes read.
        actual: String,
    },
    /// The document is not well-formed YAML/JSON.
    #[error("{document}:{line}:{column}: YAML syntax error: {message}")]
    Syntax {
        /// The document's file name.
        document: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The document parsed, but breaks OpenAPI rules the generator relies on.
    #[error("{document} is not a document the generator can use:\n{}", list(.diagnostics))]
    Invalid {
        /// The document's file name.
        document: String,
        /// Every problem found, in document order.
        diagnostics: Vec<Diagnostic>,
    },
    /// The generator produced tokens that do not parse: a bug in the generator itself.
    #[error("generator bug while emitting {file}: {message}; please report it with the document that caused it")]
    Bug {
        /// The file being emitted.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A configuration file (selection, provenance, permissions) is malformed.
    #[error("{file}: {message}")]
    Config {
        /// The file at fault.
        file: String,
        /// What is wrong.
        message: String,
    },
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("  - {d}")).collect::<Vec<_>>().join("\n")
}

/// Escapes one reference token for a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends tokens to a pointer.
pub fn pointer(base: &str, tokens: &[&str]) -> String {
    let mut out = base.to_owned();
    for token in tokens {
        out.push('/');
        out.push_str(&escape_token(token));
    }
    out
}
