//! Hand-written runtime of the Microsoft Graph Rust SDK.
//!
//! The code generator turns every Graph operation into a small typed builder that owns a
//! [`Call`]. The builder fills the call (path parameters, query parameters, headers, body) and
//! hands it to [`Client::execute`], or to [`Client::what_if`] to preview it without sending
//! anything. This crate supplies everything behind that: the [`Client`], its HTTP pipeline,
//! authentication, retries, redirects, timeouts, proxies, logging and the [`Error`] type.
//!
//! # Pipeline order
//!
//! Every call travels through the following steps, outermost first. Steps marked *per attempt*
//! run again for each retry; the others run once per call.
//!
//! 1. client prepend steps ([`ClientBuilder::prepend`]), in the order they were added;
//! 2. call prepend steps ([`CallOptions::prepend`]);
//! 3. telemetry: `User-Agent: msgraph-rust-sdk/<version>`, `SdkVersion: graph-rust/<version>`
//!    and a fresh `client-request-id` per call unless the caller already set one;
//! 4. timeout: the per-call timeout (default 100 s, [`ClientBuilder::timeout`] /
//!    [`CallOptions::timeout`]) covering everything below, retries and their delays included;
//! 5. retry: honouring `Retry-After`, sending `Retry-Attempt: N` on each retry. Idempotent
//!    methods (GET, PUT, DELETE, HEAD, OPTIONS) are retried on 429, 503, 504 and any transport
//!    failure; POST and PATCH only when the service provably did not act: a connection that
//!    could not be established (refused, DNS, TLS handshake) or a 429/503 carrying
//!    `Retry-After`; never after a reset, a cut body or a 504, which may follow a request the
//!    service applied (the error then says so: [`Error::may_have_been_applied`]). A wait that
//!    would outlast the call's timeout is not started: the 429/503 is returned at once, with
//!    its headers and [`Error::retry_after`];
//! 6. authentication (*per attempt*): a cached bearer token, refreshed five minutes before it
//!    expires; one extra attempt with a fresh token when a 401 carries a claims challenge;
//! 7. call append steps (*per attempt*);
//! 8. client append steps (*per attempt*);
//! 9. redirect (*per attempt*): at most 5 hops by default; a POST redirected with 301/302,
//!    and anything but HEAD redirected with 303, becomes a GET without body, 307/308 keep
//!    method and body; every sensitive header is dropped when the scheme, host or port
//!    changes; redirects from https to http, and ones that would resend a body holding
//!    [`Secret`]s to another origin, are refused ([`Error::RedirectRefused`]);
//! 10. transport (*per attempt and per hop*): `reqwest`, with its own redirects disabled and
//!     proxies taken from [`ClientBuilder::proxy`] or the environment. No `Authorization`
//!     header, whoever set it, goes over plain http except to this machine. Bodies are read
//!     chunk by chunk: a 2XX body up to [`ClientBuilder::max_response_body`] (64 MiB by
//!     default, [`Error::ResponseTooLarge`] beyond), an error body only up to the 64 KiB an
//!     [`Error::Service`] keeps; [`Client::execute_streaming`] hands a 2XX body over unread.
//!
//! Custom steps see buffered bodies: the 2XX bodies of streaming calls are empty there, and
//! error bodies hold at most their first 64 KiB.
//!
//! Prepend steps correspond to the cmdlets' `-HttpPipelinePrepend` (they see one request per
//! call) and append steps to `-HttpPipelineAppend` (they see every attempt).
//!
//! # Errors
//!
//! Invalid arguments never panic: [`Call`] records them and [`Client::execute`] /
//! [`Client::what_if`] return them before any I/O. Non-2XX responses become
//! [`Error::Service`]; see [`Error`] for the other kinds. A 403 of an operation whose
//! [`OperationInfo::permissions`] are known explains itself: its `Display` lists the
//! permissions the operation accepts, least privileged first, and the `scp`/`roles` claims of
//! the bearer token that was sent ([`TokenGrants`], read from the JWT without verifying it; the
//! token itself is not kept).
//!
//! # Secrets
//!
//! Tokens, [`Secret`] values and proxy passwords never appear in `Debug` or `Display` output,
//! what-if output or `tracing` events; sensitive headers are shown as `<redacted>`. One rule
//! decides which headers are sensitive, everywhere (`Debug`, what-if, logs, errors,
//! redirects): by name (`Authorization`, `Cookie`, anything with auth, secret, token, key,
//! password, signature, credential, session, sas…) and by value, whatever the name (`Bearer …`,
//! `Basic …`, `PoP …`, `SharedAccessSignature …`, a JWT, a SAS query, a long mixed-case base64
//! blob). Raw bodies (`Response<Bytes>`) show only their length in `Debug`. An invalid header
//! name is never repeated in the error (it is named by its position, "header #2"): the usual
//! mistake is a whole `Authorization: Bearer …` line passed as the name.
//!
//! # Proxies
//!
//! By default the client honours the environment's proxy settings (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`; the system settings on Windows and macOS), with
//! credentials embedded in the proxy URL sent as Basic authentication. This is the closest
//! equivalent of the cmdlets' `-ProxyUseDefaultCredentials`: Rust has no NTLM/Kerberos
//! "default credentials". [`ClientBuilder::proxy`] with [`Proxy::basic_auth`] corresponds to
//! `-Proxy` with `-ProxyCredential`; [`ClientBuilder::no_proxy`] ignores the environment.
//!
//! # TLS
//!
//! rustls, TLS 1.3 and 1.2, HTTP/2 when the server offers it; certificates are checked by the
//! operating system's verifier (`rustls-platform-verifier`), plus any root certificates added
//! with [`ClientBuilder::add_root_certificates_pem`] (a TLS-inspecting proxy's CA). The crypto
//! provider is ring, chosen for this client only (nothing is installed process-wide); the
//! `tls-aws-lc-rs` feature uses aws-lc-rs instead, which prefers post-quantum key exchange
//! (X25519MLKEM768) but adds a C build (aws-lc-sys) to every cold build.
//!
//! # Security defaults
//!
//! Bearer tokens, and any `Authorization` header (from the credential, a per-call header, a
//! default header or a custom step), are only sent over `https`, or over plain `http` to a
//! loopback address (local test servers) when the request does not leave the machine: not
//! through a proxy on another host, whether set with [`ClientBuilder::proxy`] or taken from the
//! environment. A caller-supplied `Authorization` header is sent instead of the credential's
//! token, under the same rule. Redirects to another scheme, host or port lose every sensitive
//! header; redirects from https to http are refused, and so are those that would resend a body
//! holding [`Secret`] values to another origin. Non-idempotent calls are never replayed once
//! the service may have acted on them. Buffered response bodies are bounded (64 MiB for 2XX,
//! 64 KiB kept of errors).
//!
//! # Logging
//!
//! The runtime emits `tracing` events under the `msgraph_runtime` target: one DEBUG event per
//! HTTP exchange (method, URL with non-OData query values redacted, status, duration, attempt,
//! request ids) and TRACE events listing allow-listed headers (other header values are shown as
//! `REDACTED`). Bodies are never logged.
//!
//! # Example
//!
//! ```no_run
//! use msgraph_runtime::{Call, Client, HttpMethod, OperationInfo, StaticToken};
//!
//! static ACQUIRE_ACCESS_TOKEN: OperationInfo = OperationInfo {
//!     operation_id: "servicePrincipal.synchronization_acquireAccessToken",
//!     method: HttpMethod::Post,
//!     path_template:
//!         "/servicePrincipals/{servicePrincipal-id}/synchronization/microsoft.graph.acquireAccessToken",
//!     permissions: None,
//! };
//!
//! # async fn run() -> Result<(), msgraph_runtime::Error> {
//! let client = Client::builder().credential(StaticToken::new("eyJ...")).build()?;
//! let mut call = Call::new(&ACQUIRE_ACCESS_TOKEN);
//! call.path_param("servicePrincipal-id", "00000000-0000-0000-0000-000000000001");
//! call.json_body(&serde_json::json!({ "credentials": [] }));
//! let response = client.execute(call).await?;
//! assert!(response.pass_thru());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
#![deny(unsafe_code)]

