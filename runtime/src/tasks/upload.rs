//! Large file uploads through upload sessions.
//!
//! Files too large for one request (Graph's limit for a simple upload is 4 MiB; mail
//! attachments 3 MiB) go through an upload session: `createUploadSession` on a drive item
//! ([`DRIVE_ITEM_CREATE_UPLOAD_SESSION`], [`NEW_FILE_CREATE_UPLOAD_SESSION`] for a new file),
//! on a message's attachments
//! ([`ATTACHMENT_CREATE_UPLOAD_SESSION`]) or on a print document
//! ([`PRINT_DOCUMENT_CREATE_UPLOAD_SESSION`]) answers an `uploadUrl`; the file is then `PUT` to
//! it slice by slice with `Content-Range: bytes <first>-<last>/<total>`. Each slice but the
//! last is answered `202 Accepted` with the session's `nextExpectedRanges`; the last one with
//! `200`/`201` and the created item (a drive item; for attachments an empty body and a
//! `Location`).
//!
//! [`LargeFileUpload`]:
//! * slices are multiples of 320 KiB, as Graph requires: 5 MiB by default,
//!   [`LargeFileUpload::slice_size`] to change it (at most 60 MiB);
//! * the upload URL is pre-authenticated: no `Authorization` header is ever sent to it, the
//!   request does not go through the pipeline (so neither through its redirects), and only an
//!   `https` URL is accepted (plain `http` only to a loopback address, for tests);
//! * after a failed slice (connection failure, timeout, `5XX`, `429`, `416`) it asks the session
//!   for its `nextExpectedRanges` and continues from there, at most
//!   [`LargeFileUpload::max_resumes`] times (default 3), waiting `Retry-After` when given;
//!   [`LargeFileUpload::resume`] does the same later, even from a new process, from a saved
//!   [`UploadSession`];
//! * a failure that ends the upload is an [`Error::Task`] saying which slice was sent (its range
//!   and the URL without its query, which holds the pre-authentication) with Graph's answer as
//!   its cause;
//! * [`LargeFileUpload::on_progress`] reports the bytes Graph has acknowledged;
//! * [`LargeFileUpload::cancel`] deletes the session.
//!
//! `Debug` of the session and the upload never shows the upload URL's query.
//!
//! # Example
//!
//! ```no_run
//! use msgraph_runtime::tasks::upload::{LargeFileUpload, NEW_FILE_CREATE_UPLOAD_SESSION, UploadSession};
//! use msgraph_runtime::{Call, Client, StaticToken};
//!
//! #[derive(serde::Deserialize)]
//! struct DriveItem {
//!     id: String,
//! }
//!
//! # async fn run(contents: Vec<u8>) -> Result<(), msgraph_runtime::Error> {
//! let client = Client::builder().credential(StaticToken::new("eyJ...")).build()?;
//! let mut create = Call::new(&NEW_FILE_CREATE_UPLOAD_SESSION);
//! create.path_param("drive-id", "b!xyz");
//! create.path_param("parentItem-id", "root");
//! create.path_param("fileName", "big report.pdf");
//! create.json_body(&serde_json::json!({ "item": { "@microsoft.graph.conflictBehavior": "replace" } }));
//! let session = UploadSession::create(&client, create).await?;
//!
//! let mut upload = LargeFileUpload::new(&client, session, contents)?
//!     .on_progress(|progress| println!("{} of {} bytes", progress.uploaded, progress.total));
//! let item: DriveItem = upload.upload_item::<DriveItem>().await?.into_inner();
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::operation::{HttpMethod, OperationInfo};
use crate::response::Response;
use crate::retry::is_retryable_status as is_retryable;
use crate::retry::{backoff, retry_after};
use crate::tasks::{TaskKind, check_unauthenticated_url, send_unauthenticated, shown_url, task_error};
use crate::transport::Transport;

/// Graph requires slices to be multiples of 320 KiB (except the last one).
pub const SLICE_UNIT: usize = 320 * 1024;
/// Default slice size: 5 MiB (16 × 320 KiB).
pub const DEFAULT_SLICE_SIZE: usize = 16 * SLICE_UNIT;
/// Largest slice Graph accepts: 60 MiB (192 × 320 KiB).
pub const MAX_SLICE_SIZE: usize = 192 * SLICE_UNIT;
/// Accepted slices in a row after which a session that still expects the same bytes is given up.
const MAX_STALLS: u32 = 3;

/// `POST /drives/{drive-id}/items/{driveItem-id}/createUploadSession`: new content for an
/// existing drive item.
pub static DRIVE_ITEM_CREATE_UPLOAD_SESSION: OperationInfo = OperationInfo {
    operation_id: "drives.items.createUploadSession",
    method: HttpMethod::Post,
    path_template: "/drives/{drive-id}/items/{driveItem-id}/createUploadSession",
    permissions: None,
};

