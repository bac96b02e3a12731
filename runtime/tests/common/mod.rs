//! Helpers shared by the integration tests: operations, a counting credential, servers.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use msgraph_runtime::{
    AccessToken, BoxFuture, Call, ClientBuilder, Error, HttpMethod, OperationInfo, Secret, TokenCredential,
};
use wiremock::MockServer;

pub const TOKEN: &str = "tok-ABC123-very-secret";

pub static ACQUIRE: OperationInfo = OperationInfo {
    operation_id: "servicePrincipal.synchronization_acquireAccessToken",
    method: HttpMethod::Post,
    path_template: "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken",
    permissions: None,
};

pub static GET_APP_BY_APP_ID: OperationInfo = OperationInfo {
    operation_id: "applications.application.GetByAppId",
    method: HttpMethod::Get,
    path_template: "/applications(appId='{appId}')",
    permissions: None,
};

pub static GET_USER: OperationInfo = OperationInfo {
    operation_id: "users.user.GetUser",
    method: HttpMethod::Get,
    path_template: "/users/{user-id}",
    permissions: None,
};

/// An idempotent operation with a body (PUT), for what is retried whatever happened.
pub static PUT_LOGO: OperationInfo = OperationInfo {
    operation_id: "applications.application.SetLogo",
    method: HttpMethod::Put,
    path_template: "/applications/{application-id}/logo",
    permissions: None,
};

pub const PUT_LOGO_PATH: &str = "/v1.0/applications/app-1/logo";

/// A PUT carrying the same kind of JSON body as `acquire_call`.
pub fn put_call(secret: &str) -> Call {
    let mut call = Call::new(&PUT_LOGO);
    call.path_param("application-id", "app-1");
    call.json_body(&AcquireBody {
        credentials: vec![KeyValue { key: "password".into(), value: Secret::from(secret) }],
    });
    call
}

pub const ACQUIRE_PATH: &str = "/v1.0/servicePrincipals/sp-1/synchronization/microsoft.graph.acquireAccessToken";

/// The request body of acquireAccessToken, with a secret inside.
#[derive(serde::Serialize)]
pub struct AcquireBody {
    pub credentials: Vec<KeyValue>,
}

#[derive(serde::Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: Secret,
}

pub fn acquire_call(secret: &str) -> Call {
    let mut call = Call::new(&ACQUIRE);
    call.path_param("servicePrincipal-id", "sp-1");
    call.json_body(&AcquireBody {
        credentials: vec![KeyValue { key: "password".into(), value: Secret::from(secret) }],
    });
    call
}

/// A credential that counts fetches and records the claims it was asked for.
#[derive(Debug)]
pub struct CountingCredential {
    pub fetches: AtomicUsize,
    pub claims: Mutex<Vec<Option<String>>>,
    pub scopes: Mutex<Vec<String>>,
    pub lifetime: Duration,
    pub delay: Duration,
}

impl CountingCredential {
    pub fn new() -> Arc<Self> {
        Self::with(Duration::from_secs(3600), Duration::ZERO)
    }

    pub fn with(lifetime: Duration, delay: Duration) -> Arc<Self> {
        Arc::new(CountingCredential {
            fetches: AtomicUsize::new(0),
            claims: Mutex::new(Vec::new()),
            scopes: Mutex::new(Vec::new()),
            lifetime,
            delay,
        })
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl TokenCredential for CountingCredential {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&'a str],
        claims: Option<&'a str>,
    ) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            self.claims.lock().unwrap().push(claims.map(str::to_owned));
            *self.scopes.lock().unwrap() = scopes.iter().map(|s| s.to_string()).collect();
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            // The first token is TOKEN; later ones are numbered so tests can tell them apart.
            let token = if n == 1 { TOKEN.to_owned() } else { format!("{TOKEN}-{n}") };
            Ok(AccessToken::new(token, SystemTime::now() + self.lifetime))
        })
    }
}

/// A builder pointed at `server` with fast retries and no proxy from the environment.
pub fn builder(server: &MockServer) -> ClientBuilder {
    msgraph_runtime::Client::builder()
        .base_url(format!("{}/v1.0", server.uri()))
        .no_proxy()
        .retry_backoff(Duration::from_millis(1))
}

pub async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// An address on which nothing listens (bound, then released).
pub async fn closed_port() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address
}
