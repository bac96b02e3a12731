//! Real Graph payloads, taken verbatim from Microsoft's API reference (`tests/graph-docs/`,
//! provenance in its README and `manifest.toml`), round-trip through the generated models:
//! parsed into the type the operation declares and serialized again, each gives back the same
//! JSON (every property, every `null`, every property the schema does not name), and only
//! properties the schema does not name land in `additional_properties`.
//!
//! The one documented normalisation: a flags enum is written with `,` between its values, as
//! Graph writes them, so the docs' `"Watermark, Escrows, QuarantineState"` comes back as
//! `"Watermark,Escrows,QuarantineState"` (the same set of flags; Graph reads both).
#![cfg(feature = "full")]

use std::collections::BTreeSet;
use std::path::Path;

use msgraph_sdk::Nullable;
use msgraph_sdk::models::*;
use serde_json::Value;

/// A payload parsed as its type: what it serializes back to, and the names of the top-level
/// properties that landed in `additional_properties`.
struct Parsed {
    round_tripped: Value,
    extras: BTreeSet<String>,
}

macro_rules! parse_as {
    ($ty:ty) => {
        |text: &str| -> Result<Parsed, serde_json::Error> {
            let typed: $ty = serde_json::from_str(text)?;
            Ok(Parsed {
                round_tripped: serde_json::to_value(&typed)?,
                extras: typed.additional_properties.keys().cloned().collect(),
            })
        }
    };
}

type Parse = fn(&str) -> Result<Parsed, serde_json::Error>;

/// Every payload, the type its operation declares, and the top-level properties the schema
/// does not name (OData annotations aside), which must be kept as extras.
const PAYLOADS: &[(&str, Parse, &[&str])] = &[
    ("application-get.3.response.json", parse_as!(Application), &[]),
    ("application-get.5.response.json", parse_as!(Application), &[]),
    ("application-list.3.response.json", parse_as!(ApplicationCollectionResponse), &[]),
    ("application-addkey.2.request.json", parse_as!(AddKeyRequestBody), &[]),
    ("application-post-applications.3.response.json", parse_as!(Application), &[]),
    ("application-addpassword.2.request.json", parse_as!(AddPasswordRequestBody), &[]),
    ("application-addpassword.3.response.json", parse_as!(PasswordCredential), &[]),
    ("application-update.2.request.json", parse_as!(Application), &[]),
    // `publisherName` is in the docs' examples of servicePrincipal, not in the v1.0 schema.
    ("serviceprincipal-get.3.response.json", parse_as!(ServicePrincipal), &["publisherName"]),
    ("serviceprincipal-get.7.response.json", parse_as!(ServicePrincipal), &[]),
    ("serviceprincipal-get.8.response.json", parse_as!(ServicePrincipal), &[]),
    ("serviceprincipal-list.3.response.json", parse_as!(ServicePrincipalCollectionResponse), &[]),
    ("serviceprincipal-post-serviceprincipals.3.response.json", parse_as!(ServicePrincipal), &["publisherName"]),
    // `creationTimestamp` is in the docs' example but not in the schema.
    ("serviceprincipal-post-approleassignments.3.response.json", parse_as!(AppRoleAssignment), &["creationTimestamp"]),
    ("applicationtemplate-get.3.response.json", parse_as!(ApplicationTemplate), &[]),
    ("applicationtemplate-instantiate.3.response.json", parse_as!(ApplicationServicePrincipal), &[]),
    // The docs wrap this entity in a `value` object (a defect of the page); it is kept whole.
    ("federatedidentitycredential-get.3.response.json", parse_as!(FederatedIdentityCredential), &["value"]),
    ("application-post-federatedidentitycredentials.2.request.json", parse_as!(FederatedIdentityCredential), &[]),
    ("application-post-federatedidentitycredentials.3.response.json", parse_as!(FederatedIdentityCredential), &[]),
    ("synchronization-synchronizationjob-get.3.response.json", parse_as!(SynchronizationJob), &[]),
    ("synchronization-synchronizationschema-get.3.response.json", parse_as!(SynchronizationSchema), &[]),
    ("synchronization-serviceprincipal-put-synchronization.2.request.json", parse_as!(SecretsRequestBody), &[]),
    ("synchronization-synchronizationjob-restart.2.request.json", parse_as!(RestartRequestBody), &[]),
    ("tokenlifetimepolicy-get.3.response.json", parse_as!(TokenLifetimePolicy), &[]),
    ("claimsmappingpolicy-get.3.response.json", parse_as!(ClaimsMappingPolicy), &[]),
    ("tokenissuancepolicy-get.3.response.json", parse_as!(TokenIssuancePolicy), &[]),
];

fn payload_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/graph-docs"))
}

