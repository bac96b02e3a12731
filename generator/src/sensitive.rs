//! Which properties hold credentials: the one rule that makes a string field a
//! `runtime::Secret` (redacted in `Debug`, logs and what-if output).
//!
//! The list comes from reading every string property of Graph's 38 v1.0 module documents whose
//! name speaks of passwords, secrets, keys, tokens, proofs, passes, codes or credentials, and
//! keeping those whose value is itself a credential. Names that only *describe* credentials are
//! not secrets and stay `String`: identifiers (`keyId`, `customKeyIdentifier`,
//! `tokenEncryptionKeyId`), thumbprints and hashes, public keys (`transportKey`,
//! `attestationIdentityKey`), policies and flags (`passwordPolicies`, `hasPassword`), display
//! text and hints (`displayName`, `hint`), search tokens (`aggregationFilterToken`), registry
//! paths (`registryKeyState.key`).
//!
//! `codegen.toml`'s `[sensitive]` adds `schema/property` pairs for a document's own secrets.

use std::collections::BTreeSet;

/// Property names whose string values are credentials in whatever schema they appear
/// (compared case-insensitively). Each is a name Graph uses only for credentials.
const CREDENTIAL_NAMES: &[&str] = &[
    "password",
    "currentPassword",
    "newPassword",
    // deviceLocalCredential (LAPS): the local administrator password, Base64.
    "passwordBase64",
    // cloudPcOnPremisesConnection: the domain join account's password.
    "adDomainPassword",
    "secret",
    "secretText",
    "secretValue",
    "clientSecret",
    // softwareOathAuthenticationMethod: the OATH seed.
    "secretKey",
    // temporaryAccessPassAuthenticationMethod: the pass itself, a one-time sign-in credential.
    "temporaryAccessPass",
    // addKey / removeKey: a JWT signed with the application's existing key.
    "proof",
    // joinMeetingIdSettings: the passcode that lets anyone join the meeting.
    "passcode",
    // managedDevice: the code that bypasses Activation Lock.
    "activationLockBypassCode",
    // appLogCollectionDownloadDetails, fileEncryptionInfo: symmetric keys.
    "decryptionKey",
    "encryptionKey",
    "macKey",
    // recordOperation: a bearer token for the recording.
    "recordingAccessToken",
    // partners billing manifest: a shared access signature.
    "sasToken",
    // validatePermission: the one-time code of a sharing invitation.
    "challengeToken",
    // importedWindowsAutopilotDeviceIdentity: the Windows product key.
    "productKey",
];

/// Properties whose names are ordinary words (`key`, `value`, `token`) but which hold
/// credentials in these schemas: `(component, property)`.
const CREDENTIAL_PROPERTIES: &[(&str, &str)] = &[
    // The certificate of a key credential; for `X509CertAndPassword` a PFX with its private key.
    ("microsoft.graph.keyCredential", "key"),
    ("microsoft.graph.bitlockerRecoveryKey", "key"),
    ("microsoft.graph.synchronizationSecretKeyStringValuePair", "value"),
    // The Apple Volume Purchase Program token.
    ("microsoft.graph.vppToken", "token"),
];

/// The credential-bearing properties of a document: the built-in rule plus `codegen.toml`'s.
#[derive(Clone, Debug, Default)]
pub struct Sensitive {
    listed: BTreeSet<(String, String)>,
}

impl Sensitive {
    /// The built-in rule plus `schema/property` entries (others are ignored).
    pub fn new(listed: &[String]) -> Self {
        let listed = listed
            .iter()
            .filter_map(|s| s.split_once('/'))
            .map(|(schema, prop)| (schema.to_owned(), prop.to_owned()))
            .collect();
        Sensitive { listed }
    }

    /// Whether `property`, declared by component `owner` (empty for inline schemas), holds a
    /// credential.
    pub fn is_credential(&self, owner: &str, property: &str) -> bool {
        CREDENTIAL_NAMES.iter().any(|name| name.eq_ignore_ascii_case(property))
            || CREDENTIAL_PROPERTIES.iter().any(|(schema, name)| *schema == owner && *name == property)
            || self.listed.contains(&(owner.to_owned(), property.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_recognised_and_identifiers_are_not() {
        let rule = Sensitive::new(&["contoso.thing/apiValue".to_owned()]);
        for name in
            ["password", "Password", "temporaryAccessPass", "proof", "secretKey", "secretText", "passwordBase64"]
        {
            assert!(rule.is_credential("", name), "{name}");
        }
        assert!(rule.is_credential("microsoft.graph.keyCredential", "key"));
        assert!(rule.is_credential("contoso.thing", "apiValue"));
        for name in [
            "keyId",
            "secretKeyId",
            "customKeyIdentifier",
            "tokenEncryptionKeyId",
            "displayName",
            "hint",
            "passwordPolicies",
            "hasPassword",
            "key",
            "value",
            "token",
            "transportKey",
            "preferredTokenSigningKeyThumbprint",
        ] {
            assert!(!rule.is_credential("microsoft.graph.keyValue", name), "{name}");
        }
        assert!(!rule.is_credential("microsoft.graph.registryKeyState", "key"));
        assert!(!rule.is_credential("other.thing", "apiValue"));
    }
}
