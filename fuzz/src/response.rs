//! Response fuzzing: arbitrary bytes as the body of a Graph answer.
//!
//! Shared by the `response_deserialization` fuzz target and by `tests/tests/fuzz_replay.rs`,
//! which replays the committed seeds and regressions.
#![allow(dead_code)]

use std::sync::{Mutex, OnceLock};

use msgraph_sdk::ApplicationsIdentity;
use msgraph_sdk::models::{
    AcquireAccessTokenRequestBody, ODataError, SynchronizationSecret, SynchronizationSecretKeyStringValuePair,
};
use msgraph_sdk::runtime::{
    Bytes, Call, Client, Error, Flags, HeaderMap, HeaderValue, HttpMethod, HttpResponse, OperationInfo, Response,
    StatusCode, step_fn,
};
use serde::de::DeserializeOwned;

/// Longest excerpt an error may hold (the runtime's documented 4 KiB).
const EXCERPT_LIMIT: usize = 4 * 1024;
/// Longest error body a service error keeps (the runtime's documented 64 KiB).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Decodes `body` every way the SDK decodes a response body. Nothing may panic; decoding
/// failures must be typed errors that keep the status and a bounded excerpt; whatever decodes
/// must survive a serialize → deserialize round trip unchanged.
pub fn decode_body(body: &[u8]) {
    let bytes = Bytes::copy_from_slice(body);
    json_round_trip::<ODataError>(&bytes);
    json_round_trip::<AcquireAccessTokenRequestBody>(&bytes);
    json_round_trip::<SynchronizationSecretKeyStringValuePair>(&bytes);
    json_round_trip::<Vec<SynchronizationSecretKeyStringValuePair>>(&bytes);
    json_round_trip::<Doubles>(&bytes);
    text::<i64>(&bytes);
    text::<bool>(&bytes);
    text::<f64>(&bytes);

    // String enums keep unknown values; their wire text and `FromStr`/`Display` agree.
    if let Ok(secret) = serde_json::from_slice::<SynchronizationSecret>(body) {
        let wire = serde_json::to_string(&secret).expect("an enum value serializes");
        assert_eq!(serde_json::from_str::<SynchronizationSecret>(&wire).ok(), Some(secret.clone()));
        assert_eq!(secret.to_string().parse::<SynchronizationSecret>().ok(), Some(secret));
    }
    if let Ok(flags) = serde_json::from_slice::<Flags<SynchronizationSecret>>(body) {
        let wire = serde_json::to_string(&flags).expect("flags serialize");
        let again = serde_json::from_str::<Flags<SynchronizationSecret>>(&wire).expect("written flags read back");
        // Empty and blank entries are dropped on reading, so the values read back are the same.
        assert_eq!(again, flags, "flags changed on a round trip through {wire}");
    }
    if let Ok(identity) = serde_json::from_slice::<ApplicationsIdentity>(body) {
        let wire = serde_json::to_string(&identity).expect("an identity serializes");
        let again = serde_json::from_str::<ApplicationsIdentity>(&wire).expect("a written identity reads back");
        assert_eq!(format!("{again:?}"), format!("{identity:?}"));
    }

    service_error(body);
}

/// Graph's doubles (`"NaN"`, `"INF"`, `"-INF"` or numbers), through the runtime's formats.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Doubles {
    #[serde(default, with = "msgraph_sdk::runtime::formats::double")]
    required: f64,
    #[serde(default, with = "msgraph_sdk::runtime::formats::double_opt")]
    optional: Option<f64>,
}

impl PartialEq for Doubles {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()) || a == b;
        same(self.required, other.required)
            && match (self.optional, other.optional) {
                (Some(a), Some(b)) => same(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

fn json_round_trip<T>(body: &Bytes)
where
    T: DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let response = Response::new(StatusCode::OK, response_headers(), body.clone());
    match response.json::<T>() {
        Ok(decoded) => {
            let value = decoded.into_inner();
            // Through a tree rather than text: the check is about the SDK's serde impls
            // (flattened extra properties, `Unknown` variants, secrets), not float printing.
            let tree = serde_json::to_value(&value).expect("a decoded model serializes");
            let again: T = serde_json::from_value(tree.clone())
                .unwrap_or_else(|e| panic!("{} does not read back its own output {tree}: {e}", type_name::<T>()));
            assert_eq!(again, value, "{} changed on a round trip", type_name::<T>());
        }
        Err(error) => check_decode_error(&error, body),
    }
}

fn text<T>(body: &Bytes)
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    if let Err(error) = Response::new(StatusCode::OK, response_headers(), body.clone()).text::<T>() {
        check_decode_error(&error, body);
    }
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

fn response_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("request-id", HeaderValue::from_static("fuzz-request-id"));
    headers
}

