//! End-to-end tests of the generated Microsoft Graph SDK (`msgraph-sdk`), and the logic of the
//! `acquire_access_token` example: `Get-MgServicePrincipalSynchronizationAccessToken` in
//! miniature.
//!
//! The example's `main` only wires [`run`] to the process (arguments, environment, stdout,
//! stderr, exit status), so the tests in `tests/example.rs` can run the same code against a
//! local server with captured output.
//!
//! ```text
//! cargo run -p msgraph-tests --example acquire_access_token -- \
//!     --service-principal-id 8e881353-1735-45af-af21-ee1344582a4d \
//!     --credential BaseAddress=https://scim.contoso.com/v2 \
//!     --credential SecretToken=$SCIM_TOKEN --pass-thru
//! ```

use std::ffi::OsString;
use std::io::Write;

use clap::{ArgGroup, CommandFactory, FromArgMatches, Parser};
use msgraph_sdk::models::SynchronizationSecret;
use msgraph_sdk::prelude::*;
use msgraph_sdk::runtime::{DEFAULT_BASE_URL, Proxy, StaticToken};

/// Exit status of a successful run (or of `--help`).
pub const EXIT_OK: i32 = 0;
/// Exit status when the call failed: the service answered non-2XX, or the request could not be
/// delivered.
pub const EXIT_FAILED: i32 = 1;
/// Exit status for bad arguments or a bad environment; nothing was sent.
pub const EXIT_USAGE: i32 = 2;

/// Environment variable holding the service root.
pub const BASE_URL_VAR: &str = "GRAPH_BASE_URL";
/// Environment variable holding the bearer token.
pub const TOKEN_VAR: &str = "GRAPH_TOKEN";

/// Acquire an OAuth access token to authorize the Microsoft Entra provisioning service to
/// provision users into an application (POST .../synchronization/microsoft.graph.acquireAccessToken).
///
/// The service root comes from GRAPH_BASE_URL (default https://graph.microsoft.com/v1.0) and the
/// bearer token from GRAPH_TOKEN (not needed with --what-if).
#[derive(Debug, Parser)]
#[command(name = "acquire_access_token")]
#[command(group(ArgGroup::new("target").required(true).args(["service_principal_id", "application_id"])))]
struct Args {
    /// The unique identifier of servicePrincipal (-ServicePrincipalId).
    #[arg(long, value_name = "ID")]
    service_principal_id: Option<String>,

    /// The unique identifier of application (the applications twin of the operation).
    #[arg(long, value_name = "ID")]
    application_id: Option<String>,

    /// One entry of the body's `credentials` (-Credentials), repeatable, e.g.
    /// `--credential BaseAddress=https://scim.contoso.com/v2`. Keys the SDK does not know are
    /// sent as given.
    #[arg(long = "credential", value_name = "KEY=VALUE")]
    credentials: Vec<String>,

    /// A body property the schema does not name (-AdditionalProperties), repeatable; the value
    /// is JSON, e.g. `--additional-property '@odata.type="#microsoft.graph.x"'`.
    #[arg(long = "additional-property", value_name = "KEY=JSON")]
    additional_properties: Vec<String>,

    /// A request header for this call (-Headers), repeatable.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    headers: Vec<String>,

    /// Show the request that would be sent, secrets redacted, and send nothing (-WhatIf).
    #[arg(long)]
    what_if: bool,

    /// Print `True` when the call succeeds (-PassThru).
    #[arg(long)]
    pass_thru: bool,

    /// Send the request through this proxy (-Proxy); credentials in the URL
    /// (`http://user:password@proxy:8080`) are sent as Basic authentication (-ProxyCredential).
    /// Without it the environment's proxy settings apply.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,

    /// Use no proxy at all, ignoring HTTP_PROXY, HTTPS_PROXY and the like.
    #[arg(long, conflicts_with = "proxy")]
    no_proxy: bool,
}

/// A usage problem: reported on stderr, exit status [`EXIT_USAGE`]. Messages never repeat the
/// value of a credential or header, which may be secret.
struct Usage(String);

