//! Change notifications: the validation handshake served by a local endpoint; and, with the
//! `notifications` feature, rich notifications this test encrypts itself with a generated key
//! pair (decrypted, or refused for a bad signature, another key or another certificate), and
//! validation tokens it signs itself (accepted, or refused for a wrong signature, issuer,
//! audience, `azp`, expiry or key), keys fetched through a local function.

use msgraph_runtime::tasks::notifications::validation_response;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::method};

/// A notification endpoint built on the helper, as an application would write it.
async fn endpoint() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|request: &Request| match validation_response(request.url.query().unwrap_or("")) {
            Ok(Some(answer)) => ResponseTemplate::new(answer.status).set_body_raw(answer.body, answer.content_type),
            Ok(None) => ResponseTemplate::new(202),
            Err(_) => ResponseTemplate::new(400),
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_validation_handshake_echoes_the_decoded_token_as_plain_text() {
    let server = endpoint().await;
    // A plain reqwest client of the test's own: with reqwest's `rustls-no-provider` (the
    // runtime passes its provider to its own clients only) it needs a process-wide provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let post = |query: &str| http.post(format!("{}/notify{query}", server.uri())).send();
    let answer = post("?validationToken=Validation%3A+Testing%20client%20%3Cb%3Eapp%3C%2Fb%3E").await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "text/plain");
    assert_eq!(answer.text().await.unwrap(), "Validation: Testing client <b>app</b>");
    assert_eq!(post("").await.unwrap().status(), 202, "an ordinary notification");
    for bad in ["?validationToken=", "?validationToken=%FF%FE", "?validationToken=a%0Db"] {
        assert_eq!(post(bad).await.unwrap().status(), 400, "{bad}");
    }
    let long = format!("?validationToken={}", "a".repeat(5000));
    assert_eq!(post(&long).await.unwrap().status(), 400);
}

