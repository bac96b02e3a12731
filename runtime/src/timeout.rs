//! Timeout step: bounds a whole call, retries and their delays included.

use std::future::Future;
use std::time::Duration;

use futures::FutureExt;

use crate::error::Error;

/// Runs `call` (everything below the timeout step) for at most `after`.
///
/// A plain combinator rather than an `async fn`, so the (large) future below is not moved
/// into one more state machine.
pub(crate) fn bound<T>(
    after: Duration,
    call: impl Future<Output = Result<T, Error>>,
) -> impl Future<Output = Result<T, Error>> {
    // Dropping the inner future on expiry cancels the in-flight request, any retry delay and
    // any token fetch, so a timed-out call leaves no work behind.
    tokio::time::timeout(after, call).map(move |outcome| {
        outcome.unwrap_or_else(|_| {
            tracing::debug!(target: "msgraph_runtime", timeout_ms = after.as_millis() as u64, "call timed out");
            Err(Error::Timeout { after })
        })
    })
}
