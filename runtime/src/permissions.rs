//! The permissions an operation accepts (from Microsoft's permission reference, generated into
//! each [`OperationInfo`](crate::OperationInfo)), and what a bearer token carried, so that a
//! 403 can say which permission was missing.

use std::fmt;

use base64::Engine as _;

/// The permissions Microsoft's permission reference lists for an operation, per permission
/// type, least privileged first (operations that accept the same share one `static`) (the reference's `least=` markers, then its `privilegeLevel`).
/// Any one permission of a type is enough, together with its
/// [`also_requires`](Permission::also_requires).
#[derive(Debug, PartialEq, Eq)]
pub struct Permissions {
    /// Delegated, work or school account. Empty: not supported.
    pub delegated_work: &'static [Permission],
    /// Delegated, personal Microsoft account. Empty: not supported.
    pub delegated_personal: &'static [Permission],
    /// Application. Empty: not supported.
    pub application: &'static [Permission],
}

/// One permission an operation accepts.
#[derive(Debug, PartialEq, Eq)]
pub struct Permission {
    /// The permission (scope or app role), e.g. `Synchronization.ReadWrite.All`.
    pub name: &'static str,
    /// Whether the reference marks it as least privileged for this operation.
    pub least_privileged: bool,
    /// When not empty, it works only together with one of these (the reference's
    /// `AlsoRequires=`, alternatives: `AppRoleAssignment.ReadWrite.All` with
    /// `Application.Read.All` or with `Directory.Read.All`).
    pub also_requires: &'static [&'static str],
}

impl Permission {
    /// A least-privileged permission.
    pub const fn least(name: &'static str) -> Self {
        Permission { name, least_privileged: true, also_requires: &[] }
    }

    /// A higher-privileged permission.
    pub const fn higher(name: &'static str) -> Self {
        Permission { name, least_privileged: false, also_requires: &[] }
    }

    /// The same permission, working only together with one of `others`.
    pub const fn also(self, others: &'static [&'static str]) -> Self {
        Permission { also_requires: others, ..self }
    }
}

impl Permissions {
    /// Whether `grants` holds a permission this operation accepts (with one of what it also
    /// requires), in the list of the token's kind: application roles, or the delegated
    /// scopes of a work or school account, or of a personal account (`tid` of the consumer
    /// tenant). `None` when the token carried neither scopes nor roles.
    pub fn accepts(&self, grants: &TokenGrants) -> Option<bool> {
        let satisfied = |list: &[Permission], held: &[String]| {
            list.iter().any(|p| {
                held.iter().any(|h| h.eq_ignore_ascii_case(p.name))
                    && (p.also_requires.is_empty()
                        || p.also_requires.iter().any(|a| held.iter().any(|h| h.eq_ignore_ascii_case(a))))
            })
        };
        if grants.scopes.is_empty() && grants.roles.is_empty() {
            return None;
        }
        let delegated = if grants.personal_account { self.delegated_personal } else { self.delegated_work };
        Some(satisfied(delegated, &grants.scopes) || satisfied(self.application, &grants.roles))
    }
}

/// Writes `A, B (also requires C)` or `not supported`.
fn write_list(f: &mut fmt::Formatter<'_>, list: &[Permission]) -> fmt::Result {
    if list.is_empty() {
        return f.write_str("not supported");
    }
    for (i, p) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(p.name)?;
        if !p.also_requires.is_empty() {
            write!(f, " (with {})", p.also_requires.join(" or "))?;
        }
    }
    Ok(())
}

impl fmt::Display for Permissions {
    /// `delegated (work or school): A, B; delegated (personal account): not supported;
    /// application: C`, least privileged first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("delegated (work or school): ")?;
        write_list(f, self.delegated_work)?;
        f.write_str("; delegated (personal account): ")?;
        write_list(f, self.delegated_personal)?;
        f.write_str("; application: ")?;
        write_list(f, self.application)
    }
}