#[cfg(feature = "notifications")]
mod crypto {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};
    use std::time::{SystemTime, UNIX_EPOCH};

    use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    use msgraph_runtime::Error;
    use msgraph_runtime::tasks::TaskKind;
    use msgraph_runtime::tasks::notifications::{
        DecryptionKey, EncryptedContent, GRAPH_CHANGE_TRACKING_APP_ID, TokenValidator,
    };
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    use rsa::traits::PublicKeyParts;
    use serde_json::{Value, json};

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const APP: &str = "8e881353-1735-45af-af21-ee1344582a4d";
    const CONFIDENTIAL: &str = "quarterly numbers: confidential-4711";

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn b64url(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Two key pairs, generated once per test binary (key generation is the slow part).
    fn keys() -> &'static (rsa::PrivateKey, rsa::PrivateKey) {
        static KEYS: OnceLock<(rsa::PrivateKey, rsa::PrivateKey)> = OnceLock::new();
        KEYS.get_or_init(|| {
            let generate = || rsa::PrivateKey::new(&mut crypto_common::getrandom::SysRng, 2048).unwrap();
            (generate(), generate())
        })
    }

    fn decryption_key(key: &rsa::PrivateKey) -> DecryptionKey {
        DecryptionKey::from_pkcs8_pem(&key.to_pkcs8_pem(LineEnding::LF).unwrap()).unwrap()
    }

    /// What Graph does: a random AES-256 key, wrapped with RSA-OAEP (SHA-1); the data
    /// AES-CBC-encrypted with IV = the key's first 16 bytes; the signature an HMAC-SHA256 of the
    /// encrypted bytes.
    fn encrypt(public: &rsa::PublicKey, plain: &[u8]) -> EncryptedContent {
        let symmetric: [u8; 32] = rand::random();
        let data = cbc::Encryptor::<aes::Aes256>::new_from_slices(&symmetric, &symmetric[..16])
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(plain);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&symmetric).unwrap();
        mac.update(&data);
        let signature = mac.finalize().into_bytes();
        let wrapped = public.oaep_encrypt::<sha1::Sha1>(&symmetric).unwrap();
        serde_json::from_value(json!({
            "data": b64(&data),
            "dataSignature": b64(&signature),
            "dataKey": b64(&wrapped),
            "encryptionCertificateId": "cert-1",
            "encryptionCertificateThumbprint": "A1B2C3",
        }))
        .unwrap()
    }

    fn resource() -> Value {
        json!({"@odata.type": "#Microsoft.Graph.Message", "id": "m-1", "subject": CONFIDENTIAL})
    }

    fn assert_refused(result: Result<impl std::fmt::Debug, Error>, expected: &str) {
        let error = result.unwrap_err();
        let Error::Task(task) = &error else { panic!("{error:?}") };
        assert_eq!(task.kind(), TaskKind::Notification);
        let text = error.to_string();
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        assert!(!text.contains(CONFIDENTIAL) && !format!("{error:?}").contains(CONFIDENTIAL), "{text}");
    }

    #[test]
    fn a_notification_encrypted_for_our_key_decrypts_to_its_resource() {
        let (ours, _) = keys();
        let content = encrypt(&ours.to_public_key(), resource().to_string().as_bytes());
        let key = decryption_key(ours).certificate_id("cert-1");
        let decrypted: Value = content.decrypt_json(&key).unwrap();
        assert_eq!(decrypted, resource());
        // The PKCS#1 form of the same key works too.
        let pkcs1 = DecryptionKey::from_pkcs1_pem(&ours.to_pkcs1_pem(LineEnding::LF).unwrap()).unwrap();
        assert_eq!(content.decrypt(&pkcs1).unwrap(), resource().to_string().as_bytes());
        for output in [format!("{key:?}"), format!("{content:?}")] {
            assert!(!output.contains("PRIVATE") && !output.contains(&content.data_key), "{output}");
        }
    }

    #[test]
    fn a_bad_signature_another_key_or_another_certificate_is_refused_without_showing_the_data() {
        let (ours, theirs) = keys();
        let content = encrypt(&ours.to_public_key(), resource().to_string().as_bytes());
        let key = decryption_key(ours);

        let mut bad_signature = content.clone();
        let mut signature = base64::engine::general_purpose::STANDARD.decode(&content.data_signature).unwrap();
        signature[0] ^= 1;
        bad_signature.data_signature = b64(&signature);
        assert_refused(bad_signature.decrypt(&key), "data signature does not match");

        let mut tampered = content.clone();
        let mut data = base64::engine::general_purpose::STANDARD.decode(&content.data).unwrap();
        data[3] ^= 0x40;
        tampered.data = b64(&data);
        assert_refused(tampered.decrypt(&key), "data signature does not match");

        assert_refused(content.decrypt(&decryption_key(theirs)), "cannot be decrypted with this private key");
        assert_refused(
            content.decrypt(&decryption_key(ours).certificate_id("cert-2")),
            "encrypted for certificate 'cert-1', not 'cert-2'",
        );
        let mut not_base64 = content.clone();
        not_base64.data = "***".into();
        assert_refused(not_base64.decrypt(&key), "data is not valid base64");
        let not_json = encrypt(&ours.to_public_key(), CONFIDENTIAL.as_bytes());
        assert_refused(not_json.decrypt_json::<Value>(&key), "the decrypted data is not a");
        assert_refused(
            DecryptionKey::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
            "not a PKCS#8 RSA key",
        );
    }

    fn now() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    fn jwks(key: &rsa::PrivateKey, kid: &str) -> String {
        let public = key.to_public_key();
        let n = public.n().to_be_bytes();
        let e = public.e().to_be_bytes();
        let strip = |bytes: &[u8]| bytes.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
        json!({"keys": [{"kty": "RSA", "use": "sig", "kid": kid, "n": b64url(&strip(&n)), "e": b64url(&strip(&e))}]})
            .to_string()
    }

    fn token(key: &rsa::PrivateKey, kid: &str, claims: Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let der = key.to_pkcs1_der().unwrap();
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes())).unwrap()
    }

    fn claims() -> Value {
        json!({
            "iss": format!("https://sts.windows.net/{TENANT}/"),
            "aud": APP,
            "azp": GRAPH_CHANGE_TRACKING_APP_ID,
            "tid": TENANT,
            "nbf": now() - 60,
            "exp": now() + 3600,
        })
    }

    fn with(change: &str, value: Value) -> Value {
        let mut claims = claims();
        claims[change] = value;
        claims
    }

    #[tokio::test]
    async fn validation_tokens_are_checked_for_signature_issuer_audience_azp_and_expiry() {
        let (ours, theirs) = keys();
        let validator = TokenValidator::new(TENANT, [APP, "another-app-id"]).keys_json(&jwks(ours, "k1")).unwrap();
        let valid = token(ours, "k1", claims());
        let checked = validator.validate_all(std::slice::from_ref(&valid)).await.unwrap();
        assert_eq!(checked[0].aud, APP);
        assert_eq!(checked[0].tid.as_deref(), Some(TENANT));

        let refusals = [
            (token(theirs, "k1", claims()), "signature does not verify"),
            (token(ours, "k1", with("iss", json!("https://sts.windows.net/other-tenant/"))), "not issued by tenant"),
            (token(ours, "k1", with("aud", json!("someone-else"))), "not for this app"),
            (token(ours, "k1", with("azp", json!("00000000-0000-0000-0000-000000000000"))), "change-tracking app"),
            (token(ours, "k1", with("exp", json!(now() - 3600))), "has expired"),
            (token(ours, "k1", with("nbf", json!(now() + 3600))), "not valid yet"),
            (token(ours, "k2", claims()), "key 'k2', which is not in the key set"),
            ("not.a.jwt".to_owned(), "not a JWT"),
        ];
        for (bad, why) in &refusals {
            let error = validator.validate(bad).await.unwrap_err().to_string();
            assert!(error.contains(why), "expected {why:?}: {error}");
            assert!(!error.contains(bad.as_str()), "the token is never echoed: {error}");
        }
        let hs256 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(b"guessable").unwrap(),
        )
        .unwrap();
        assert!(validator.validate(&hs256).await.unwrap_err().to_string().contains("Graph signs with RS256"));
        let one_bad = [valid.clone(), refusals[0].0.clone()];
        let error = validator.validate_all(&one_bad).await.unwrap_err().to_string();
        assert!(error.contains("validation token 1"), "{error}");
        assert!(validator.validate_all(&[]).await.is_err(), "a collection with resource data has tokens");
    }

    #[tokio::test]
    async fn unknown_keys_are_fetched_through_the_callers_function() {
        let (ours, _) = keys();
        let fetches = Arc::new(AtomicUsize::new(0));
        let count = fetches.clone();
        let published = jwks(ours, "rotated");
        let validator = TokenValidator::new(TENANT, [APP]).key_fetcher(move || {
            count.fetch_add(1, Ordering::SeqCst);
            let published = published.clone();
            Box::pin(async move { Ok(published) })
        });
        validator.validate(&token(ours, "rotated", claims())).await.unwrap();
        validator.validate(&token(ours, "rotated", claims())).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "fetched once, then cached");
        let error = validator.validate(&token(ours, "unpublished", claims())).await.unwrap_err().to_string();
        assert!(error.contains("not in the fetched key set"), "{error}");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
