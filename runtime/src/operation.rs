//! Static descriptions of generated operations.

use std::fmt;

use crate::error::Error;

/// The HTTP methods Graph operations use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The upper-case method name, e.g. `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// The equivalent [`http::Method`].
    pub fn to_http(self) -> http::Method {
        match self {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Post => http::Method::POST,
            HttpMethod::Put => http::Method::PUT,
            HttpMethod::Patch => http::Method::PATCH,
            HttpMethod::Delete => http::Method::DELETE,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static description of one generated operation; the generator emits a `static` of it per
/// operation.
#[derive(Debug)]
pub struct OperationInfo {
    /// The OpenAPI `operationId`, e.g. `servicePrincipal.synchronization_acquireAccessToken`.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path exactly as in the OpenAPI document, placeholders included, e.g.
    /// `/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken`
    /// or an alternate key such as `/applications(appId='{appId}')`.
    pub path_template: &'static str,
    /// The permissions Microsoft's permission reference lists for this operation, least
    /// privileged first; `None` when the reference does not list its path.
    pub permissions: Option<&'static crate::Permissions>,
}

impl OperationInfo {
    /// The what-if description, as PowerShell prints it:
    /// `Call remote 'POST /servicePrincipals/{servicePrincipal-id}/…' operation`.
    pub fn description(&self) -> String {
        format!("Call remote '{} {}' operation", self.method, self.path_template)
    }

    /// `METHOD /path/template`, used in error messages.
    pub(crate) fn signature(&self) -> String {
        format!("{} {}", self.method, self.path_template)
    }
}

/// Resolves an identity key of a via-identity call (`-InputObject`): `None` or `""` is an
/// [`Error::InvalidArgument`] displayed as `identity has no value for <key>`.
pub fn identity_key<'a>(value: Option<&'a str>, key: &'static str) -> Result<&'a str, Error> {
    match value {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(Error::InvalidArgument {
            parameter: Some(key.to_owned()),
            message: format!("identity has no value for {key}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OP: OperationInfo = OperationInfo {
        operation_id: "servicePrincipal.synchronization_acquireAccessToken",
        method: HttpMethod::Post,
        path_template: "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken",
        permissions: None,
    };

    #[test]
    fn description_matches_powershell() {
        assert_eq!(
            OP.description(),
            "Call remote 'POST /servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken' operation"
        );
    }

    #[test]
    fn methods() {
        assert_eq!(HttpMethod::Patch.to_string(), "PATCH");
        assert_eq!(HttpMethod::Delete.to_http(), http::Method::DELETE);
    }

    #[test]
    fn identity_keys() {
        assert_eq!(identity_key(Some("sp"), "ServicePrincipalId").unwrap(), "sp");
        for missing in [None, Some("")] {
            let error = identity_key(missing, "ServicePrincipalId").unwrap_err();
            assert_eq!(error.to_string(), "identity has no value for ServicePrincipalId");
            assert!(error.is_invalid_argument());
        }
    }
}