/// What a bearer token granted: its `scp` (delegated scopes) and `roles` (app roles) claims,
/// read from the JWT payload without verifying it (only the service can). Nothing else of the
/// token is kept, so this is safe to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenGrants {
    /// Delegated scopes (`scp`, space separated in the token).
    pub scopes: Vec<String>,
    /// Application roles (`roles`).
    pub roles: Vec<String>,
    /// The token is a personal Microsoft account's (its `tid` is the consumer tenant), so the
    /// personal-account list applies to its scopes rather than the work or school one.
    pub personal_account: bool,
}

/// The tenant id of personal Microsoft accounts.
const CONSUMER_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// At most this many scopes and roles are kept (a hostile token must not flood a log line).
const MAX_GRANTS: usize = 64;

impl TokenGrants {
    /// Reads the grants of an `Authorization: Bearer <jwt>` header value. `None` when it is not
    /// a bearer JWT with a JSON payload (an opaque token, a personal account's token).
    pub fn from_authorization(value: &[u8]) -> Option<TokenGrants> {
        let value = std::str::from_utf8(value).ok()?;
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        Self::from_jwt(token.trim())
    }

    /// Reads the grants of a compact JWT (`header.payload.signature`).
    pub fn from_jwt(token: &str) -> Option<TokenGrants> {
        let mut parts = token.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || payload.len() > 64 * 1024 {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        #[derive(serde::Deserialize)]
        struct Claims {
            #[serde(default)]
            scp: Option<String>,
            #[serde(default)]
            roles: Option<Vec<String>>,
            #[serde(default)]
            tid: Option<String>,
        }
        let claims: Claims = serde_json::from_slice(&bytes).ok()?;
        Some(TokenGrants {
            scopes: claims.scp.unwrap_or_default().split_whitespace().take(MAX_GRANTS).map(short_name).collect(),
            roles: claims.roles.unwrap_or_default().iter().take(MAX_GRANTS).map(|r| short_name(r)).collect(),
            personal_account: claims.tid.is_some_and(|tid| tid.eq_ignore_ascii_case(CONSUMER_TENANT)),
        })
    }
}

/// Keeps a claim value to a printable permission name: at most 128 characters, no control,
/// line-separator or bidirectional-override characters (a hostile token must not forge or
/// reorder log lines).
fn short_name(value: &str) -> String {
    value
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .take(128)
        .collect()
}

impl fmt::Display for TokenGrants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| if v.is_empty() { "none".to_owned() } else { v.join(" ") };
        write!(f, "scp: {}; roles: {}", list(&self.scopes), list(&self.roles))?;
        if self.personal_account {
            f.write_str(" (a personal Microsoft account)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", engine.encode(r#"{"alg":"none"}"#), engine.encode(payload))
    }

    const SEED: Permissions = Permissions {
        delegated_work: &[Permission::least("Synchronization.ReadWrite.All")],
        delegated_personal: &[],
        application: &[
            Permission::least("Application.ReadWrite.OwnedBy"),
            Permission::higher("Synchronization.ReadWrite.All").also(&["Directory.Read.All", "Application.Read.All"]),
        ],
    };

    #[test]
    fn grants_come_from_scp_and_roles_only() {
        let token = jwt(r#"{"scp":"User.Read  Mail.Read","roles":["A.B"],"upn":"x@y","aud":"z"}"#);
        let grants = TokenGrants::from_authorization(format!("Bearer {token}").as_bytes()).unwrap();
        assert_eq!(grants.scopes, ["User.Read", "Mail.Read"]);
        assert_eq!(grants.roles, ["A.B"]);
        assert_eq!(grants.to_string(), "scp: User.Read Mail.Read; roles: A.B");
    }

    #[test]
    fn opaque_and_malformed_tokens_give_no_grants() {
        for value in ["Bearer opaque", "Basic abc", "Bearer a.b", "Bearer a.%%%.c", "Bearer a.b.c.d", ""] {
            assert_eq!(TokenGrants::from_authorization(value.as_bytes()), None, "{value}");
        }
        let not_json = format!("Bearer x.{}.y", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("[1]"));
        assert_eq!(TokenGrants::from_authorization(not_json.as_bytes()), None);
    }

    #[test]
    fn hostile_claims_are_made_printable_and_bounded() {
        let grants =
            TokenGrants::from_jwt(&jwt(r#"{"roles":["a\nforged: line", "b\u2028c\u202ed\u2066e\u0007f"]}"#)).unwrap();
        assert_eq!(grants.roles, ["aforged: line", "bcdef"]);
        let many: Vec<String> = (0..5_000).map(|i| format!("S{i}")).collect();
        let grants = TokenGrants::from_jwt(&jwt(&format!(r#"{{"scp":"{}"}}"#, many.join(" ")))).unwrap();
        assert_eq!(grants.scopes.len(), MAX_GRANTS);
        let long = "x".repeat(1000);
        let grants = TokenGrants::from_jwt(&jwt(&format!(r#"{{"roles":["{long}"]}}"#))).unwrap();
        assert_eq!(grants.roles[0].len(), 128);
    }

    #[test]
    fn the_consumer_tenant_marks_a_personal_account() {
        let personal =
            TokenGrants::from_jwt(&jwt(r#"{"scp":"User.Read","tid":"9188040D-6C67-4C5B-B112-36A304B66DAD"}"#));
        assert!(personal.unwrap().personal_account);
        let work = TokenGrants::from_jwt(&jwt(r#"{"scp":"User.Read","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#));
        assert!(!work.unwrap().personal_account);
    }

    #[test]
    fn accepts_needs_one_listed_permission_and_what_it_also_requires() {
        let grants = |scopes: &[&str], roles: &[&str]| TokenGrants {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            roles: roles.iter().map(|s| s.to_string()).collect(),
            personal_account: false,
        };
        assert_eq!(SEED.accepts(&grants(&[], &[])), None);
        assert_eq!(SEED.accepts(&grants(&["synchronization.readwrite.all"], &[])), Some(true));
        assert_eq!(SEED.accepts(&grants(&["User.Read"], &[])), Some(false));
        assert_eq!(SEED.accepts(&grants(&[], &["Synchronization.ReadWrite.All"])), Some(false));
        // AlsoRequires lists alternatives: either one completes the pair.
        assert_eq!(SEED.accepts(&grants(&[], &["Synchronization.ReadWrite.All", "Directory.Read.All"])), Some(true));
        assert_eq!(SEED.accepts(&grants(&[], &["Synchronization.ReadWrite.All", "Application.Read.All"])), Some(true));
        // A delegated scope never satisfies an application permission.
        assert_eq!(SEED.accepts(&grants(&["Application.ReadWrite.OwnedBy"], &[])), Some(false));
        // A scope accepted for personal accounts only does not help a work account, and the
        // other way round.
        const PERSONAL_ONLY: Permissions = Permissions {
            delegated_work: &[Permission::least("Application.Read.All")],
            delegated_personal: &[Permission::least("User.Read")],
            application: &[],
        };
        let personal_only = &PERSONAL_ONLY;
        assert_eq!(personal_only.accepts(&grants(&["User.Read"], &[])), Some(false));
        let personal = TokenGrants { personal_account: true, ..grants(&["User.Read"], &[]) };
        assert_eq!(personal_only.accepts(&personal), Some(true));
        let personal_work_scope = TokenGrants { personal_account: true, ..grants(&["Application.Read.All"], &[]) };
        assert_eq!(personal_only.accepts(&personal_work_scope), Some(false));
    }

    #[test]
    fn display_lists_every_type_least_privileged_first() {
        assert_eq!(
            SEED.to_string(),
            "delegated (work or school): Synchronization.ReadWrite.All; delegated (personal account): not \
             supported; application: Application.ReadWrite.OwnedBy, Synchronization.ReadWrite.All (with \
             Directory.Read.All or Application.Read.All)"
        );
    }
}
