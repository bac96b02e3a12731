//! Timeout step: bounds a whole call, retries and their delays included.

use std::time::Duration;

use crate::error::Error;
use crate::pipeline::{BoxFuture, HttpResponse, Next, Request, Step};

pub(crate) struct Timeout {
    pub(crate) after: Duration,
}

impl Step for Timeout {
    fn send<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<HttpResponse, Error>> {
        Box::pin(async move {
            // Dropping the inner future on expiry cancels the in-flight request, any retry
            // delay and any token fetch, so a timed-out call leaves no work behind.
            match tokio::time::timeout(self.after, next.run(request)).await {
                Ok(result) => result,
                Err(_) => {
                    tracing::debug!(target: "msgraph_runtime", timeout_ms = self.after.as_millis() as u64, "call timed out");
                    Err(Error::Timeout { after: self.after })
                }
            }
        })
    }
}