/// `POST /drives/{drive-id}/items/{parentItem-id}:/{fileName}:/createUploadSession`: a new file
/// named `fileName` in the folder `parentItem-id` (`root` for the drive's root).
pub static NEW_FILE_CREATE_UPLOAD_SESSION: OperationInfo = OperationInfo {
    operation_id: "drives.items.createUploadSession.byName",
    method: HttpMethod::Post,
    path_template: "/drives/{drive-id}/items/{parentItem-id}:/{fileName}:/createUploadSession",
    permissions: None,
};

/// `POST /users/{user-id}/messages/{message-id}/attachments/createUploadSession`.
pub static ATTACHMENT_CREATE_UPLOAD_SESSION: OperationInfo = OperationInfo {
    operation_id: "users.messages.attachments.createUploadSession",
    method: HttpMethod::Post,
    path_template: "/users/{user-id}/messages/{message-id}/attachments/createUploadSession",
    permissions: None,
};

/// `POST /print/printers/{printer-id}/jobs/{printJob-id}/documents/{printDocument-id}/createUploadSession`.
pub static PRINT_DOCUMENT_CREATE_UPLOAD_SESSION: OperationInfo = OperationInfo {
    operation_id: "print.printers.jobs.documents.createUploadSession",
    method: HttpMethod::Post,
    path_template: "/print/printers/{printer-id}/jobs/{printJob-id}/documents/{printDocument-id}/createUploadSession",
    permissions: None,
};

/// An upload session, as `createUploadSession` answers it (`uploadSession`). Serializable, so
/// that an interrupted upload can be resumed later.
///
/// The upload URL is a credential for the session (its query authenticates the upload):
/// `Debug` shows it without its query.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSession {
    upload_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiration_date_time: Option<String>,
    #[serde(default)]
    next_expected_ranges: Vec<String>,
}

impl UploadSession {
    /// Sends `call` (a `createUploadSession` operation, through the pipeline like any call)
    /// and reads the session from its answer.
    pub async fn create(client: &Client, call: Call) -> Result<UploadSession, Error> {
        Ok(client.execute(call).await?.json::<UploadSession>()?.into_inner())
    }

    /// A session known only by its upload URL (saved earlier); [`LargeFileUpload::resume`]
    /// asks it where to continue.
    pub fn from_upload_url(upload_url: impl Into<String>) -> Self {
        UploadSession { upload_url: upload_url.into(), expiration_date_time: None, next_expected_ranges: Vec::new() }
    }

    /// The pre-authenticated URL the slices go to. Treat it as a secret.
    pub fn upload_url(&self) -> &str {
        &self.upload_url
    }

    /// When the session expires, as Graph wrote it.
    pub fn expiration_date_time(&self) -> Option<&str> {
        self.expiration_date_time.as_deref()
    }

    /// The ranges Graph still expects (`["0-"]` for a new session, `["26-"]`, `["0-99", "200-"]`).
    pub fn next_expected_ranges(&self) -> &[String] {
        &self.next_expected_ranges
    }
}

impl fmt::Debug for UploadSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown =
            url::Url::parse(&self.upload_url).map_or_else(|_| "<invalid URL>".to_owned(), |url| shown_url(&url));
        f.debug_struct("UploadSession")
            .field("upload_url", &shown)
            .field("expiration_date_time", &self.expiration_date_time)
            .field("next_expected_ranges", &self.next_expected_ranges)
            .finish()
    }
}

/// How far an upload has come: bytes Graph has acknowledged, of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes acknowledged (everything before the first range Graph still expects).
    pub uploaded: u64,
    /// Size of the file.
    pub total: u64,
}

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Uploads one file through an [`UploadSession`]. See the [module documentation](self).
pub struct LargeFileUpload {
    transport: Transport,
    timeout: Duration,
    backoff_base: Duration,
    session: UploadSession,
    url: url::Url,
    data: Bytes,
    slice_size: usize,
    max_resumes: u32,
    progress: Option<ProgressFn>,
}