mod auth;
#[cfg(feature = "azure")]
mod azure;
mod call;
mod client;
mod error;
pub mod formats;
mod logging;
mod nullable;
mod operation;
pub mod paging;
mod path;
mod permissions;
pub mod pipeline;
mod proxy;
mod redact;
mod redirect;
mod response;
mod retry;
mod secret;
pub mod tasks;
mod telemetry;
mod timeout;
mod tls;
mod transport;
mod what_if;

pub use bytes::Bytes;
pub use futures::Stream;
pub use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
/// The crates [`formats::DateTime`] and its siblings convert to, so callers need not pin the
/// same versions themselves.
pub use time;
/// See [`time`](mod@time).
pub use uuid;

pub use auth::{AccessToken, StaticToken, TokenCredential, default_scope};
#[cfg(feature = "azure")]
pub use azure::AzureCredential;
pub use call::{Call, CallOptions};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{DecodeError, Error, RedirectRefusal, ServiceError, TransportError};
pub use formats::{Flags, StringEnum};
pub use nullable::Nullable;
pub use operation::{HttpMethod, OperationInfo, identity_key};
pub use permissions::{Permission, Permissions, TokenGrants};
pub use pipeline::{BoxFuture, HttpResponse, Next, Request, Step, StepFn, step_fn};
pub use proxy::Proxy;
pub use response::{ByteStream, Response};
pub use secret::Secret;
pub use what_if::WhatIf;

