//! The runtime's integration tests, one module per concern, linked into one test binary:
//! a binary per file linked reqwest, hyper and wiremock again for each (minutes of CI
//! linking and gigabytes of disk). The tests that change process-wide state (environment
//! variables, the global `tracing` subscriber) stay in binaries of their own:
//! `env_proxy.rs` and `redaction.rs`.

// Generated crates re-export the runtime as `crate::runtime`, and the runtime's macros
// (`call_options!`, used by arguments.rs as generated code uses it) name that path.
pub use msgraph_runtime as runtime;

mod common;

mod arguments;
mod auth;
mod body_limits;
mod error_bodies;
mod execute;
mod load;
mod paging;
mod pipeline;
mod proxy;
mod redirects;
mod retry;
mod tasks_batch;
mod tasks_long_running;
mod tasks_notifications;
mod tasks_paging;
mod tasks_upload;
mod timeouts;
mod tls;
mod what_if;