impl LargeFileUpload {
    /// Prepares the upload of `data` to `session`, with the client's HTTP settings (proxies,
    /// timeout per request) but never its token.
    ///
    /// Refused with [`Error::Task`] before any I/O: an upload URL that is not `https` (plain
    /// `http` only to loopback) or holds credentials, and an empty file (Graph cannot create an
    /// empty file through a session; use a simple `PUT …/content`).
    pub fn new(client: &Client, session: UploadSession, data: impl Into<Bytes>) -> Result<Self, Error> {
        let url = check_unauthenticated_url(TaskKind::Upload, "upload URL", &session.upload_url)?;
        let data = data.into();
        if data.is_empty() {
            return Err(task_error(
                TaskKind::Upload,
                "the file is empty; an upload session cannot create an empty file (use a simple PUT of the content)",
                None,
            ));
        }
        let (transport, settings) = client.for_tasks();
        Ok(LargeFileUpload {
            transport: transport.clone(),
            timeout: settings.timeout,
            backoff_base: settings.retry.backoff_base,
            session,
            url,
            data,
            slice_size: DEFAULT_SLICE_SIZE,
            max_resumes: 3,
            progress: None,
        })
    }

    /// Bytes per slice: a multiple of 320 KiB ([`SLICE_UNIT`]) up to 60 MiB
    /// ([`MAX_SLICE_SIZE`]). Anything else is refused with [`Error::InvalidArgument`].
    pub fn slice_size(mut self, bytes: usize) -> Result<Self, Error> {
        if bytes == 0 || !bytes.is_multiple_of(SLICE_UNIT) || bytes > MAX_SLICE_SIZE {
            return Err(Error::invalid_argument(
                "slice_size",
                format!(
                    "the slice size must be a multiple of 320 KiB ({SLICE_UNIT} bytes) between {SLICE_UNIT} and {MAX_SLICE_SIZE}; got {bytes}"
                ),
            ));
        }
        self.slice_size = bytes;
        Ok(self)
    }

    /// How many times a failed slice makes the upload ask the session where to continue
    /// before giving up (default 3).
    pub fn max_resumes(mut self, max_resumes: u32) -> Self {
        self.max_resumes = max_resumes;
        self
    }

