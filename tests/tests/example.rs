//! The `acquire_access_token` example (`msgraph_tests::run`, which its `main` calls) behaves
//! like the cmdlet: `True` with `--pass-thru`, silence without it, `--what-if` sends nothing and
//! shows no secret, failures go to stderr with exit status 1, bad arguments exit with 2.

use crate::common;

use std::collections::HashMap;

use common::*;
use msgraph_tests::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What one run of the example produced.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs the example with `args` (after the program name) and the given environment.
async fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("acquire_access_token").chain(args.iter().copied());
    let status = msgraph_tests::run(argv, |name| env.get(name).cloned(), &mut stdout, &mut stderr).await;
    Run { status, stdout: String::from_utf8(stdout).unwrap(), stderr: String::from_utf8(stderr).unwrap() }
}

/// Runs the example against `server` with a token, never using a proxy from the environment.
async fn run(server: &MockServer, args: &[&str]) -> Run {
    let args: Vec<&str> = args.iter().copied().chain(["--no-proxy"]).collect();
    run_with_env(&args, &[("GRAPH_BASE_URL", &base_url(server)), ("GRAPH_TOKEN", TOKEN)]).await
}

fn secret_arg() -> String {
    format!("SecretToken={SECRET}")
}

#[tokio::test]
async fn pass_thru_prints_true_after_sending_the_request() {
    let server = server_answering(204).await;
    let secret = secret_arg();
    let outcome = run(
        &server,
        &[
            "--service-principal-id",
            SP_ID,
            "--credential",
            "BaseAddress=https://scim.contoso.com/v2",
            "--credential",
            &secret,
            "--additional-property",
            r##"@odata.type="#microsoft.graph.x""##,
            "--header",
            "X-Trace=1",
            "--pass-thru",
        ],
    )
    .await;
    assert_eq!((outcome.status, outcome.stdout.as_str(), outcome.stderr.as_str()), (EXIT_OK, "True\n", ""));

    let request = only_request(&server).await;
    assert_standard_headers(&request);
    assert_eq!(request.url.path(), SP_PATH);
    assert_eq!(header(&request, "x-trace"), Some("1"));
    let expected = json!({
        "credentials": [
            {"key": "BaseAddress", "value": "https://scim.contoso.com/v2"},
            {"key": "SecretToken", "value": SECRET},
        ],
        "@odata.type": "#microsoft.graph.x",
    });
    assert_eq!(body_json(&request), expected);
}

#[tokio::test]
async fn without_pass_thru_success_prints_nothing() {
    let server = server_answering(204).await;
    let outcome = run(&server, &["--service-principal-id", SP_ID, "--credential", &secret_arg()]).await;
    assert_eq!((outcome.status, outcome.stdout.as_str(), outcome.stderr.as_str()), (EXIT_OK, "", ""));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn application_id_calls_the_applications_twin() {
    let server = server_answering(204).await;
    let outcome = run(&server, &["--application-id", APP_ID, "--credential", "SomethingNew=x", "--pass-thru"]).await;
    assert_eq!((outcome.status, outcome.stdout.as_str()), (EXIT_OK, "True\n"));
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), APP_PATH);
    // A key the SDK does not know is sent as given.
    assert_eq!(body_json(&request), json!({"credentials": [{"key": "SomethingNew", "value": "x"}]}));
}

#[tokio::test]
async fn what_if_sends_nothing_and_shows_no_secret() {
    let server = server_answering(204).await;
    let args =
        ["--service-principal-id", SP_ID, "--credential", &secret_arg(), "--what-if", "--pass-thru", "--no-proxy"];
    // No GRAPH_TOKEN needed for a preview.
    let outcome = run_with_env(&args, &[("GRAPH_BASE_URL", &base_url(&server))]).await;
    assert_eq!(outcome.status, EXIT_OK, "{outcome:?}");
    assert!(received(&server).await.is_empty(), "what-if sent a request");
    let text = &outcome.stdout;
    assert!(text.starts_with(&format!("What if: Call remote '{SP_TEMPLATE}' operation\n")), "{text}");
    assert!(text.contains(&format!("POST {}{SP_PATH}", server.uri())), "{text}");
    assert!(text.contains("\"key\": \"SecretToken\"") && text.contains("\"value\": \"<redacted>\""), "{text}");
    assert!(!text.contains("True"), "what-if prints no pass-thru result: {text}");
    assert_no_secrets([outcome.stdout.as_str(), outcome.stderr.as_str()]);

    // With a token set the preview still shows none of it.
    let outcome = run(&server, &args[..6]).await;
    assert_eq!(outcome.status, EXIT_OK, "{outcome:?}");
    assert!(outcome.stdout.contains("authorization: Bearer <redacted>"), "{}", outcome.stdout);
    assert_no_secrets([outcome.stdout.as_str(), outcome.stderr.as_str()]);
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_service_error_prints_status_code_message_and_request_id_and_exits_1() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).insert_header("request-id", "rid-403").set_body_json(json!({
            "error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}
        })))
        .mount(&server)
        .await;
    let outcome = run(&server, &["--service-principal-id", SP_ID, "--credential", &secret_arg(), "--pass-thru"]).await;
    assert_eq!(outcome.status, EXIT_FAILED, "{outcome:?}");
    assert_eq!(outcome.stdout, "", "no True on failure");
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    assert!(lines[0].starts_with("error: ") && lines[0].contains("403 Forbidden"), "{}", outcome.stderr);
    for expected in [
        "status: 403",
        "code: Authorization_RequestDenied",
        "message: Insufficient privileges to complete the operation.",
        "request-id: rid-403",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in:\n{}", outcome.stderr);
    }
    assert_no_secrets([outcome.stderr.as_str()]);
}