fn read(file: &str) -> String {
    std::fs::read_to_string(payload_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// What the payload must serialize back to: itself, but for the flags separator.
fn expected(file: &str, original: &Value) -> Value {
    let mut expected = original.clone();
    if file == "synchronization-synchronizationjob-restart.2.request.json" {
        let scope = &mut expected["criteria"]["resetScope"];
        assert_eq!(scope, "Watermark, Escrows, QuarantineState", "the payload the note is about");
        *scope = Value::from("Watermark,Escrows,QuarantineState");
    }
    expected
}

#[test]
fn every_collected_payload_is_in_the_table() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(payload_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let in_table: BTreeSet<String> = PAYLOADS.iter().map(|(file, ..)| (*file).to_owned()).collect();
    assert_eq!(on_disk, in_table);
    let manifest = read("manifest.toml");
    for file in &in_table {
        assert!(manifest.contains(&format!("file = \"{file}\"")), "{file} has no provenance in manifest.toml");
    }
}

#[test]
fn graph_docs_payloads_round_trip_losslessly() {
    let mut failures = Vec::new();
    for (file, parse, unnamed) in PAYLOADS {
        let text = read(file);
        let original: Value = serde_json::from_str(&text).unwrap();
        let parsed = match parse(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                failures.push(format!("{file}: does not parse: {e}"));
                continue;
            }
        };
        if parsed.round_tripped != expected(file, &original) {
            failures.push(format!(
                "{file}: serializes differently:\n  {}",
                serde_json::to_string(&parsed.round_tripped).unwrap()
            ));
        }
        let extras: BTreeSet<&str> = parsed.extras.iter().map(String::as_str).filter(|k| !k.contains('@')).collect();
        let unnamed: BTreeSet<&str> = unnamed.iter().copied().collect();
        if extras != unnamed {
            failures.push(format!("{file}: properties outside the typed fields: {extras:?}, expected {unnamed:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn explicit_nulls_in_graph_payloads_are_nulls_not_absences() {
    // addKey's documented request: `"passwordCredential": null` (a certificate key needs none).
    let body: AddKeyRequestBody = serde_json::from_str(&read("application-addkey.2.request.json")).unwrap();
    assert!(body.password_credential.is_null());
    assert!(serde_json::to_string(&body).unwrap().contains(r#""passwordCredential":null"#));

    // GET /applications/{id}: `null`s kept as such, absent properties left out.
    let app: Application = serde_json::from_str(&read("application-get.3.response.json")).unwrap();
    let original: Value = serde_json::from_str(&read("application-get.3.response.json")).unwrap();
    let nulls: Vec<&String> =
        original.as_object().unwrap().iter().filter(|(_, v)| v.is_null()).map(|(k, _)| k).collect();
    assert!(!nulls.is_empty(), "the payload holds nulls");
    let back = serde_json::to_value(&app).unwrap();
    for key in nulls {
        assert_eq!(back.get(key), Some(&Value::Null), "{key}");
    }
    assert_eq!(app.display_name.as_deref().is_some(), original.get("displayName").is_some_and(Value::is_string));
}

#[test]
fn typed_values_from_graph_payloads_are_reachable() {
    let secrets: SecretsRequestBody =
        serde_json::from_str(&read("synchronization-serviceprincipal-put-synchronization.2.request.json")).unwrap();
    let pairs = secrets.value.as_deref().unwrap();
    assert_eq!(pairs.len(), 4);
    assert_eq!(pairs[0].key, Nullable::Value(SynchronizationSecret::BaseAddress));
    assert_eq!(pairs[3].key, Nullable::Value(SynchronizationSecret::SyncAll));
    // The secret values never show in Debug.
    assert!(!format!("{secrets:?}").contains("password-value"));

    let restart: RestartRequestBody =
        serde_json::from_str(&read("synchronization-synchronizationjob-restart.2.request.json")).unwrap();
    let scope = restart.criteria.as_ref().unwrap().reset_scope.as_ref().unwrap();
    assert!(scope.contains(&SynchronizationJobRestartScope::Watermark));
    assert!(scope.contains(&SynchronizationJobRestartScope::Escrows));
    assert!(scope.contains(&SynchronizationJobRestartScope::QuarantineState));
    assert_eq!(scope.values().len(), 3);
}

#[test]
fn string_formats_of_graph_payloads_convert_to_typed_values() {
    let app: Application = serde_json::from_str(&read("application-get.3.response.json")).unwrap();
    let created = app.created_date_time.as_ref().unwrap();
    assert_eq!(created, "2019-09-17T19:10:35.2742618Z");
    let parsed = created.to_offset_date_time().unwrap();
    assert_eq!((parsed.year(), parsed.nanosecond()), (2019, 274_261_800));
    let password: PasswordCredential = serde_json::from_str(&read("application-addpassword.3.response.json")).unwrap();
    let key_id = password.key_id.as_ref().unwrap().to_uuid().unwrap();
    assert_eq!(key_id.to_string(), "f0b0b335-1d71-4883-8f98-567911bfdca6");
    assert!(password.custom_key_identifier.is_null());

    // .NET's `TimeSpan.MaxValue`, as Graph writes an unset synchronization interval.
    let job: SynchronizationJob =
        serde_json::from_str(&read("synchronization-synchronizationjob-get.3.response.json")).unwrap();
    let interval = job.schedule.as_ref().unwrap().interval.as_ref().unwrap();
    assert_eq!(interval, "P10675199DT2H48M5.4775807S");
    let interval = interval.to_duration().unwrap();
    assert_eq!(interval.whole_days(), 10_675_199);
    assert_eq!(interval.subsec_nanoseconds(), 477_580_700);
}

#[test]
fn a_malformed_timestamp_fails_only_its_own_conversion() {
    // The same payload with a timestamp Graph could send but RFC 3339 refuses (no offset).
    let text =
        read("application-get.3.response.json").replace("2019-09-17T19:10:35.2742618Z", "2019-09-17T19:10:35.2742618");
    let original: Value = serde_json::from_str(&text).unwrap();
    let app: Application = serde_json::from_str(&text).expect("the response still decodes");
    let created = app.created_date_time.as_ref().unwrap();
    assert!(created.to_offset_date_time().is_err());
    assert_eq!(created.as_str(), "2019-09-17T19:10:35.2742618", "the text is kept");
    assert_eq!(serde_json::to_value(&app).unwrap(), original, "and written back unchanged");
}
