//! What-if previews (`-WhatIf`): the request that would be sent, with secrets hidden.

use std::fmt;

use crate::operation::HttpMethod;

/// The exact request a call would send, without sending it (and without fetching a token).
///
/// `Display` renders it like this:
///
/// ```text
/// What if: Call remote 'POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken' operation
/// POST https://graph.microsoft.com/v1.0/servicePrincipals/sp-1/synchronization/microsoft.graph.acquireAccessToken
/// authorization: Bearer <redacted>
/// content-type: application/json
/// user-agent: msgraph-rust-sdk/0.1.0
/// sdkversion: graph-rust/0.1.0
/// client-request-id: 6f1c…
///
/// {
///   "credentials": [ … ]
/// }
/// ```
///
/// Sensitive header values and every [`Secret`](crate::Secret) in the body show as
/// `<redacted>`; non-JSON bodies show only their size and type.
#[derive(Clone, Debug)]
pub struct WhatIf {
    pub(crate) description: String,
    pub(crate) method: HttpMethod,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<String>,
}

impl WhatIf {
    /// `Call remote 'METHOD /path/template' operation`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The full URL, path parameters substituted and query included.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers as they would be sent, sensitive values replaced by `<redacted>`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body as shown: pretty JSON with secrets redacted, or a size summary.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }
}

impl fmt::Display for WhatIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "What if: {}", self.description)?;
        write!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            write!(f, "\n{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            write!(f, "\n\n{body}")?;
        }
        Ok(())
    }
}