#[tokio::test]
async fn bad_arguments_exit_2_with_a_clear_message_and_send_nothing() {
    let server = server_answering(204).await;
    let cases: [(&[&str], &str); 6] = [
        (&["--credential", "BaseAddress=x"], "--service-principal-id"),
        (&["--service-principal-id", SP_ID, "--application-id", APP_ID], "cannot be used with"),
        (&["--service-principal-id", SP_ID, "--credential", "SecretToken"], "--credential expects KEY=VALUE"),
        (&["--service-principal-id", SP_ID, "--credential", "=value"], "the name before '=' is empty"),
        (&["--service-principal-id", SP_ID, "--additional-property", "x={not json"], "not valid JSON"),
        (&["--service-principal-id", SP_ID, "--bogus"], "unexpected argument '--bogus'"),
    ];
    for (args, expected) in cases {
        let outcome = run(&server, args).await;
        assert_eq!(outcome.status, EXIT_USAGE, "{args:?}: {outcome:?}");
        assert!(outcome.stderr.contains(expected), "{args:?}: expected {expected:?} in {}", outcome.stderr);
        assert_eq!(outcome.stdout, "", "{args:?}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_malformed_credential_is_not_echoed() {
    let server = server_answering(204).await;
    let typo = format!("SecretToken:{SECRET}");
    let outcome = run(&server, &["--service-principal-id", SP_ID, "--credential", &typo]).await;
    assert_eq!(outcome.status, EXIT_USAGE);
    assert_no_secrets([outcome.stderr.as_str()]);
}

#[tokio::test]
async fn invalid_ids_and_headers_exit_2_and_send_nothing() {
    let server = server_answering(204).await;
    for args in [&["--service-principal-id", ".."][..], &["--service-principal-id", SP_ID, "--header", "Bad Name=1"]] {
        let outcome = run(&server, args).await;
        assert_eq!(outcome.status, EXIT_USAGE, "{args:?}: {outcome:?}");
        assert!(outcome.stderr.starts_with("error: "), "{outcome:?}");
    }
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_missing_token_is_a_usage_error() {
    let server = server_answering(204).await;
    let outcome =
        run_with_env(&["--service-principal-id", SP_ID, "--no-proxy"], &[("GRAPH_BASE_URL", &base_url(&server))]).await;
    assert_eq!(outcome.status, EXIT_USAGE);
    assert!(outcome.stderr.contains("GRAPH_TOKEN is not set"), "{}", outcome.stderr);
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn help_goes_to_stdout_with_status_0() {
    let outcome = run_with_env(&["--help"], &[]).await;
    assert_eq!(outcome.status, EXIT_OK);
    assert!(outcome.stdout.contains("Usage: acquire_access_token"), "{}", outcome.stdout);
    for option in ["--service-principal-id", "--application-id", "--credential", "--what-if", "--pass-thru"] {
        assert!(outcome.stdout.contains(option), "{option}");
    }
}

#[tokio::test]
async fn proxy_sends_through_the_proxy_with_basic_credentials() {
    let proxy = server_answering(204).await;
    let proxy_url = format!("http://bob:{PROXY_PASSWORD}@{}", proxy.address());
    // The target is never contacted directly: port 9 (discard) on loopback, so the bearer
    // token may travel over plain http.
    let args = ["--service-principal-id", SP_ID, "--proxy", &proxy_url, "--pass-thru"];
    let outcome = run_with_env(&args, &[("GRAPH_BASE_URL", "http://127.0.0.1:9/v1.0"), ("GRAPH_TOKEN", TOKEN)]).await;
    assert_eq!((outcome.status, outcome.stdout.as_str()), (EXIT_OK, "True\n"), "{outcome:?}");
    let request = only_request(&proxy).await;
    assert_eq!(request.url.as_str(), format!("http://127.0.0.1:9{SP_PATH}"), "absolute-form target");
    // base64("bob:pr0xy-Pa55-w0rd")
    assert_eq!(header(&request, "proxy-authorization"), Some("Basic Ym9iOnByMHh5LVBhNTUtdzByZA=="));
}

#[tokio::test]
async fn an_invalid_proxy_url_is_a_usage_error_that_hides_the_password() {
    let server = server_answering(204).await;
    let bad = format!("socks9://bob:{PROXY_PASSWORD}@proxy");
    let outcome = run_with_env(
        &["--service-principal-id", SP_ID, "--proxy", &bad],
        &[("GRAPH_BASE_URL", &base_url(&server)), ("GRAPH_TOKEN", TOKEN)],
    )
    .await;
    assert_eq!(outcome.status, EXIT_USAGE, "{outcome:?}");
    assert!(outcome.stderr.contains("proxy"), "{}", outcome.stderr);
    assert_no_secrets([outcome.stderr.as_str(), outcome.stdout.as_str()]);
    assert!(received(&server).await.is_empty());
}
