//! `Get-MgServicePrincipalSynchronizationAccessToken` in miniature.
//!
//! ```text
//! export GRAPH_TOKEN=eyJ...        # bearer token (not needed with --what-if)
//! export GRAPH_BASE_URL=...        # optional, default https://graph.microsoft.com/v1.0
//! cargo run -p msgraph-tests --example acquire_access_token -- \
//!     --service-principal-id 8e881353-1735-45af-af21-ee1344582a4d \
//!     --credential BaseAddress=https://scim.contoso.com/v2 \
//!     --credential SecretToken=$SCIM_TOKEN \
//!     --pass-thru
//! ```
//!
//! `--help` lists every option. The logic lives in [`msgraph_tests::run`] so that the tests can
//! run it against a local server; this file only connects it to the process. Set `RUST_LOG`
//! (e.g. `RUST_LOG=msgraph_runtime=debug`) to see the runtime's log events on stderr.

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).with_writer(std::io::stderr).init();
    let status = msgraph_tests::run(
        std::env::args_os(),
        |name| std::env::var(name).ok(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .await;
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}
