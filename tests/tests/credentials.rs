//! Credential-bearing properties the generator recognises (`generator/src/sensitive.rs`:
//! `proof`, `temporaryAccessPass`, `secretKey`, …) are `Secret` fields: sent as they are, but
//! never shown by `Debug` or what-if. Exercised on the golden `cursed` crate, whose
//! `SectionGroup` has them next to an identifier (`keyId`) that must stay visible, and whose
//! `ping().new_2()` takes that model as a recursive (boxed) body.

use crate::common;

use common::*;
use golden_cursed::CursedModuleApi;
use golden_cursed::models::SectionGroup;

const PROOF: &str = "eyJhbGciOiJSUzI1NiJ9.pr00f-jwt.s1gnature";
const PASS: &str = "T3mp-Access-Pass!";
const SEED: &str = "JBSWY3DPEHPK3PXP-seed";
const KEY_ID: &str = "f0e1d2c3-key-id";

fn section_group() -> SectionGroup {
    SectionGroup::default()
        .with_proof(PROOF)
        .with_temporary_access_pass(PASS)
        .with_secret_key(SEED)
        .with_key_id(KEY_ID)
        .with_parent_section_group(SectionGroup::default().with_proof(PROOF))
}

#[test]
fn debug_never_shows_credential_properties() {
    let model = section_group();
    for text in [format!("{model:?}"), format!("{model:#?}")] {
        for secret in [PROOF, PASS, SEED] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains(KEY_ID), "identifiers stay visible: {text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
    // Serialization still sends them: redaction is for display only.
    let json = serde_json::to_value(&model).unwrap();
    assert_eq!(json["proof"], PROOF);
    assert_eq!(json["parentSectionGroup"]["proof"], PROOF);
}

#[tokio::test]
async fn what_if_never_shows_credential_properties_and_the_wire_gets_them() {
    let server = server_answering(204).await;
    let call = || {
        client(&server)
            .ping()
            .new_2()
            .proof(PROOF)
            .temporary_access_pass(PASS)
            .secret_key(SEED)
            .key_id(KEY_ID)
            .parent_section_group(SectionGroup::default().with_secret_key(SEED))
    };
    let what_if = call().what_if().unwrap();
    let shown = format!("{} {:?} {what_if:?}", what_if.body().unwrap_or_default(), what_if.headers());
    for secret in [PROOF, PASS, SEED] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let body: serde_json::Value = serde_json::from_str(what_if.body().unwrap()).unwrap();
    assert_eq!(body["proof"], "<redacted>");
    assert_eq!(body["temporaryAccessPass"], "<redacted>");
    assert_eq!(body["parentSectionGroup"]["secretKey"], "<redacted>");
    assert_eq!(body["keyId"], KEY_ID);
    assert!(received(&server).await.is_empty(), "what-if sent a request");

    call().send().await.unwrap();
    let sent = body_json(&only_request(&server).await);
    assert_eq!(sent["proof"], PROOF);
    assert_eq!(sent["temporaryAccessPass"], PASS);
    assert_eq!(sent["parentSectionGroup"]["secretKey"], SEED);
}
