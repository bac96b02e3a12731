//! The built-in steps (telemetry, timeout, retry, authentication, redirects, transport), run
//! as one state machine.
//!
//! A call without custom steps goes through them without a boxed future per step, and its
//! request is copied only where a copy is needed: one header map for reqwest per attempt (the
//! request must survive the attempt for a retry, a claims challenge or a redirect), a full copy
//! for a redirect, and one per attempt for custom append steps, which take their request by
//! value. The order and the semantics are those of the crate documentation.
//!
//! The state machine is kept small and shallow on purpose: every `async fn` awaited inside
//! another is moved into its caller's state, so the code is written as few nested `async fn`s
//! as possible (retries with authentication; redirects with the transport), and rare paths
//! (fetching a token, waiting before a retry, a redirected request) are boxed.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, StatusCode, header::AUTHORIZATION};
use tokio::time::Instant;

use crate::auth::{self, Authenticate, claims_challenge};
use crate::error::Error;
use crate::pipeline::{Attempt, Chain, HttpResponse, Next, Request};
use crate::proxy::HttpRoute;
use crate::redirect::{self, FollowRedirects};
use crate::retry::{RETRY_ATTEMPT, RetryHistory, RetryPolicy, is_idempotent, is_retryable_status, retry_after};
use crate::telemetry;
use crate::timeout;
use crate::transport::{BodyPolicy, Transport};

/// The client's built-in steps, shared by all its calls.
pub(crate) struct Builtins {
    pub(crate) auth: Option<Authenticate>,
    /// How plain-`http` requests leave this machine: no `Authorization` header, whoever set
    /// it, goes over plain http to another host or through a proxy on another host.
    pub(crate) route: HttpRoute,
    pub(crate) redirect: FollowRedirects,
    pub(crate) transport: Transport,
}

/// Settings of one call: the client's, overridden by the call's options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallSettings {
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) body: BodyPolicy,
}

