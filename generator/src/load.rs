//! Bytes → checked text → generic JSON tree → typed OpenAPI.
//!
//! The document is parsed once into a `serde_json::Value` (YAML is a superset of JSON,
//! so JSON documents load too). Validation walks that tree, because a generic tree
//! knows every node's JSON pointer; the typed `openapiv3::OpenAPI` is then built from
//! the same tree for lowering.

use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Error};

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses a document whose bytes differ from the pinned checksum.
pub fn verify_checksum(bytes: &[u8], expected: &str, document: &str, provenance: &str) -> Result<(), Error> {
    let actual = sha256_hex(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(Error::Checksum {
            document: document.to_owned(),
            provenance: provenance.to_owned(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// Parses YAML (or JSON) text into a generic tree; syntax errors carry line and column.
pub fn parse_tree(text: &str, document: &str) -> Result<serde_json::Value, Error> {
    yaml_serde::from_str::<serde_json::Value>(text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
        Error::Syntax { document: document.to_owned(), line, column, message: e.to_string() }
    })
}

/// Builds the typed document from the tree; a shape error names its JSON pointer.
pub fn to_openapi(tree: &serde_json::Value, document: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(tree).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::Invalid {
            document: document.to_owned(),
            diagnostics: vec![Diagnostic::new(pointer, format!("not valid OpenAPI 3.0: {}", e.inner()))],
        }
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&crate::diagnostics::escape_token(key));
            }
            // Enum variants and unknown segments are not part of the document's shape.
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}
