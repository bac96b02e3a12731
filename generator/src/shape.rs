//! The builder shape every generated operation shares, as far as lowering and emission
//! must agree on it: the method names the shared `Request` builder defines (so that body
//! setters and operation-specific parameters avoid them) and the standard OData options
//! that get one shared method instead of one per operation. `emit/request.rs` writes the
//! builder itself.

use crate::ir::ParamKind;

/// Method names `Request` defines for every operation, or for every operation with a given
/// option, private ones included. Body setters and operation-specific parameters must avoid
/// them: inherent methods of one type may not share a name.
pub const REQUEST_METHODS: &[&str] = &[
    "new",
    "with_body",
    "via_identity",
    "via_identity_with_body",
    "into_parts",
    "call",
    "send",
    "what_if",
    "into_call",
    "body",
    "header",
    "headers",
    "timeout",
    "max_retries",
    "max_retry_delay",
    "max_response_body",
    "prepend",
    "append",
    "additional_property",
    "pages",
    "items",
    "select",
    "expand",
    "filter",
    "search",
    "top",
    "skip",
    "count",
    "orderby",
    "if_match",
    "consistency_level",
    "format",
];

/// One option every operation that declares it shares: the optional parameter's wire name
/// and value shape, the marker trait an operation implements to get it, the method.
pub struct StandardOption {
    /// Name on the wire.
    pub wire: &'static str,
    /// Value shape the parameter must have to be this option.
    pub kind: ParamKind,
    /// Whether it is a header (else a query parameter).
    pub header: bool,
    /// Marker trait in `request.rs`.
    pub marker: &'static str,
    /// Builder method.
    pub method: &'static str,
    /// What the method's documentation says it does.
    pub docs: &'static str,
}

const fn option(
    wire: &'static str,
    kind: ParamKind,
    header: bool,
    marker: &'static str,
    method: &'static str,
    docs: &'static str,
) -> StandardOption {
    StandardOption { wire, kind, header, marker, method, docs }
}

/// The options with one shared method. An optional parameter with one of these wire names
/// and value shapes gets the shared method (through its marker trait) instead of one of its own.
pub const STANDARD_OPTIONS: &[StandardOption] = &[
    option("$select", ParamKind::List, false, "Select", "select", "the properties to return"),
    option("$expand", ParamKind::List, false, "Expand", "expand", "the related entities to include"),
    option("$filter", ParamKind::String, false, "Filter", "filter", "an OData filter expression the items must match"),
    option("$search", ParamKind::String, false, "Search", "search", "search phrases the items must match"),
    option("$top", ParamKind::Integer, false, "Top", "top", "the number of items per page"),
    option("$skip", ParamKind::Integer, false, "Skip", "skip", "how many items to skip"),
    option("$count", ParamKind::Boolean, false, "Count", "count", "whether the response includes `@odata.count`"),
    option(
        "$orderby",
        ParamKind::List,
        false,
        "OrderBy",
        "orderby",
        "the properties to sort by (`name desc` for descending)",
    ),
    option("$format", ParamKind::String, false, "Format", "format", "the format of the response content"),
    option(
        "If-Match",
        ParamKind::String,
        true,
        "IfMatch",
        "if_match",
        "an ETag the entity must still have (optimistic concurrency)",
    ),
    option(
        "ConsistencyLevel",
        ParamKind::String,
        true,
        "ConsistencyLevel",
        "consistency_level",
        "the consistency level (`eventual` enables advanced queries: <https://learn.microsoft.com/graph/aad-advanced-queries>)",
    ),
];

/// The standard option a parameter is, if it is one.
pub fn standard_option(wire: &str, kind: ParamKind, header: bool) -> Option<&'static StandardOption> {
    STANDARD_OPTIONS.iter().find(|o| o.wire == wire && o.kind == kind && o.header == header)
}
