//! Long-running operations: a `202 Accepted` with a monitor URL, polled until it finishes.
//!
//! Some Graph operations (copying a drive item, cloning or archiving a team, some directory
//! and synchronization actions) answer `202 Accepted` with `Operation-Location` or `Location`
//! pointing at a status document: `{"status": "inProgress", "percentageComplete": 40}`, later
//! `"succeeded"`/`"completed"`, or `"failed"` with an `error`. [`LongRunningOperation`] reads
//! the monitor URL from such a response and [`LongRunningOperation::wait`] polls it:
//!
//! * the interval is the monitor's `Retry-After` when it sends one, else
//!   [`LongRunningOperation::poll_interval`] (default 5 s), never less than 100 ms;
//! * the whole wait is bounded by [`LongRunningOperation::timeout`] (default 15 minutes); when it
//!   runs out the error says the last status, and the same operation can be waited for again;
//! * a monitor URL on the client's base URL is polled through the pipeline (token, retries);
//!   one on another host is pre-authenticated by Graph and polled without the token (`https`
//!   only, plain `http` only to loopback), and a redirect from it (`303` to the finished
//!   resource) ends the wait with that location;
//! * a relative `Location` (`/teams('…')/operations('…')`) is resolved against the base URL.
//!
//! The result is the final [`OperationStatus`]: `succeeded()` tells success from failure,
//! [`OperationStatus::into_success`] turns a failure into an [`Error::Task`].
//!
//! # Example
//!
//! ```no_run
//! use msgraph_runtime::tasks::long_running::LongRunningOperation;
//! use msgraph_runtime::{Call, Client, HttpMethod, OperationInfo, StaticToken};
//! use std::time::Duration;
//!
//! static COPY: OperationInfo = OperationInfo {
//!     operation_id: "drives.items.copy",
//!     method: HttpMethod::Post,
//!     path_template: "/drives/{drive-id}/items/{driveItem-id}/copy",
//!     permissions: None,
//! };
//!
//! # async fn run() -> Result<(), msgraph_runtime::Error> {
//! let client = Client::builder().credential(StaticToken::new("eyJ...")).build()?;
//! let mut call = Call::new(&COPY);
//! call.path_param("drive-id", "b!xyz");
//! call.path_param("driveItem-id", "01ABC");
//! call.json_body(&serde_json::json!({ "name": "copy.docx" }));
//! let accepted = client.execute(call).await?;
//! if let Some(operation) = LongRunningOperation::from_response(&client, &accepted)? {
//!     let done = operation.timeout(Duration::from_secs(120)).wait(&client).await?.into_success()?;
//!     println!("copied: {:?}", done.resource_location());
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::operation::{HttpMethod, OperationInfo};
use crate::response::Response;
use crate::retry::retry_after;
use crate::tasks::{TaskKind, check_unauthenticated_url, same_origin, send_unauthenticated, shown_url, task_error};

static MONITOR: OperationInfo = OperationInfo {
    operation_id: "longRunningOperation.poll",
    method: HttpMethod::Get,
    path_template: "(monitor URL)",
    permissions: None,
};

const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// A monitor answering `Retry-After: 0` forever must not be polled in a busy loop.
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// An operation Graph accepted and runs in the background. See the [module documentation](self).
#[derive(Clone)]
pub struct LongRunningOperation {
    monitor: url::Url,
    first_delay: Option<Duration>,
    poll_interval: Duration,
    timeout: Duration,
}

