//! Serde behaviour of the generated models: the cmdlet's body round-trips unchanged, every
//! `synchronizationSecret` wire name maps to its variant and back, unknown enum values and
//! extra properties of any JSON type survive, secrets stay out of `Debug`, and the identity
//! type has exactly the seed's keys with PowerShell's names.

use msgraph_sdk::ApplicationsIdentity;
use msgraph_sdk::Nullable;
use msgraph_sdk::models::{
    AcquireAccessTokenRequestBody, InnerError, MainError, ODataError, SynchronizationSecret,
    SynchronizationSecretKeyStringValuePair,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Deserializes `text` into `T` and serializes it again, compactly.
fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> String {
    let model: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    serde_json::to_string(&model).unwrap()
}

/// Asserts that `text` (compact JSON) survives a round trip through `T` byte for byte: same
/// values and same key order.
fn assert_round_trips<T: DeserializeOwned + Serialize>(text: &str) {
    let again = round_trip::<T>(text);
    let before: Value = serde_json::from_str(text).unwrap();
    let after: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(after, before);
    assert_eq!(again, text, "key order or formatting changed");
}

// ---- the request body ------------------------------------------------------------------------

/// `-BodyParameter @{ credentials = @(@{ key = 'BaseAddress'; value = '…' }, …);
/// '@odata.type' = '#microsoft.graph.x' }`, pairs carrying their own `@odata.type` too.
const CMDLET_BODY: &str = concat!(
    r#"{"credentials":["#,
    r#"{"key":"BaseAddress","value":"https://scim.contoso.com/v2","@odata.type":"microsoft.graph.synchronizationSecretKeyStringValuePair"},"#,
    r#"{"key":"SecretToken","value":"s3cr3t","@odata.type":"microsoft.graph.synchronizationSecretKeyStringValuePair"}"#,
    r##"],"@odata.type":"#microsoft.graph.x"}"##,
);

#[test]
fn the_cmdlet_body_round_trips_unchanged() {
    assert_round_trips::<AcquireAccessTokenRequestBody>(CMDLET_BODY);
    let body: AcquireAccessTokenRequestBody = serde_json::from_str(CMDLET_BODY).unwrap();
    let credentials = body.credentials.as_deref().unwrap();
    assert_eq!(credentials.len(), 2);
    assert_eq!(credentials[0].key, Nullable::Value(SynchronizationSecret::BaseAddress));
    assert_eq!(credentials[1].key, Nullable::Value(SynchronizationSecret::SecretToken));
    assert_eq!(credentials[1].value.as_ref().unwrap().expose_secret(), "s3cr3t");
    assert_eq!(body.additional_properties["@odata.type"], "#microsoft.graph.x");
}

#[test]
fn the_built_body_equals_the_parsed_one() {
    let pair = |key, value: &str| {
        SynchronizationSecretKeyStringValuePair::new(key, value)
            .with_additional_property("@odata.type", "microsoft.graph.synchronizationSecretKeyStringValuePair")
    };
    let built = AcquireAccessTokenRequestBody::default()
        .with_credentials(vec![
            pair(SynchronizationSecret::BaseAddress, "https://scim.contoso.com/v2"),
            pair(SynchronizationSecret::SecretToken, "s3cr3t"),
        ])
        .with_additional_property("@odata.type", "#microsoft.graph.x");
    let parsed: AcquireAccessTokenRequestBody = serde_json::from_str(CMDLET_BODY).unwrap();
    assert_eq!(built, parsed);
    assert_eq!(serde_json::to_string(&built).unwrap(), CMDLET_BODY);
}

#[test]
fn absent_and_empty_credentials_are_distinguished() {
    assert_round_trips::<AcquireAccessTokenRequestBody>("{}");
    assert_round_trips::<AcquireAccessTokenRequestBody>(r#"{"credentials":[]}"#);
    assert_round_trips::<AcquireAccessTokenRequestBody>(r#"{"credentials":[{}]}"#);
    assert_eq!(serde_json::to_string(&AcquireAccessTokenRequestBody::default()).unwrap(), "{}");
}

#[test]
fn a_null_value_or_key_is_kept_as_null_and_written_back() {
    // Graph's schema marks both nullable: `null` is a value of its own, not an absence.
    let pair: SynchronizationSecretKeyStringValuePair = serde_json::from_str(r#"{"key":null,"value":null}"#).unwrap();
    assert!(pair.key.is_null() && pair.value.is_null());
    assert_ne!(pair, SynchronizationSecretKeyStringValuePair::default());
    assert_eq!(serde_json::to_string(&pair).unwrap(), r#"{"key":null,"value":null}"#);
    assert_eq!(format!("{:?}", pair.value), "Null");
    let absent: SynchronizationSecretKeyStringValuePair = serde_json::from_str("{}").unwrap();
    assert_eq!(absent, SynchronizationSecretKeyStringValuePair::default());
    assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
}

// ---- synchronizationSecret -------------------------------------------------------------------

/// `microsoft.graph.synchronizationSecret` in `openapi/Applications.yml`, in document order.
const WIRE_NAMES: [&str; 45] = [
    "None",
    "UserName",
    "Password",
    "SecretToken",
    "AppKey",
    "BaseAddress",
    "ClientIdentifier",
    "ClientSecret",
    "SingleSignOnType",
    "Sandbox",
    "Url",
    "Domain",
    "ConsumerKey",
    "ConsumerSecret",
    "TokenKey",
    "TokenExpiration",
    "Oauth2AccessToken",
    "Oauth2AccessTokenCreationTime",
    "Oauth2RefreshToken",
    "SyncAll",
    "InstanceName",
    "Oauth2ClientId",
    "Oauth2ClientSecret",
    "CompanyId",
    "UpdateKeyOnSoftDelete",
    "SynchronizationSchedule",
    "SystemOfRecord",
    "SandboxName",
    "EnforceDomain",
    "SyncNotificationSettings",
    "SkipOutOfScopeDeletions",
    "Oauth2AuthorizationCode",
    "Oauth2RedirectUri",
    "ApplicationTemplateIdentifier",
    "Oauth2TokenExchangeUri",
    "Oauth2AuthorizationUri",
    "AuthenticationType",
    "Server",
    "PerformInboundEntitlementGrants",
    "HardDeletesEnabled",
    "SyncAgentCompatibilityKey",
    "SyncAgentADContainer",
    "ValidateDomain",
    "TestReferences",
    "ConnectionString",
];

#[test]
fn known_has_the_45_document_values_in_order() {
    assert_eq!(SynchronizationSecret::KNOWN.len(), 45);
    let known: Vec<&str> = SynchronizationSecret::KNOWN.iter().map(|v| v.as_str()).collect();
    assert_eq!(known, WIRE_NAMES);
}

#[test]
fn every_value_serializes_to_its_wire_name_and_back() {
    for (variant, name) in SynchronizationSecret::KNOWN.iter().zip(WIRE_NAMES) {
        assert!(!variant.is_unknown(), "{name}");
        assert_eq!(serde_json::to_value(variant).unwrap(), json!(name));
        let parsed: SynchronizationSecret = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(&parsed, variant, "{name}");
        assert_eq!(SynchronizationSecret::from(name), *variant);
        assert_eq!(variant.to_string(), name);
    }
}

#[test]
fn spot_check_variant_names() {
    // The variants a SCIM provisioning call typically uses, and the one whose Rust name differs.
    assert_eq!(serde_json::to_string(&SynchronizationSecret::BaseAddress).unwrap(), r#""BaseAddress""#);
    assert_eq!(serde_json::to_string(&SynchronizationSecret::SecretToken).unwrap(), r#""SecretToken""#);
    assert_eq!(
        serde_json::to_string(&SynchronizationSecret::SyncAgentAdContainer).unwrap(),
        r#""SyncAgentADContainer""#
    );
    assert_eq!(serde_json::to_string(&SynchronizationSecret::None).unwrap(), r#""None""#);
}

#[test]
fn an_unknown_value_is_kept_not_rejected() {
    let parsed: SynchronizationSecret = serde_json::from_str(r#""SomethingNew""#).unwrap();
    assert_eq!(parsed, SynchronizationSecret::Unknown("SomethingNew".to_owned()));
    assert!(parsed.is_unknown());
    assert_eq!(serde_json::to_string(&parsed).unwrap(), r#""SomethingNew""#);
    // Wire names are case-sensitive: another casing is a different (unknown) value, kept as is.
    let cased: SynchronizationSecret = serde_json::from_str(r#""baseaddress""#).unwrap();
    assert_eq!(cased, SynchronizationSecret::Unknown("baseaddress".to_owned()));
    assert_round_trips::<SynchronizationSecretKeyStringValuePair>(r#"{"key":"SomethingNew","value":"v"}"#);
}

#[test]
fn a_non_string_key_is_an_error() {
    assert!(serde_json::from_str::<SynchronizationSecret>("5").is_err());
    assert!(serde_json::from_str::<SynchronizationSecret>("null").is_err());
}

// ---- extra properties --------------------------------------------------------------------------

/// Extra properties of every JSON type, appended to `base` (a compact object).
fn with_extras(base: &str) -> String {
    let extras = r#""s":"text","n":-1.5,"i":42,"b":false,"z":null,"o":{"deep":[1,{"x":null}]},"a":[1,"two",null]"#;
    match base {
        "{}" => format!("{{{extras}}}"),
        _ => format!("{},{extras}}}", &base[..base.len() - 1]),
    }
}

#[test]
fn extra_properties_of_any_type_survive_on_every_model() {
    assert_round_trips::<SynchronizationSecretKeyStringValuePair>(&with_extras(r#"{"key":"Password","value":"pw"}"#));
    assert_round_trips::<AcquireAccessTokenRequestBody>(&with_extras(r#"{"credentials":[]}"#));
    assert_round_trips::<InnerError>(&with_extras("{}"));
    assert_round_trips::<MainError>(&with_extras(r#"{"code":"c","message":"m"}"#));
    assert_round_trips::<ODataError>(&with_extras(r#"{"error":{"code":"c","message":"m"}}"#));
}

#[test]
fn graph_inner_error_round_trips_with_its_dashed_keys() {
    let text = concat!(
        r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","#,
        r#""innerError":{"date":"2024-05-01T10:00:00","request-id":"0b6f9a1e-1b1a-4c1e-9d5e-3f1c2b7a8e90","#,
        r#""client-request-id":"5d0b8c4e-6f7a-4b3c-8d2e-1a9f0e7c6b5d"}}}"#
    );
    assert_round_trips::<ODataError>(text);
    let error: ODataError = serde_json::from_str(text).unwrap();
    assert_eq!(error.error.code, "Authorization_RequestDenied");
    let inner = error.error.inner_error.into_option().unwrap();
    assert_eq!(inner.additional_properties.len(), 3);
    assert_eq!(inner.additional_properties["request-id"], "0b6f9a1e-1b1a-4c1e-9d5e-3f1c2b7a8e90");
}

#[test]
fn odata_error_requires_code_and_message() {
    assert!(serde_json::from_str::<ODataError>(r#"{"error":{"code":"c"}}"#).is_err());
    assert!(serde_json::from_str::<ODataError>(r#"{"nope":1}"#).is_err());
}

// ---- secrets ---------------------------------------------------------------------------------

#[test]
fn debug_of_a_pair_never_shows_the_value() {
    let pair = SynchronizationSecretKeyStringValuePair::new(SynchronizationSecret::SecretToken, "s3cr3t-T0ken");
    let parsed: SynchronizationSecretKeyStringValuePair =
        serde_json::from_str(r#"{"key":"Password","value":"s3cr3t-T0ken"}"#).unwrap();
    let body = AcquireAccessTokenRequestBody::default().with_credentials(vec![pair.clone(), parsed.clone()]);
    for text in [format!("{pair:?}"), format!("{pair:#?}"), format!("{parsed:?}"), format!("{body:?}")] {
        assert!(!text.contains("s3cr3t-T0ken"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
    assert!(format!("{pair:?}").contains("SecretToken"));
}

// ---- identity --------------------------------------------------------------------------------

/// The INPUTOBJECT section of the cmdlet's help page, in its order.
const SEED_IDENTITY_KEYS: [&str; 24] = [
    "AppId",
    "AppManagementPolicyId",
    "AppRoleAssignmentId",
    "ApplicationId",
    "ApplicationTemplateId",
    "ClaimsMappingPolicyId",
    "DelegatedPermissionClassificationId",
    "DirectoryDefinitionId",
    "DirectoryObjectId",
    "EndpointId",
    "ExtensionPropertyId",
    "FederatedIdentityCredentialId",
    "GroupId",
    "HomeRealmDiscoveryPolicyId",
    "Name",
    "OAuth2PermissionGrantId",
    "ServicePrincipalId",
    "SynchronizationJobId",
    "SynchronizationTemplateId",
    "TargetDeviceGroupId",
    "TokenIssuancePolicyId",
    "TokenLifetimePolicyId",
    "UniqueName",
    "UserId",
];

#[test]
fn identity_keys_are_the_seeds_in_order() {
    assert_eq!(ApplicationsIdentity::KEYS, SEED_IDENTITY_KEYS);
}

#[test]
fn identity_json_uses_powershell_names_for_every_key() {
    // One distinct value per key, serialized and parsed back.
    let object: serde_json::Map<String, Value> =
        SEED_IDENTITY_KEYS.iter().enumerate().map(|(i, key)| (key.to_string(), json!(format!("v{i}")))).collect();
    let text = Value::Object(object).to_string();
    let identity: ApplicationsIdentity = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&identity).unwrap(), text, "every key kept, PascalCase, in order");
    assert_eq!(identity.service_principal_id.as_deref(), Some("v16"));
    assert_eq!(identity.application_id.as_deref(), Some("v3"));
    assert_eq!(identity.o_auth2_permission_grant_id.as_deref(), Some("v15"));
}

#[test]
fn identity_serializes_only_the_keys_that_are_set() {
    let identity = ApplicationsIdentity::new().with_service_principal_id("sp-1").with_app_id("x");
    assert_eq!(serde_json::to_string(&identity).unwrap(), r#"{"AppId":"x","ServicePrincipalId":"sp-1"}"#);
    assert_eq!(serde_json::to_string(&ApplicationsIdentity::new()).unwrap(), "{}");
}

#[test]
fn identity_accepts_camel_case_and_ignores_other_properties() {
    let identity: ApplicationsIdentity =
        serde_json::from_str(r#"{"servicePrincipalId":"sp-1","applicationId":"app-1","DisplayName":"ignored"}"#)
            .unwrap();
    assert_eq!(identity, ApplicationsIdentity::new().with_service_principal_id("sp-1").with_application_id("app-1"));
}

/// PowerShell reads hashtable keys whatever their case; so does the identity type.
#[test]
fn identity_keys_match_whatever_their_case_or_dashes() {
    let identity: ApplicationsIdentity = serde_json::from_str(
        r#"{"serviceprincipalid":"sp-1","APPID":"a","synchronizationJob-id":"j","UserId":null,"TokenLifetimePolicyId":42,"Other":{"nested":true}}"#,
    )
    .unwrap();
    assert_eq!(identity.service_principal_id.as_deref(), Some("sp-1"));
    assert_eq!(identity.app_id.as_deref(), Some("a"));
    assert_eq!(identity.synchronization_job_id.as_deref(), Some("j"));
    assert_eq!(identity.user_id, None);
    assert_eq!(identity.token_lifetime_policy_id.as_deref(), Some("42"));
    let error = serde_json::from_str::<ApplicationsIdentity>(r#"{"ServicePrincipalId":true}"#).unwrap_err().to_string();
    assert!(error.contains("identity key \"ServicePrincipalId\" must be a string"), "{error}");
}