/// Version of this runtime, as sent in the telemetry headers.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Implements the per-call option methods (the cmdlets' common parameters) on a generated
/// request builder.
///
/// The builder type must have a field `call: Call`. The macro expands to an inherent `impl`
/// with `header`, `headers`, `timeout`, `max_retries`, `max_retry_delay`, `max_response_body`,
/// `prepend` and `append`, each consuming and returning the builder, and `into_call`, which hands
/// the call to the [`tasks`] helpers. Generated builders do not use it (their shared
/// `request::Request` has these methods, and its `into_call` includes the body); it is for
/// hand-written builders over a [`Call`].
///
/// ```
/// use msgraph_runtime::{Call, HttpMethod, OperationInfo};
///
/// static OP: OperationInfo = OperationInfo {
///     operation_id: "example",
///     method: HttpMethod::Get,
///     path_template: "/me",
///     permissions: None,
/// };
///
/// pub struct GetMe {
///     call: Call,
/// }
/// msgraph_runtime::call_options!(GetMe);
///
/// let builder = GetMe { call: Call::new(&OP) }
///     .header("ConsistencyLevel", "eventual")
///     .max_retries(1);
/// assert_eq!(builder.call.options().get_max_retries(), Some(1));
/// ```
#[macro_export]
macro_rules! call_options {
    ($ty:ident) => {
        $crate::call_options!(@options $ty);
        impl $ty {
            /// The call this builder assembled, for the helpers of `msgraph_runtime::tasks` that
            /// take a `Call` (a JSON batch item, a delta query, an upload session).
            ///
            /// Refused with `Error::InvalidArgument` for a `POST`, `PUT` or `PATCH` that has no
            /// body yet: builders keep their body until they are sent, where this method cannot
            /// reach it, and a call without it would silently lose it.
            pub fn into_call(self) -> ::core::result::Result<$crate::Call, $crate::Error> {
                $crate::tasks::builder_call(self.call)
            }
        }
    };
    (@options $ty:ident) => {
        impl $ty {
            /// Adds a request header for this call only (the cmdlets' `-Headers`).
            ///
            /// An invalid name or value is reported when the call is executed; the error names
            /// the header but never shows its value.
            pub fn header(
                mut self,
                name: impl ::core::convert::AsRef<str>,
                value: impl ::core::convert::AsRef<str>,
            ) -> Self {
                self.call.options_mut().header(name.as_ref(), value.as_ref());
                self
            }

            /// Adds several request headers for this call only (the cmdlets' `-Headers`).
            pub fn headers<I, K, V>(mut self, headers: I) -> Self
            where
                I: ::core::iter::IntoIterator<Item = (K, V)>,
                K: ::core::convert::AsRef<str>,
                V: ::core::convert::AsRef<str>,
            {
                for (name, value) in headers {
                    self.call.options_mut().header(name.as_ref(), value.as_ref());
                }
                self
            }

            /// Overrides the client's timeout for this call (retries and their delays included).
            pub fn timeout(mut self, timeout: ::core::time::Duration) -> Self {
                self.call.options_mut().timeout(timeout);
                self
            }

            /// Overrides the client's maximum number of retries for this call (at most 10).
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.call.options_mut().max_retries(max_retries);
                self
            }

            /// Overrides the client's cap on the total time spent waiting between retries.
            pub fn max_retry_delay(mut self, max_retry_delay: ::core::time::Duration) -> Self {
                self.call.options_mut().max_retry_delay(max_retry_delay);
                self
            }

            /// Overrides the client's limit on the response body read into memory, in bytes.
            pub fn max_response_body(mut self, max_bytes: usize) -> Self {
                self.call.options_mut().max_response_body(max_bytes);
                self
            }

            /// Adds a pipeline step that runs once for this call, before telemetry, retries and
            /// authentication (the cmdlets' `-HttpPipelinePrepend`).
            pub fn prepend(mut self, step: impl $crate::Step) -> Self {
                self.call.options_mut().prepend(step);
                self
            }

            /// Adds a pipeline step that runs for every attempt of this call, just before the
            /// client's append steps and the transport (the cmdlets' `-HttpPipelineAppend`).
            pub fn append(mut self, step: impl $crate::Step) -> Self {
                self.call.options_mut().append(step);
                self
            }
        }
    };
}