/// Splits `NAME=VALUE` at the first `=`.
fn split_pair<'a>(option: &str, raw: &'a str, shape: &str) -> Result<(&'a str, &'a str), Usage> {
    match raw.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value)),
        Some(_) => Err(Usage(format!("{option} expects {shape}, but the name before '=' is empty"))),
        None => Err(Usage(format!(
            "{option} expects {shape}, but an argument has no '=' (the argument is not shown: it may be a secret)"
        ))),
    }
}

/// Runs the example with `args` (program name first, as `std::env::args_os()` gives them),
/// reading `GRAPH_BASE_URL` and `GRAPH_TOKEN` through `env`, writing results to `out` and
/// diagnostics to `err`. Returns the process exit status: [`EXIT_OK`], [`EXIT_FAILED`] or
/// [`EXIT_USAGE`].
///
/// Like the cmdlet: nothing is printed on success unless `--pass-thru` is given (then `True`);
/// `--what-if` prints the request that would be sent and sends nothing; a failed call prints
/// its status, error code, message and request ids to `err`.
pub async fn run<I, T>(args: I, env: impl Fn(&str) -> Option<String>, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::command().try_get_matches_from(args).and_then(|m| Args::from_arg_matches(&m)) {
        Ok(args) => args,
        Err(error) => {
            let code = if error.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let target: &mut dyn Write = if error.use_stderr() { err } else { out };
            let _ = write!(target, "{}", error.render());
            return code;
        }
    };
    match execute(args, &env, out).await {
        Ok(()) => EXIT_OK,
        Err(Failure::Usage(Usage(message))) => {
            let _ = writeln!(err, "error: {message}");
            EXIT_USAGE
        }
        Err(Failure::Call(error)) => {
            report(&error, err);
            if error.is_invalid_argument() || matches!(error, Error::Configuration(_)) {
                EXIT_USAGE
            } else {
                EXIT_FAILED
            }
        }
    }
}

enum Outcome {
    Sent(Response<()>),
    Previewed(WhatIf),
}

enum Failure {
    Usage(Usage),
    Call(Error),
}

impl From<Usage> for Failure {
    fn from(usage: Usage) -> Self {
        Failure::Usage(usage)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Call(error)
    }
}

/// The request builder of whichever twin the arguments name, filled the same way.
macro_rules! fill {
    ($builder:expr, $credentials:expr, $properties:expr, $headers:expr) => {{
        let mut builder = $builder;
        for (key, value) in $credentials {
            builder = builder.credential(SynchronizationSecret::from(key), value);
        }
        for (name, value) in $properties {
            builder = builder.additional_property(name, value);
        }
        for (name, value) in $headers {
            builder = builder.header(name, value);
        }
        builder
    }};
}

async fn execute(args: Args, env: &dyn Fn(&str) -> Option<String>, out: &mut dyn Write) -> Result<(), Failure> {
    let mut credentials = Vec::new();
    for raw in &args.credentials {
        let (key, value) = split_pair("--credential", raw, "KEY=VALUE")?;
        credentials.push((key.to_owned(), value.to_owned()));
    }
    let mut properties = Vec::new();
    for raw in &args.additional_properties {
        let (name, json) = split_pair("--additional-property", raw, "KEY=JSON")?;
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            Usage(format!(
                "--additional-property {name}: the value is not valid JSON ({e}); quote strings, e.g. {name}='\"text\"'"
            ))
        })?;
        properties.push((name.to_owned(), value));
    }
    let mut headers = Vec::new();
    for raw in &args.headers {
        let (name, value) = split_pair("--header", raw, "NAME=VALUE")?;
        headers.push((name.to_owned(), value.to_owned()));
    }

    let base_url = env(BASE_URL_VAR).filter(|v| !v.trim().is_empty()).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let token = match env(TOKEN_VAR).filter(|v| !v.trim().is_empty()) {
        Some(token) => token,
        // A preview fetches no token; a placeholder makes it show the Authorization header the
        // real call would carry.
        None if args.what_if => "not-set".to_owned(),
        None => return Err(Usage(format!("{TOKEN_VAR} is not set: export a bearer token for Microsoft Graph")).into()),
    };
    let mut builder = Client::builder().base_url(base_url).credential(StaticToken::new(token.trim()));
    if let Some(proxy) = &args.proxy {
        builder = builder.proxy(Proxy::all(proxy)?);
    }
    if args.no_proxy {
        builder = builder.no_proxy();
    }
    let client = builder.build()?;

    let outcome = match (&args.service_principal_id, &args.application_id) {
        (Some(id), _) => {
            let call = fill!(
                client.service_principals().synchronization_acquire_access_token(id),
                credentials,
                properties,
                headers
            );
            if args.what_if { Outcome::Previewed(call.what_if()?) } else { Outcome::Sent(call.send().await?) }
        }
        (None, Some(id)) => {
            let call =
                fill!(client.applications().synchronization_acquire_access_token(id), credentials, properties, headers);
            if args.what_if { Outcome::Previewed(call.what_if()?) } else { Outcome::Sent(call.send().await?) }
        }
        (None, None) => unreachable!("clap requires one of the ids"),
    };
    match outcome {
        Outcome::Previewed(what_if) => {
            let _ = writeln!(out, "{what_if}");
        }
        Outcome::Sent(response) => {
            if args.pass_thru && response.pass_thru() {
                let _ = writeln!(out, "True");
            }
        }
    }
    Ok(())
}

