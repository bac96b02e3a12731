//! Proxies from the environment (`HTTP_PROXY`, `NO_PROXY`): a bearer token for a loopback
//! server is not sent over plain HTTP when the environment routes that traffic through a proxy
//! on another host. Environment variables are process-wide, so this file holds a single test.

mod common;

use common::*;
use msgraph_runtime::{Client, Error};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROXY_VARIABLES: [&str; 6] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

fn set_environment(pairs: &[(&str, &str)]) {
    for name in PROXY_VARIABLES {
        // SAFETY: the only test of this binary sets the environment before it starts a runtime
        // or any other thread of its own, and the test harness reads no variable meanwhile.
        unsafe { std::env::remove_var(name) };
    }
    for (name, value) in pairs {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, value) };
    }
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

#[test]
fn an_environment_proxy_on_another_host_gets_no_plain_http_token() {
    let saved: Vec<(&str, Option<String>)> = PROXY_VARIABLES.iter().map(|n| (*n, std::env::var(n).ok())).collect();

    // HTTP_PROXY routes the loopback server's traffic through proxy.example: refused, and
    // neither a token fetch nor a request happens.
    set_environment(&[("HTTP_PROXY", "http://proxy.example:8080"), ("http_proxy", "http://proxy.example:8080")]);
    run(async {
        let target = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&target).await;
        let credential = CountingCredential::new();
        let client = Client::builder()
            .base_url(format!("{}/v1.0", target.uri()))
            .credential_arc(credential.clone())
            .max_retries(0)
            .build()
            .unwrap();
        let error = client.execute(acquire_call("pw")).await.unwrap_err();
        assert!(matches!(error, Error::Authentication { .. }), "{error:?}");
        assert!(error.to_string().contains("'proxy.example'"), "{error}");
        assert_eq!(credential.fetches(), 0);
        assert!(requests(&target).await.is_empty());

        // `no_proxy()` on the client ignores the environment: the call goes straight to the server.
        let client = Client::builder()
            .base_url(format!("{}/v1.0", target.uri()))
            .credential_arc(credential.clone())
            .no_proxy()
            .build()
            .unwrap();
        client.execute(acquire_call("pw")).await.unwrap();
        assert_eq!(requests(&target).await.len(), 1);
    });

    // NO_PROXY exempts the loopback server, for reqwest and for this check alike.
    set_environment(&[("HTTP_PROXY", "http://proxy.example:8080"), ("NO_PROXY", "127.0.0.1,localhost")]);
    run(async {
        let target = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&target).await;
        let client = Client::builder()
            .base_url(format!("{}/v1.0", target.uri()))
            .credential_arc(CountingCredential::new())
            .build()
            .unwrap();
        client.execute(acquire_call("pw")).await.unwrap();
        let received = requests(&target).await;
        assert_eq!(header(&received[0], "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    });

    set_environment(&[]);
    for (name, value) in saved {
        if let Some(value) = value {
            // SAFETY: as above.
            unsafe { std::env::set_var(name, value) };
        }
    }
}