impl LongRunningOperation {
    /// The operation behind a `202 Accepted` answer: its `Operation-Location`, else its
    /// `Location`, resolved against the client's base URL when relative. `None` for any other
    /// status (the operation finished at once); [`Error::Task`] for a `202` without a monitor
    /// URL or with one that cannot be parsed.
    pub fn from_response<T>(client: &Client, response: &Response<T>) -> Result<Option<Self>, Error> {
        if response.status() != StatusCode::ACCEPTED {
            return Ok(None);
        }
        let headers = response.headers();
        let location = ["operation-location", "location"]
            .iter()
            .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()).filter(|v| !v.trim().is_empty()));
        let Some(location) = location else {
            return Err(task_error(
                TaskKind::LongRunningOperation,
                "the service accepted the operation (202) without Operation-Location or Location to follow it",
                None,
            ));
        };
        let mut operation = Self::from_url(client, location.trim())?;
        operation.first_delay = retry_after(headers);
        Ok(Some(operation))
    }

    /// An operation known by its monitor URL (absolute, or relative to the client's base URL).
    pub fn from_url(client: &Client, monitor_url: &str) -> Result<Self, Error> {
        let resolved = if monitor_url.starts_with('/') {
            format!("{}{monitor_url}", client.base_url())
        } else {
            monitor_url.to_owned()
        };
        let monitor = url::Url::parse(&resolved).map_err(|_| {
            task_error(
                TaskKind::LongRunningOperation,
                "the monitor URL is neither absolute nor relative to the service root",
                None,
            )
        })?;
        Ok(LongRunningOperation {
            monitor,
            first_delay: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The interval between polls when the monitor sends no `Retry-After` (default 5 s; at
    /// least 100 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long [`LongRunningOperation::wait`] waits in all (default 15 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The monitor URL. It may be pre-authenticated: treat it as a secret.
    pub fn monitor_url(&self) -> &str {
        self.monitor.as_str()
    }

    /// Polls the monitor until the operation finishes (any final status, failures included:
    /// see [`OperationStatus::succeeded`]) or the timeout runs out ([`Error::Task`] with the
    /// last status). A poll that fails (after the pipeline's retries) ends the wait with that
    /// error as the cause.
    pub async fn wait(&self, client: &Client) -> Result<OperationStatus, Error> {
        let authenticated = same_origin(&self.monitor, client.base_url());
        if !authenticated {
            check_unauthenticated_url(TaskKind::LongRunningOperation, "monitor URL", self.monitor.as_str())?;
        }
        let shown = shown_url(&self.monitor);
        let deadline = Instant::now() + self.timeout;
        let mut delay = self.first_delay;
        let mut last_status: Option<String> = None;
        let mut polls = 0u32;
        loop {
            let wait = delay.unwrap_or(self.poll_interval).max(MIN_POLL_INTERVAL);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if polls > 0 || delay.is_some() {
                if wait > remaining {
                    let last = last_status.as_deref().unwrap_or("none");
                    return Err(task_error(
                        TaskKind::LongRunningOperation,
                        format!(
                            "the operation at {shown} did not finish within {:?} ({polls} polls, last status '{last}')",
                            self.timeout
                        ),
                        None,
                    ));
                }
                tokio::time::sleep(wait).await;
            }
            polls += 1;
            let answer = if authenticated {
                self.poll_authenticated(client).await
            } else {
                self.poll_unauthenticated(client).await
            };
            let answer = match answer {
                Ok(answer) => answer,
                Err(error) => {
                    return Err(task_error(
                        TaskKind::LongRunningOperation,
                        format!("polling the operation at {shown} failed (poll {polls})"),
                        Some(error),
                    ));
                }
            };
            match answer {
                Poll::Redirected(location) => {
                    return Ok(OperationStatus {
                        status: "completed".to_owned(),
                        resource_location: Some(location),
                        percentage_complete: None,
                        polls,
                        response: None,
                    });
                }
                Poll::Answered(response) => {
                    let document = serde_json::from_slice::<StatusDocument>(response.value()).ok();
                    let status = document.as_ref().and_then(|d| d.status.clone());
                    let state = match &status {
                        Some(status) => classify(status),
                        // A monitor that answers 202 without a body is still busy; any other
                        // 2XX without a status is the finished resource itself.
                        None if response.status() == StatusCode::ACCEPTED => State::Running,
                        None => State::Finished,
                    };
                    if state == State::Finished {
                        let headers = response.headers();
                        let location = document
                            .as_ref()
                            .and_then(|d| d.resource_location.clone().or_else(|| d.target_resource_location.clone()))
                            .or_else(|| headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_owned));
                        return Ok(OperationStatus {
                            status: status.unwrap_or_else(|| "completed".to_owned()),
                            resource_location: location,
                            percentage_complete: document.as_ref().and_then(|d| d.percentage_complete),
                            polls,
                            response: Some(response),
                        });
                    }
                    delay = retry_after(response.headers());
                    last_status = status.or(last_status);
                }
            }
        }
    }

    async fn poll_authenticated(&self, client: &Client) -> Result<Poll, Error> {
        let mut call = Call::new(&MONITOR);
        call.next_link = Some(self.monitor.as_str().to_owned());
        client.execute(call).await.map(Poll::Answered)
    }

    async fn poll_unauthenticated(&self, client: &Client) -> Result<Poll, Error> {
        let (transport, settings) = client.for_tasks();
        let answer = send_unauthenticated(
            transport,
            Method::GET,
            &self.monitor,
            HeaderMap::new(),
            Bytes::new(),
            settings.timeout,
        )
        .await;
        match answer {
            Ok(response) => Ok(Poll::Answered(response)),
            // Redirects are not followed outside the pipeline: a redirect from the monitor
            // points at the finished resource.
            Err(Error::Service(service)) if service.status().is_redirection() => {
                match service.headers().get("location").and_then(|v| v.to_str().ok()) {
                    Some(location) => Ok(Poll::Redirected(location.to_owned())),
                    None => Err(Error::Service(service)),
                }
            }
            Err(error) => Err(error),
        }
    }
}

impl fmt::Debug for LongRunningOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LongRunningOperation")
            .field("monitor", &shown_url(&self.monitor))
            .field("poll_interval", &self.poll_interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

enum Poll {
    Answered(Response<Bytes>),
    Redirected(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Finished,
}

/// Graph's final statuses (`longRunningOperationStatus`, `teamsAsyncOperationStatus`, the copy
/// monitor's); everything else (`notStarted`, `running`, `inProgress`, `waiting`, values added
/// later) means "poll again", bounded by the timeout.
fn classify(status: &str) -> State {
    match status.to_ascii_lowercase().as_str() {
        "succeeded" | "completed" | "skipped" | "failed" | "cancelled" | "canceled" | "deletefailed" => State::Finished,
        _ => State::Running,
    }
}

fn is_success_status(status: &str) -> bool {
    matches!(status.to_ascii_lowercase().as_str(), "succeeded" | "completed" | "skipped")
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusDocument {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    percentage_complete: Option<f64>,
    #[serde(default)]
    resource_location: Option<String>,
    #[serde(default)]
    target_resource_location: Option<String>,
}

/// The final status of a long-running operation.
#[derive(Debug)]
pub struct OperationStatus {
    status: String,
    resource_location: Option<String>,
    percentage_complete: Option<f64>,
    polls: u32,
    response: Option<Response<Bytes>>,
}

impl OperationStatus {
    /// The final status as Graph wrote it (`succeeded`, `completed`, `failed`, …); `completed`
    /// when the monitor answered the finished resource or redirected to it.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// True for `succeeded`, `completed` and `skipped`.
    pub fn succeeded(&self) -> bool {
        is_success_status(&self.status)
    }

    /// Where the result is (`resourceLocation`, `targetResourceLocation`, or the redirect's
    /// `Location`), when Graph says.
    pub fn resource_location(&self) -> Option<&str> {
        self.resource_location.as_deref()
    }

    /// `percentageComplete` of the last status document.
    pub fn percentage_complete(&self) -> Option<f64> {
        self.percentage_complete
    }

    /// How many times the monitor was polled.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// The monitor's last answer (status, headers, the status document or the resource);
    /// `None` when it redirected.
    pub fn response(&self) -> Option<&Response<Bytes>> {
        self.response.as_ref()
    }

    /// `Ok` when the operation succeeded; otherwise an [`Error::Task`] with the status and
    /// the `error.message` (or `statusDetail`) of the status document.
    pub fn into_success(self) -> Result<Self, Error> {
        if self.succeeded() {
            return Ok(self);
        }
        let detail =
            self.response.as_ref().and_then(|r| serde_json::from_slice::<serde_json::Value>(r.value()).ok()).and_then(
                |v| {
                    v.pointer("/error/message").or_else(|| v.get("statusDetail")).and_then(|m| m.as_str()).map(one_line)
                },
            );
        let detail = detail.map(|d| format!(": {d}")).unwrap_or_default();
        Err(task_error(
            TaskKind::LongRunningOperation,
            format!("the operation ended with status '{}'{detail}", self.status),
            None,
        ))
    }
}

/// The service's text on one bounded line, as errors show it.
fn one_line(text: &str) -> String {
    text.chars().take(500).map(|c| if c.is_control() { ' ' } else { c }).collect()
}