/// Writes a failed call to `err`: the error, then status, code, message and ids on lines of
/// their own, as a script would want to grep them.
fn report(error: &Error, err: &mut dyn Write) {
    let _ = writeln!(err, "error: {error}");
    if let Some(service) = error.service_error() {
        let _ = writeln!(err, "status: {}", service.status().as_u16());
        let fields = [
            ("code", service.code()),
            ("message", service.message()),
            ("request-id", service.request_id()),
            ("client-request-id", service.client_request_id()),
            ("date", service.date()),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                let _ = writeln!(err, "{name}: {value}");
            }
        }
    }
}

/// Compiles every Rust code block of the repository's `README.md` as a doc-test, so the README
/// cannot drift from the API. They use operations of several modules (an application's PATCH,
/// a user's messages), so they need `full`, which the README's test command (`--all-features`)
/// turns on.
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Compile-time checks of the one builder shape (`msgraph_sdk::request::Request`): a method
/// exists only where the operation has what it sets. Each `compile_fail` block differs from the
/// block before it in one call, and must fail with "no method … or its trait bounds were not
/// satisfied" (E0599), so it cannot pass for an unrelated reason.
///
/// A get-by-id takes `$select`, and its builder comes from an identity:
/// ```
/// use msgraph_sdk::applications::GetApplication;
/// use msgraph_sdk::prelude::*;
/// fn build(client: &Client, identity: &ApplicationsIdentity) -> Result<GetApplication, Error> {
///     Ok(GetApplication::via_identity(client, identity)?.select(["id"]))
/// }
/// ```
/// but it takes no `$top`, and has no pages to follow:
/// ```compile_fail,E0599
/// use msgraph_sdk::applications::GetApplication;
/// use msgraph_sdk::prelude::*;
/// fn build(client: &Client, identity: &ApplicationsIdentity) -> Result<GetApplication, Error> {
///     Ok(GetApplication::via_identity(client, identity)?.select(["id"]).top(5))
/// }
/// ```
/// ```compile_fail,E0599
/// use msgraph_sdk::prelude::*;
/// fn build(client: &Client) {
///     let _ = client.applications().get_application("id").pages();
/// }
/// ```
/// A `$ref` delete needs the `@id` of what it removes, so only its area method builds it from
/// an identity:
/// ```
/// use msgraph_sdk::prelude::*;
/// fn build(client: &Client, identity: &ApplicationsIdentity) -> Result<(), Error> {
///     let _ = client.applications().delete_app_management_policy_by_ref_via_identity(identity, "id")?;
///     Ok(())
/// }
/// ```
/// ```compile_fail,E0599
/// use msgraph_sdk::applications::DeleteAppManagementPolicyByRef;
/// use msgraph_sdk::prelude::*;
/// fn build(client: &Client, identity: &ApplicationsIdentity) -> Result<(), Error> {
///     let _ = DeleteAppManagementPolicyByRef::via_identity(client, identity)?;
///     Ok(())
/// }
/// ```
#[cfg(feature = "applications")]
pub mod builder_shape {}