    /// Calls `progress` after every slice Graph has accepted.
    pub fn on_progress(mut self, progress: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The session, with the ranges Graph expects as of the last answer (save it to resume
    /// in another process).
    pub fn session(&self) -> &UploadSession {
        &self.session
    }

    /// Uploads from the first range the session expects (`0-` for a new one; a session known
    /// only by its URL is asked first). Returns the last slice's answer (`200`/`201`).
    pub async fn upload(&mut self) -> Result<Response<Bytes>, Error> {
        if self.session.next_expected_ranges.is_empty() {
            return self.resume().await;
        }
        self.run().await
    }

    /// [`LargeFileUpload::upload`], the created item decoded as `T` (a drive item). Mail
    /// attachment sessions answer with an empty body: use [`LargeFileUpload::upload`] there.
    pub async fn upload_item<T: DeserializeOwned>(&mut self) -> Result<Response<T>, Error> {
        self.upload().await?.json::<T>()
    }

    /// Asks the session which ranges it still expects (`GET` on the upload URL), then uploads
    /// them: after a failure, or from a saved session in another process.
    pub async fn resume(&mut self) -> Result<Response<Bytes>, Error> {
        self.refresh_status().await?;
        self.run().await
    }

    /// Deletes the session (`DELETE` on the upload URL); Graph discards what was uploaded.
    pub async fn cancel(&self) -> Result<(), Error> {
        send_unauthenticated(&self.transport, Method::DELETE, &self.url, HeaderMap::new(), Bytes::new(), self.timeout)
            .await
            .map(|_| ())
            .map_err(|error| {
                task_error(
                    TaskKind::Upload,
                    format!("cancelling the session (DELETE {}) failed", shown_url(&self.url)),
                    Some(error),
                )
            })
    }

    /// Reads the session's `nextExpectedRanges`.
    async fn refresh_status(&mut self) -> Result<(), Error> {
        let answer =
            send_unauthenticated(&self.transport, Method::GET, &self.url, HeaderMap::new(), Bytes::new(), self.timeout)
                .await;
        let status = answer.and_then(Response::json::<SessionStatus>).map_err(|error| {
            task_error(
                TaskKind::Upload,
                format!("asking the session where to continue (GET {}) failed", shown_url(&self.url)),
                Some(error),
            )
        })?;
        self.apply(status.into_inner());
        Ok(())
    }

    fn apply(&mut self, status: SessionStatus) {
        if status.expiration_date_time.is_some() {
            self.session.expiration_date_time = status.expiration_date_time;
        }
        self.session.next_expected_ranges = status.next_expected_ranges;
    }

    fn report(&self, uploaded: u64) {
        if let Some(progress) = &self.progress {
            progress(UploadProgress { uploaded, total: self.data.len() as u64 });
        }
    }

    /// The slice loop.
    async fn run(&mut self) -> Result<Response<Bytes>, Error> {
        let total = self.data.len() as u64;
        let mut resumes = 0u32;
        let mut stalls = 0u32;
        loop {
            let (start, range_end) = self.next_range()?;
            let last = (start + self.slice_size as u64).min(total).min(range_end.map_or(u64::MAX, |end| end + 1)) - 1;
            let sent = format!("slice bytes {start}-{last}/{total} (PUT {})", shown_url(&self.url));
            let mut headers = HeaderMap::new();
            // Digits, a dash, a slash and a space: always a valid header value. The length is
            // written by the HTTP client from the body.
            if let Ok(range) = HeaderValue::from_str(&format!("bytes {start}-{last}/{total}")) {
                headers.insert(http::header::CONTENT_RANGE, range);
            }
            // Indices fit: `last < total`, which came from a `usize` length.
            let body = self.data.slice(start as usize..=last as usize);
            let answer =
                send_unauthenticated(&self.transport, Method::PUT, &self.url, headers, body, self.timeout).await;
            match answer {
                Ok(response) if response.status() == StatusCode::ACCEPTED => {
                    let status = serde_json::from_slice::<SessionStatus>(response.value()).unwrap_or_default();
                    if status.next_expected_ranges.is_empty() {
                        // Graph does not always list the ranges; the slice was accepted.
                        self.session.next_expected_ranges = vec![format!("{}-", last + 1)];
                    } else {
                        self.apply(status);
                    }
                    let (next, _) = self.next_range().unwrap_or((last + 1, None));
                    // A session that keeps asking for what it was just sent would be fed forever.
                    if next <= start {
                        stalls += 1;
                        if stalls > MAX_STALLS {
                            return Err(task_error(
                                TaskKind::Upload,
                                format!(
                                    "{sent} was accepted {stalls} times but the session still expects bytes from {next}; it does not advance"
                                ),
                                None,
                            ));
                        }
                    } else {
                        stalls = 0;
                    }
                    self.report(next.min(total));
                }
                Ok(response) => {
                    // 200 or 201: the file is complete.
                    self.session.next_expected_ranges.clear();
                    self.report(total);
                    return Ok(response);
                }
                Err(error) if resumes < self.max_resumes && is_resumable(&error) => {
                    resumes += 1;
                    let delay = error
                        .response_headers()
                        .and_then(retry_after)
                        .unwrap_or_else(|| backoff(self.backoff_base, resumes))
                        .min(self.timeout);
                    tracing::debug!(target: crate::logging::TARGET, resumes, "upload slice failed; asking the session where to continue");
                    tokio::time::sleep(delay).await;
                    if let Err(status_error) = self.refresh_status().await {
                        return Err(task_error(
                            TaskKind::Upload,
                            format!("{sent} failed, and then {status_error}"),
                            Some(error),
                        ));
                    }
                }
                Err(error) => {
                    let after = if resumes > 0 { format!(" after {resumes} resumes") } else { String::new() };
                    return Err(task_error(TaskKind::Upload, format!("{sent} failed{after}"), Some(error)));
                }
            }
        }
    }

    /// The first range the session expects, as `(first byte, last byte if bounded)`.
    fn next_range(&self) -> Result<(u64, Option<u64>), Error> {
        let total = self.data.len() as u64;
        let Some(first) = self.session.next_expected_ranges.first() else {
            return Err(task_error(
                TaskKind::Upload,
                "the session expects no more bytes but has not returned the item",
                None,
            ));
        };
        let invalid = || {
            task_error(TaskKind::Upload, format!("the session expects a range Graph does not write: {first:?}"), None)
        };
        let (start, end) = first.trim().split_once('-').ok_or_else(invalid)?;
        let start: u64 = start.trim().parse().map_err(|_| invalid())?;
        let end: Option<u64> = match end.trim() {
            "" => None,
            end => Some(end.parse().map_err(|_| invalid())?),
        };
        if start >= total || end.is_some_and(|end| end < start) {
            return Err(task_error(
                TaskKind::Upload,
                format!("the session expects bytes {first} but the file has {total} bytes; is it the same file?"),
                None,
            ));
        }
        Ok((start, end))
    }
}

/// Failures after which the session may still be intact.
fn is_resumable(error: &Error) -> bool {
    match error {
        Error::Transport(_) | Error::Timeout { .. } => true,
        Error::Service(service) => {
            let status = service.status();
            status.is_server_error() || is_retryable(status) || status == StatusCode::RANGE_NOT_SATISFIABLE
        }
        _ => false,
    }
}

/// The session's answer to a slice or a status request.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionStatus {
    #[serde(default)]
    expiration_date_time: Option<String>,
    #[serde(default)]
    next_expected_ranges: Vec<String>,
}

impl fmt::Debug for LargeFileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LargeFileUpload")
            .field("session", &self.session)
            .field("size", &self.data.len())
            .field("slice_size", &self.slice_size)
            .field("max_resumes", &self.max_resumes)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