fn check_decode_error(error: &Error, body: &Bytes) {
    let Error::Decode(decode) = error else { panic!("a body that does not decode must be Error::Decode: {error:?}") };
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(
        error.response_headers().and_then(|h| h.get("request-id")).map(|v| v.as_bytes()),
        Some(&b"fuzz-request-id"[..])
    );
    assert_eq!(decode.body_len(), body.len());
    assert!(decode.excerpt().len() <= EXCERPT_LIMIT, "excerpt of {} bytes", decode.excerpt().len());
    // Display and Debug never quote the body (a success body may hold secrets).
    let _ = (error.to_string(), format!("{error:?}"));
}

static OPERATION: OperationInfo = OperationInfo {
    operation_id: "fuzz_errorBody",
    method: HttpMethod::Get,
    path_template: "/fuzz",
    permissions: None,
};

/// The answer the client's only step gives: status and body.
static ANSWER: Mutex<Option<(StatusCode, Bytes)>> = Mutex::new(None);

/// A client whose prepend step answers every call with [`ANSWER`]: nothing is sent, and the
/// runtime turns the answer into its error exactly as it does for a real response.
fn answering_client() -> &'static (Client, tokio::runtime::Runtime) {
    static CLIENT: OnceLock<(Client, tokio::runtime::Runtime)> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let answer = step_fn(|_request, _next| async {
            let (status, body) = ANSWER.lock().unwrap_or_else(|e| e.into_inner()).clone().expect("an answer is set");
            let mut response = HttpResponse::new(body);
            *response.status_mut() = status;
            response.headers_mut().insert("request-id", HeaderValue::from_static("fuzz-request-id"));
            Ok(response)
        });
        let client = Client::builder()
            .base_url("http://127.0.0.1:9/v1.0")
            .no_proxy()
            .max_retries(0)
            .prepend(answer)
            .build()
            .expect("the client builds");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
        (client, runtime)
    })
}

/// The runtime's parsing of an error body (`ServiceError`), reached through the public API: a
/// client whose pipeline step answers with `body` and a non-2XX status chosen by the input.
fn service_error(body: &[u8]) {
    let code = body.first().map_or(0, |b| u16::from(*b)) | body.get(1).map_or(0, |b| u16::from(*b) << 8);
    // Any status outside 2XX: 100..=199 and 300..=999.
    let status = match 100 + code % 800 {
        s @ 200..=299 => s + 700,
        s => s,
    };
    let status = StatusCode::from_u16(status).expect("a valid status");
    let bytes = Bytes::copy_from_slice(body);
    *ANSWER.lock().unwrap_or_else(|e| e.into_inner()) = Some((status, bytes));
    let (client, runtime) = answering_client();
    let result = runtime.block_on(client.execute(Call::new(&OPERATION)));
    let error = match result {
        Ok(response) => panic!("status {status} was taken for success: {response:?}"),
        Err(error) => error,
    };
    let Some(service) = error.service_error() else { panic!("a non-2XX answer must be Error::Service: {error:?}") };
    assert_eq!(service.status(), status);
    assert_eq!(error.status(), Some(status));
    assert_eq!(service.request_id(), Some("fuzz-request-id"));
    assert_eq!(service.body_len(), body.len());
    assert_eq!(service.body().len(), body.len().min(ERROR_BODY_LIMIT));
    assert!(service.excerpt().len() <= EXCERPT_LIMIT, "excerpt of {} bytes", service.excerpt().len());
    if let Some(odata) = service.odata::<ODataError>() {
        // What the lenient parser read agrees with the typed model.
        assert_eq!(service.code(), Some(odata.error.code.as_str()).filter(|c| !c.is_empty()));
    }
    // Display is one line of bounded length, whatever the body says.
    let shown = error.to_string();
    assert!(shown.contains(status.as_str()), "{shown}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.chars().count() < 6 * 1024, "{} characters", shown.chars().count());
    assert!(!format!("{error:?}").is_empty());
}