impl Builtins {
    /// Telemetry, then everything below it under the call's timeout. `chain` holds the call's
    /// custom steps, if any (the append steps run after authentication, per attempt). `url` is
    /// `request.uri()` already parsed, for a request that no custom step can change.
    pub(crate) fn run<'a>(
        &'a self,
        settings: CallSettings,
        chain: Option<&'a Arc<Chain>>,
        mut request: Request,
        url: Option<url::Url>,
    ) -> impl Future<Output = Result<HttpResponse, Error>> + Send + 'a {
        telemetry::apply(request.headers_mut());
        // The retry step weighs each wait against the time left before the timeout fires.
        let deadline = Instant::now().checked_add(settings.timeout);
        timeout::bound(settings.timeout, self.retrying(settings, deadline, chain, request, url))
    }

    /// The retry step, and in each attempt the authentication step and what follows it.
    ///
    /// Each attempt sends `request` as it came in, plus `Retry-Attempt` from the second
    /// attempt on and the `Authorization` header, which every attempt sets again; everything
    /// below works on copies.
    ///
    /// What is retried depends on the method. Idempotent methods (GET, PUT, DELETE, HEAD,
    /// OPTIONS) are retried on 429, 503, 504 and any transport failure. Other methods (POST,
    /// PATCH) only when the service provably did not act: a connection that could not be
    /// established (refused, DNS, TLS handshake), or a 429/503 carrying `Retry-After`, the
    /// service's own word that it did not process the request. A wait that would not end
    /// before `deadline` is not started: the response (or failure) is returned at once.
    async fn retrying(
        &self,
        settings: CallSettings,
        deadline: Option<Instant>,
        chain: Option<&Arc<Chain>>,
        mut request: Request,
        mut url: Option<url::Url>,
    ) -> Result<HttpResponse, Error> {
        let policy = settings.retry;
        let idempotent = is_idempotent(request.method());
        let fits = |delay: Duration| {
            deadline.is_none_or(|deadline| Instant::now().checked_add(delay).is_some_and(|end| end < deadline))
        };
        // An explicit Authorization header from the caller (e.g. a delegated token for one
        // call) wins over the client's credential.
        let auth = match &self.auth {
            Some(auth) if !request.headers().contains_key(AUTHORIZATION) => {
                // Checked before fetching a token, so a refused call never asks for one.
                auth::ensure_secure(request.uri(), &self.route, "a bearer token")?;
                Some(auth)
            }
            _ => None,
        };
        // Statuses of the attempts so far; allocated only when a call is retried.
        let mut statuses: Vec<StatusCode> = Vec::new();
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 1;
        loop {
            if attempt > 1 {
                request.headers_mut().insert(RETRY_ATTEMPT, HeaderValue::from(attempt - 1));
            }
            // Authentication: a cached token, and one more try with a fresh token when a 401
            // carries a claims challenge.
            let mut claims: Option<String> = None;
            let outcome = loop {
                if let Some(auth) = auth {
                    let cached = if claims.is_none() { auth.cache.current() } else { None };
                    let bearer = match cached {
                        Some(cached) => cached?,
                        None => Box::pin(auth.cache.fetch(claims.as_deref())).await?,
                    };
                    request.headers_mut().insert(AUTHORIZATION, bearer);
                }
                let outcome = match chain {
                    Some(chain) if chain.has_append_steps() => {
                        let append = {
                            let mut copy = request.clone();
                            copy.extensions_mut().insert(Attempt(attempt));
                            Next::at(chain.clone(), chain.after_authentication()).run(copy)
                        };
                        append.await
                    }
                    _ => self.redirect_and_send(&request, attempt, settings.body, url.take()).await,
                };
                if auth.is_some()
                    && claims.is_none()
                    && let Ok(response) = &outcome
                    && response.status() == StatusCode::UNAUTHORIZED
                    && let Some(challenge) = claims_challenge(response.headers())
                {
                    tracing::debug!(
                        target: "msgraph_runtime",
                        "401 with a claims challenge: retrying once with a fresh token"
                    );
                    claims = Some(challenge);
                    continue;
                }
                break outcome;
            };
            let (delay, reason) = match outcome {
                Ok(mut response) => {
                    let status = response.status();
                    let delay = if is_retryable_status(status) {
                        let server_delay = retry_after(response.headers());
                        let service_did_not_act =
                            matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
                                && server_delay.is_some();
                        (idempotent || service_did_not_act)
                            .then(|| policy.delay(attempt, waited, server_delay))
                            .flatten()
                            .filter(|delay| {
                                // Sleeping into the timeout would replace this response, its
                                // status and its Retry-After by a bare timeout.
                                let fits = fits(*delay);
                                if !fits {
                                    tracing::debug!(
                                        target: "msgraph_runtime",
                                        status = status.as_u16(),
                                        delay_ms = delay.as_millis() as u64,
                                        "not retrying: the wait would outlast the call's timeout"
                                    );
                                }
                                fits
                            })
                    } else {
                        None
                    };
                    let Some(delay) = delay else {
                        if !statuses.is_empty() {
                            statuses.push(status);
                            response.extensions_mut().insert(RetryHistory(statuses));
                        }
                        return Ok(response);
                    };
                    statuses.push(status);
                    (delay, status.as_u16().to_string())
                }
                Err(Error::Transport(mut failure)) => {
                    failure.attempts = attempt;
                    if !idempotent && failure.may_have_been_applied() {
                        // The request may have been sent and acted on (e.g. addPassword
                        // created a credential): a retry could act twice.
                        failure.not_retried = attempt <= policy.max_retries;
                        return Err(Error::Transport(failure));
                    }
                    let Some(delay) = policy.delay(attempt, waited, None).filter(|delay| fits(*delay)) else {
                        return Err(Error::Transport(failure));
                    };
                    (delay, failure.message.clone())
                }
                Err(other) => return Err(other),
            };
            tracing::debug!(
                target: "msgraph_runtime",
                attempt,
                reason = %reason,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            Box::pin(tokio::time::sleep(delay)).await;
            waited = waited.saturating_add(delay);
            attempt += 1;
        }
    }

    /// The redirect step and the transport: `request` is sent as-is; a redirect is followed
    /// with a copy of it. `body` says how the response body is read.
    pub(crate) async fn redirect_and_send(
        &self,
        request: &Request,
        attempt: u32,
        body: BodyPolicy,
        mut url: Option<url::Url>,
    ) -> Result<HttpResponse, Error> {
        let mut redirected: Option<Box<Request>> = None;
        let mut hops = 0u32;
        loop {
            let current = redirected.as_deref().unwrap_or(request);
            // Whoever set it (the credential, the caller, a default header, a custom step), an
            // Authorization header never travels where the network or a remote proxy reads it.
            if current.headers().contains_key(AUTHORIZATION) {
                auth::ensure_secure(current.uri(), &self.route, "an Authorization header")?;
            }
            // Blocks end the storage of values moved into a future before that future is
            // awaited, so they take no room in this state machine.
            let (pending, exchange) = {
                let (outgoing, exchange) = self.transport.start(current, attempt, url.take())?;
                (self.transport.client.execute(outgoing), exchange)
            };
            let reqwest_response = pending.await.map_err(|e| exchange.failed(e))?;
            let mut response = exchange.read(reqwest_response, body).await?;
            let hop = match redirect::next_hop(current, &response) {
                None => {
                    if response.status() == StatusCode::FORBIDDEN
                        && let Some(grants) = current
                            .headers()
                            .get(AUTHORIZATION)
                            .and_then(|value| crate::TokenGrants::from_authorization(value.as_bytes()))
                    {
                        // What the token of the request that got the 403 granted (after any
                        // custom step and redirect), for the error to compare with what the
                        // operation accepts; the token itself stays here.
                        response.extensions_mut().insert(grants);
                    }
                    return Ok(response);
                }
                Some(hop) => hop?,
            };
            let max = self.redirect.max;
            if hops >= max {
                return Err(Error::TooManyRedirects { max });
            }
            hops += 1;
            tracing::debug!(
                target: "msgraph_runtime",
                status = response.status().as_u16(),
                hop = hops,
                "following redirect"
            );
            let mut next = redirected.take().unwrap_or_else(|| Box::new(request.clone()));
            hop.apply(&mut next);
            redirected = Some(next);
        }
    }
}
