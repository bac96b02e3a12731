//! The pipeline a call travels through, and how to add your own steps to it.
//!
//! A [`Step`] receives the buffered request and a [`Next`] handle to the rest of the pipeline.
//! It may change the request, call [`Next::run`] (zero, one or several times), change the
//! response, or answer on its own without calling `next`. See the crate documentation for the
//! order of the built-in steps.
//!
//! ```
//! use msgraph_runtime::{step_fn, HeaderValue};
//!
//! let tag = step_fn(|mut request, next| async move {
//!     request.headers_mut().insert("x-tag", HeaderValue::from_static("demo"));
//!     next.run(request).await
//! });
//! # let _ = tag;
//! ```

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::Bytes;

use crate::error::Error;

mod builtin;

pub(crate) use builtin::{Builtins, CallSettings};
pub use futures::future::BoxFuture;

/// A request as seen by pipeline steps: the body is fully buffered, so it can be re-sent
/// byte for byte on retries and redirects.
pub type Request = http::Request<Bytes>;

/// A response as seen by pipeline steps, body fully buffered.
pub type HttpResponse = http::Response<Bytes>;

/// One step of the HTTP pipeline (the equivalent of a .NET `DelegatingHandler`).
///
/// The trait is dyn-compatible; steps are stored as `Arc<dyn Step>`.
pub trait Step: Send + Sync + 'static {
    /// Handles `request`, usually by passing it (possibly changed) to `next`.
    fn send<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>>;
}

impl<S: Step + ?Sized> Step for Arc<S> {
    fn send<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        (**self).send(request, next)
    }
}

/// The 1-based number of the attempt a request belongs to, stored in the request's
/// extensions by the retry step (1 for the first try, 2 for the first retry, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt(pub u32);

/// The rest of the pipeline after the current step.
///
/// `Next` is cheap to clone; a step that retries clones it for every attempt.
#[derive(Clone)]
pub struct Next<'a> {
    // The chain is shared and owned rather than borrowed so that closures given to
    // `step_fn` can move `Next` into a `'static` future; the lifetime is kept for API
    // stability and costs nothing.
    chain: Arc<Chain>,
    position: usize,
    _lifetime: PhantomData<&'a ()>,
}

impl<'a> Next<'a> {
    /// The pipeline of a call that has custom steps, from `position` on (0: all of it).
    pub(crate) fn at(chain: Arc<Chain>, position: usize) -> Next<'static> {
        Next { chain, position, _lifetime: PhantomData }
    }

    /// Sends `request` through the remaining steps and returns their response.
    pub fn run(self, request: Request) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        let Next { chain, position, .. } = self;
        match chain.at(position) {
            Position::Custom(index) => Box::pin(async move {
                let step = chain.steps[index].clone();
                let next = Next { chain, position: position + 1, _lifetime: PhantomData };
                step.send(request, next).await
            }),
            Position::BeforeAppend => Box::pin(async move {
                let core = &chain.core;
                core.builtins.run(core.settings, Some(&chain), request, None).await
            }),
            Position::AfterAppend => Box::pin(async move {
                let attempt = request.extensions().get::<Attempt>().map_or(1, |a| a.0);
                chain.core.builtins.redirect_and_send(&request, attempt, chain.core.settings.body, None).await
            }),
        }
    }

    fn detach(self) -> Next<'static> {
        Next { chain: self.chain, position: self.position, _lifetime: PhantomData }
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").field("remaining_steps", &self.chain.remaining(self.position)).finish()
    }
}

/// The steps of a call that has custom (prepend or append) steps: the custom steps, with the
/// built-in steps run in between and after them. Calls without custom steps need no chain.
pub(crate) struct Chain {
    /// Prepend steps (client, then call), then append steps (call, then client).
    pub(crate) steps: Vec<Arc<dyn Step>>,
    /// How many of `steps` are prepend steps.
    pub(crate) prepend: usize,
    pub(crate) core: Core,
}

/// The built-in steps and the settings of one call.
pub(crate) struct Core {
    pub(crate) builtins: Arc<Builtins>,
    pub(crate) settings: CallSettings,
}

/// What runs at a position of a [`Chain`].
enum Position {
    /// A custom step (index into `steps`).
    Custom(usize),
    /// Telemetry, timeout, retry and authentication; then the append steps, per attempt.
    BeforeAppend,
    /// Redirects and the transport.
    AfterAppend,
}

impl Chain {
    /// Positions: the prepend steps, the built-in steps up to authentication (one position),
    /// the append steps, then redirects and the transport (one position).
    fn at(&self, position: usize) -> Position {
        let append_start = self.prepend + 1;
        if position < self.prepend {
            Position::Custom(position)
        } else if position == self.prepend {
            Position::BeforeAppend
        } else if position - append_start < self.steps.len() - self.prepend {
            Position::Custom(position - 1)
        } else {
            Position::AfterAppend
        }
    }

    /// The first position after authentication: the first append step, or redirects and the
    /// transport.
    pub(crate) fn after_authentication(&self) -> usize {
        self.prepend + 1
    }

    pub(crate) fn has_append_steps(&self) -> bool {
        self.steps.len() > self.prepend
    }

    /// How many steps remain from `position`, counting each built-in step once (telemetry,
    /// timeout, retry, authentication when configured, redirects, transport).
    fn remaining(&self, position: usize) -> usize {
        let before_append = 3 + usize::from(self.core.builtins.auth.is_some());
        let append = self.steps.len() - self.prepend;
        let total = self.prepend + before_append + append + 2;
        let done = match self.at(position) {
            Position::Custom(index) if index < self.prepend => index,
            Position::BeforeAppend => self.prepend,
            Position::Custom(index) => before_append + index,
            Position::AfterAppend => self.prepend + before_append + append,
        };
        total.saturating_sub(done)
    }
}

/// A [`Step`] made from a closure; see [`step_fn`].
pub struct StepFn<F>(F);

impl<F> fmt::Debug for StepFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StepFn")
    }
}

/// Turns an async closure `|request, next| async move { … }` into a [`Step`].
pub fn step_fn<F, Fut>(f: F) -> StepFn<F>
where
    F: Fn(Request, Next<'static>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, Error>> + Send + 'static,
{
    StepFn(f)
}

impl<F, Fut> Step for StepFn<F>
where
    F: Fn(Request, Next<'static>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, Error>> + Send + 'static,
{
    fn send<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        Box::pin((self.0)(request, next.detach()))
    }
}
