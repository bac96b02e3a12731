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
    chain: Arc<[Arc<dyn Step>]>,
    position: usize,
    _lifetime: PhantomData<&'a ()>,
}

impl<'a> Next<'a> {
    pub(crate) fn new(chain: Arc<[Arc<dyn Step>]>) -> Next<'static> {
        Next { chain, position: 0, _lifetime: PhantomData }
    }

    /// Sends `request` through the remaining steps and returns their response.
    pub fn run(self, request: Request) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        Box::pin(async move {
            let Some(step) = self.chain.get(self.position).cloned() else {
                return Err(Error::step("the pipeline ended without reaching the transport"));
            };
            let next = Next { chain: self.chain, position: self.position + 1, _lifetime: PhantomData };
            step.send(request, next).await
        })
    }

    fn detach(self) -> Next<'static> {
        Next { chain: self.chain, position: self.position, _lifetime: PhantomData }
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").field("remaining_steps", &self.chain.len().saturating_sub(self.position)).finish()
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
