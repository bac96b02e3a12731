//! JSON batching: several requests in one `POST /$batch`.
//!
//! Graph accepts at most [`MAX_BATCH_SIZE`] (20) requests per batch. A [`BatchRequest`] takes
//! any number of items, each built from a generated builder (`builder.into_call()`), from a
//! [`Call`], or raw ([`BatchRequest::add_raw`]), optionally depending on items added before it
//! (`dependsOn`). [`BatchRequest::send`] splits the items into batches of at most 20, keeping
//! every item with the items it depends on (Graph resolves `dependsOn` only within one batch),
//! and sends each batch as ONE call through the client's pipeline: token, telemetry, timeout,
//! and retries of the whole batch when Graph throttles the batch itself.
//!
//! Graph also throttles single items inside a successful batch: the item answers `429` (or
//! `503`/`504`) with its own `Retry-After`. Those items, and the items that failed with
//! `424 Failed Dependency` because of them, are sent again as a new batch after the longest of
//! their `Retry-After`s, within the client's retry budget (number of retries and total delay).
//!
//! The [`BatchResponse`] holds every item's status, headers and body by id, in the order the
//! items were added; [`BatchResponse::json`] decodes one item as a typed [`Response`], or
//! returns [`Error::Service`] with what Graph answered for that item. Items that still failed,
//! and items that got no answer at all, are listed, and [`BatchRequest::retry_failed`] makes a
//! new batch of exactly them.
//!
//! [`BatchRequest::what_if`] previews the batches without sending anything: each item shows
//! like a single call's what-if, sensitive header values and [`Secret`](crate::Secret) values
//! in JSON bodies as `<redacted>`, other bodies by size and type.
//!
//! # Example
//!
//! ```no_run
//! use msgraph_runtime::tasks::batch::BatchRequest;
//! use msgraph_runtime::{Call, Client, HttpMethod, OperationInfo, StaticToken};
//!
//! static GET_USER: OperationInfo =
//!     OperationInfo { operation_id: "users.user.GetUser", method: HttpMethod::Get, path_template: "/users/{user-id}", permissions: None };
//!
//! #[derive(serde::Deserialize)]
//! struct User {
//!     id: String,
//! }
//!
//! # async fn run() -> Result<(), msgraph_runtime::Error> {
//! let client = Client::builder().credential(StaticToken::new("eyJ...")).build()?;
//! let mut batch = BatchRequest::new();
//! for id in ["adele", "alex"] {
//!     let mut call = Call::new(&GET_USER);
//!     call.path_param("user-id", id);
//!     batch.add(id, call)?;
//! }
//! // Raw items work too; this one runs after "adele" has succeeded.
//! batch.add_raw_depending("photo", HttpMethod::Get, "/users/adele/photo/$value", None, &["adele"])?;
//! let response = batch.send(&client).await?;
//! let adele: User = response.json::<User>("adele")?.into_inner();
//! if !response.all_succeeded() {
//!     // Whatever failed or got no answer, as a batch of its own.
//!     let again = batch.retry_failed(&response).send(&client).await?;
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header::CONTENT_TYPE};
use serde::de::DeserializeOwned;

use crate::call::{Body, Call, CallOptions, Preview};
use crate::client::Client;
use crate::error::{Error, ServiceError};
use crate::logging::TARGET;
use crate::operation::{HttpMethod, OperationInfo};
use crate::path;
use crate::redact::{RedactedHeaders, is_sensitive_header};
use crate::response::Response;
use crate::retry::is_retryable_status as is_retryable;
use crate::retry::{backoff, retry_after};
use crate::secret::{self, REDACTED};
use crate::tasks::{TaskKind, task_error};
use crate::what_if::WhatIf;

/// Most requests Graph accepts in one batch.
pub const MAX_BATCH_SIZE: usize = 20;

static BATCH: OperationInfo =
    OperationInfo { operation_id: "batch", method: HttpMethod::Post, path_template: "/$batch", permissions: None };

/// Where an item goes.
#[derive(Clone)]
enum Target {
    /// Relative to the service root (`/users/x?$select=id`), as Graph wants it.
    Relative(String),
    /// An absolute link (a next-page link); made relative to the client's base URL when sent.
    Absolute(String),
}

#[derive(Clone)]
struct Item {
    id: String,
    method: HttpMethod,
    target: Target,
    headers: HeaderMap,
    body: Option<Body>,
    depends_on: Vec<String>,
    /// `METHOD /path/template` (or the raw URL's path), for errors: never query values.
    described: String,
    /// What the operation accepts, for the error of a 403 answer.
    permissions: Option<&'static crate::Permissions>,
}

/// Requests to send as JSON batches. See the [module documentation](self).
///
/// `Debug` shows ids, methods, operations and body sizes; no header values, no bodies.
#[derive(Clone, Default)]
pub struct BatchRequest {
    items: Vec<Item>,
    options: CallOptions,
}

impl BatchRequest {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the request `call` describes, under `id` (unique within this batch, not empty).
    ///
    /// Refused with [`Error::InvalidArgument`], leaving the batch unchanged: an invalid call (the
    /// error it recorded), a duplicate or empty id, and a call with per-call pipeline steps,
    /// timeout or retry settings, which cannot apply to one item of a batch (set them on the
    /// batch with [`BatchRequest::options_mut`]).
    pub fn add(&mut self, id: impl Into<String>, call: Call) -> Result<&mut Self, Error> {
        self.add_depending(id, call, &[])
    }

    /// Like [`BatchRequest::add`], for an item Graph runs only after the items `depends_on`
    /// (`dependsOn`) have succeeded; they must have been added before it.
    pub fn add_depending(
        &mut self,
        id: impl Into<String>,
        call: Call,
        depends_on: &[&str],
    ) -> Result<&mut Self, Error> {
        let id = id.into();
        self.check_id(&id, depends_on)?;
        let item = item_from_call(id, call, depends_on)?;
        self.items.push(item);
        Ok(self)
    }

    /// Adds a raw request: `url` relative to the service root (`/me/messages?$top=5`, without
    /// `/v1.0`), with an optional JSON body.
    pub fn add_raw(
        &mut self,
        id: impl Into<String>,
        method: HttpMethod,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<&mut Self, Error> {
        self.add_raw_depending(id, method, url, body, &[])
    }

    /// Like [`BatchRequest::add_raw`], depending on items added before it.
    pub fn add_raw_depending(
        &mut self,
        id: impl Into<String>,
        method: HttpMethod,
        url: &str,
        body: Option<&serde_json::Value>,
        depends_on: &[&str],
    ) -> Result<&mut Self, Error> {
        let id = id.into();
        self.check_id(&id, depends_on)?;
        let refuse = |why: &str| Error::invalid_argument("url", format!("batch item '{id}': the URL {why}"));
        if !url.starts_with('/') || url.starts_with("//") {
            return Err(refuse("must be relative to the service root and start with a single '/'"));
        }
        if url.chars().any(|c| c.is_control() || c == ' ') {
            return Err(refuse("contains spaces or control characters; percent-encode them"));
        }
        let mut headers = HeaderMap::new();
        let body = body.map(|value| {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            // `Secret` values inside a `serde_json::Value` are already plain strings, so there
            // is nothing left to redact: the preview is the body.
            Body {
                content_type: HeaderValue::from_static("application/json"),
                bytes: serde_json::to_vec(value).unwrap_or_default().into(),
                preview: Preview::Body,
                holds_secrets: false,
            }
        });
        let path_only = url.split('?').next().unwrap_or(url);
        self.items.push(Item {
            id,
            method,
            target: Target::Relative(url.to_owned()),
            headers,
            body,
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            described: format!("{method} {path_only}"),
            permissions: None,
        });
        Ok(self)
    }

    fn check_id(&self, id: &str, depends_on: &[&str]) -> Result<(), Error> {
        if id.is_empty() {
            return Err(Error::invalid_argument("id", "a batch item needs a non-empty id"));
        }
        if self.items.iter().any(|item| item.id == id) {
            return Err(Error::invalid_argument("id", format!("the batch already has an item with id '{id}'")));
        }
        for dependency in depends_on {
            if *dependency == id {
                return Err(Error::invalid_argument("dependsOn", format!("batch item '{id}' cannot depend on itself")));
            }
            // Dependencies must come first, which also rules out cycles.
            if !self.items.iter().any(|item| item.id == *dependency) {
                return Err(Error::invalid_argument(
                    "dependsOn",
                    format!("batch item '{id}' depends on '{dependency}', which was not added before it"),
                ));
            }
        }
        Ok(())
    }

    /// Options of the `POST /$batch` calls themselves: headers, timeout, retries (which also
    /// bound the re-sending of throttled items), pipeline steps.
    pub fn options_mut(&mut self) -> &mut CallOptions {
        &mut self.options
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The ids, in the order the items were added.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| item.id.as_str())
    }

    /// A new batch of the items of this one that did not succeed in `response` (non-2XX, or no
    /// answer), in their order, each still depending on those of its dependencies that are
    /// also in the new batch (the others succeeded).
    pub fn retry_failed(&self, response: &BatchResponse) -> BatchRequest {
        let succeeded = |id: &str| response.get(id).is_some_and(BatchItemResponse::is_success);
        let items: Vec<Item> = self.items.iter().filter(|item| !succeeded(&item.id)).cloned().collect();
        let kept: Vec<String> = items.iter().map(|item| item.id.clone()).collect();
        let items = items
            .into_iter()
            .map(|mut item| {
                item.depends_on.retain(|dependency| kept.contains(dependency));
                item
            })
            .collect();
        BatchRequest { items, options: self.options.clone() }
    }

    /// Previews the `POST /$batch` calls [`BatchRequest::send`] would make, sending nothing and
    /// fetching no token: one [`WhatIf`] per batch of at most 20 items, with sensitive header
    /// values and secrets redacted in every item.
    pub fn what_if(&self, client: &Client) -> Result<Vec<WhatIf>, Error> {
        let groups = self.groups()?;
        groups
            .iter()
            .map(|group| {
                let items: Vec<&Item> = group.iter().map(|&index| &self.items[index]).collect();
                client.what_if(self.batch_call(client, &items)?)
            })
            .collect()
    }

    /// Sends the items, in batches of at most 20, and re-sends items Graph throttled. See the
    /// [module documentation](self).
    ///
    /// `Err` only when nothing was answered: an invalid item (nothing sent), or a first batch
    /// that failed as a whole (after the pipeline's retries). Once something was answered,
    /// later failures are reported per item ([`BatchResponse::unanswered`]).
    pub async fn send(&self, client: &Client) -> Result<BatchResponse, Error> {
        if self.items.is_empty() {
            return Err(Error::invalid_argument("batch", "the batch has no item to send"));
        }
        let groups = self.groups()?;
        // Fail on a bad link before sending anything.
        for item in &self.items {
            relative_url(client, item)?;
        }
        let mut answers: Vec<Option<BatchItemResponse>> = vec![None; self.items.len()];
        let mut unanswered: Vec<(usize, Arc<Error>)> = Vec::new();
        let mut batches_sent = 0;
        for group in groups {
            self.send_group(client, &group, &mut answers, &mut unanswered, &mut batches_sent).await?;
        }
        let mut items = Vec::with_capacity(self.items.len());
        let mut missing = Vec::new();
        for (index, answer) in answers.into_iter().enumerate() {
            match answer {
                Some(answer) => items.push(answer),
                None => {
                    let item = &self.items[index];
                    let error =
                        unanswered.iter().find(|(i, _)| *i == index).map(|(_, e)| e.clone()).unwrap_or_else(|| {
                            Arc::new(task_error(TaskKind::Batch, format!("item '{}' was not answered", item.id), None))
                        });
                    missing.push(Unanswered { id: item.id.clone(), request: item.described.clone(), error });
                }
            }
        }
        Ok(BatchResponse { items, unanswered: missing, batches_sent })
    }

    /// One group of at most 20 items: the batch, then its throttled items again.
    async fn send_group(
        &self,
        client: &Client,
        group: &[usize],
        answers: &mut [Option<BatchItemResponse>],
        unanswered: &mut Vec<(usize, Arc<Error>)>,
        batches_sent: &mut usize,
    ) -> Result<(), Error> {
        let (_, defaults) = client.for_tasks();
        let max_retries = self.options.get_max_retries().unwrap_or(defaults.retry.max_retries);
        let max_total_delay = self.options.get_max_retry_delay().unwrap_or(defaults.retry.max_total_delay);
        let mut pending: Vec<usize> = group.to_vec();
        let mut retry = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            let items: Vec<Item> = pending
                .iter()
                .map(|&index| {
                    let mut item = self.items[index].clone();
                    // Dependencies answered in an earlier round are not in this batch.
                    item.depends_on.retain(|dependency| pending.iter().any(|&i| self.items[i].id == *dependency));
                    item
                })
                .collect();
            let refs: Vec<&Item> = items.iter().collect();
            let call = self.batch_call(client, &refs)?;
            let outcome = client.execute(call).await.and_then(Response::json::<WireResponse>);
            *batches_sent += 1;
            let wire = match outcome {
                Ok(wire) => wire.into_inner(),
                Err(error) => {
                    let nothing_answered = answers.iter().all(Option::is_none) && unanswered.is_empty();
                    if nothing_answered {
                        return Err(error);
                    }
                    // Items throttled earlier keep that answer; the others are unanswered.
                    let error = Arc::new(error);
                    for &index in &pending {
                        if answers[index].is_none() {
                            unanswered.push((index, error.clone()));
                        }
                    }
                    return Ok(());
                }
            };
            let mut by_id: HashMap<String, WireItem> = HashMap::with_capacity(wire.responses.len());
            for answer in wire.responses {
                let id = answer.id_string();
                // The first answer for an id counts; Graph never sends two.
                by_id.entry(id).or_insert(answer);
            }
            for &index in &pending {
                let item = &self.items[index];
                match by_id.remove(&item.id) {
                    Some(answer) => match BatchItemResponse::from_wire(item, answer, answers[index].take()) {
                        Ok(response) => answers[index] = Some(response),
                        Err(error) => {
                            answers[index] = None;
                            unanswered.push((index, Arc::new(error)));
                        }
                    },
                    None => {
                        // Keep an earlier answer (a 429) rather than nothing.
                        if answers[index].is_none() {
                            let error = task_error(
                                TaskKind::Batch,
                                format!("the batch response has no answer for item '{}' ({})", item.id, item.described),
                                None,
                            );
                            unanswered.push((index, Arc::new(error)));
                        }
                    }
                }
            }
            if !by_id.is_empty() {
                tracing::debug!(target: TARGET, unexpected = by_id.len(), "batch response answers ids that were not sent; ignored");
            }

            // Throttled items, and items that failed only because something they depend on was
            // throttled, are worth another batch.
            let mut again: Vec<usize> = Vec::new();
            for &index in &pending {
                let Some(answer) = &answers[index] else { continue };
                let depends_on_retried =
                    || self.items[index].depends_on.iter().any(|d| again.iter().any(|&i| self.items[i].id == *d));
                if is_retryable(answer.status)
                    || (answer.status == StatusCode::FAILED_DEPENDENCY && depends_on_retried())
                {
                    again.push(index);
                }
            }
            if again.is_empty() {
                return Ok(());
            }
            retry += 1;
            if retry > max_retries {
                return Ok(());
            }
            let server_delay =
                again.iter().filter_map(|&i| answers[i].as_ref().and_then(|a| retry_after(&a.headers))).max();
            let delay = server_delay.unwrap_or_else(|| backoff(defaults.retry.backoff_base, retry));
            if waited.saturating_add(delay) > max_total_delay {
                return Ok(());
            }
            tracing::debug!(target: TARGET, items = again.len(), delay_ms = delay.as_millis() as u64, retry, "re-sending throttled batch items");
            tokio::time::sleep(delay).await;
            waited += delay;
            pending = again;
        }
    }

    /// Items grouped into batches of at most 20, each item with everything it depends on,
    /// items in the order they were added.
    fn groups(&self) -> Result<Vec<Vec<usize>>, Error> {
        // Connected components of the dependsOn graph (dependencies always come first).
        let mut component: Vec<usize> = (0..self.items.len()).collect();
        fn root(component: &mut [usize], mut index: usize) -> usize {
            while component[index] != index {
                component[index] = component[component[index]];
                index = component[index];
            }
            index
        }
        for (index, item) in self.items.iter().enumerate() {
            for dependency in &item.depends_on {
                if let Some(other) = self.items.iter().position(|i| i.id == *dependency) {
                    let (a, b) = (root(&mut component, index), root(&mut component, other));
                    component[a.max(b)] = a.min(b);
                }
            }
        }
        let mut members: Vec<(usize, Vec<usize>)> = Vec::new();
        for index in 0..self.items.len() {
            let root = root(&mut component, index);
            match members.iter_mut().find(|(r, _)| *r == root) {
                Some((_, list)) => list.push(index),
                None => members.push((root, vec![index])),
            }
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (_, list) in members {
            if list.len() > MAX_BATCH_SIZE {
                let first = &self.items[list[0]].id;
                return Err(Error::invalid_argument(
                    "dependsOn",
                    format!(
                        "{} batch items are linked by dependsOn (starting with '{first}'); Graph runs dependencies only within one batch of at most {MAX_BATCH_SIZE}",
                        list.len()
                    ),
                ));
            }
            match groups.last_mut() {
                Some(group) if group.len() + list.len() <= MAX_BATCH_SIZE => group.extend(list),
                _ => groups.push(list),
            }
        }
        for group in &mut groups {
            group.sort_unstable();
        }
        Ok(groups)
    }

    /// The `POST /$batch` call for `items`: the real body, and a preview with every item
    /// redacted like a single call's what-if.
    fn batch_call(&self, client: &Client, items: &[&Item]) -> Result<Call, Error> {
        let mut real = Vec::with_capacity(256);
        let mut shown = Vec::with_capacity(256);
        real.extend_from_slice(br#"{"requests":["#);
        shown.extend_from_slice(br#"{"requests":["#);
        for (position, item) in items.iter().enumerate() {
            if position > 0 {
                real.push(b',');
                shown.push(b',');
            }
            let url = relative_url(client, item)?;
            write_item(&mut real, item, &url, false);
            write_item(&mut shown, item, &url, true);
        }
        real.extend_from_slice(b"]}");
        shown.extend_from_slice(b"]}");
        let mut call = Call::new(&BATCH);
        call.options = self.options.clone();
        // Whatever the preview had to hide (an item's secrets or sensitive headers) must not
        // follow a redirect to another origin either.
        let holds_secrets = real != shown;
        call.body = Some(Body {
            content_type: HeaderValue::from_static("application/json"),
            bytes: real.into(),
            preview: Preview::Redacted(shown.into()),
            holds_secrets,
        });
        Ok(call)
    }
}

/// The item's URL relative to the service root.
fn relative_url(client: &Client, item: &Item) -> Result<String, Error> {
    match &item.target {
        Target::Relative(url) => Ok(url.clone()),
        Target::Absolute(link) => link
            .strip_prefix(client.base_url())
            .filter(|rest| rest.starts_with('/'))
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::invalid_argument(
                    "@odata.nextLink",
                    format!("batch item '{}': its link is not under the client's base URL; it is not sent", item.id),
                )
            }),
    }
}

fn item_from_call(id: String, mut call: Call, depends_on: &[&str]) -> Result<Item, Error> {
    if let Some(error) = call.take_error() {
        return Err(error);
    }
    call.options.check()?;
    let options = &call.options;
    if !options.prepend.is_empty() || !options.append.is_empty() {
        return Err(Error::invalid_argument(
            "batch",
            format!(
                "batch item '{id}' has pipeline steps of its own; a batch item is not a call of its own, add them to the batch"
            ),
        ));
    }
    if options.get_timeout().is_some() || options.get_max_retries().is_some() || options.get_max_retry_delay().is_some()
    {
        return Err(Error::invalid_argument(
            "batch",
            format!("batch item '{id}' has its own timeout or retry settings; set them on the batch (options_mut)"),
        ));
    }
    let operation = call.operation();
    let target = match call.next_link.take() {
        Some(link) => Target::Absolute(link),
        None => {
            let mut url = String::with_capacity(operation.path_template.len() + 32);
            path::expand_into(&mut url, operation.path_template, &call.path_params)?;
            for (index, (name, value)) in call.query.iter().enumerate() {
                url.push(if index == 0 { '?' } else { '&' });
                url.push_str(name);
                url.push('=');
                url.push_str(value);
            }
            Target::Relative(url)
        }
    };
    let mut headers = HeaderMap::new();
    let body = call.body.take();
    if let Some(body) = &body {
        headers.insert(CONTENT_TYPE, body.content_type.clone());
    }
    for source in [&call.headers, call.options.get_headers()] {
        let mut last: Option<&HeaderName> = None;
        for (name, value) in source {
            if last == Some(name) {
                headers.append(name.clone(), value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
            }
            last = Some(name);
        }
    }
    Ok(Item {
        id,
        method: operation.method,
        target,
        headers,
        body,
        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
        described: format!("{} {}", operation.method, operation.path_template),
        permissions: operation.permissions,
    })
}

fn is_json(content_type: &HeaderValue) -> bool {
    let essence = content_type.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

fn push_json_string(out: &mut Vec<u8>, text: &str) {
    // Serializing a `str` cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// Writes one item of the `requests` array; `shown` redacts it like a what-if.
fn write_item(out: &mut Vec<u8>, item: &Item, url: &str, shown: bool) {
    out.extend_from_slice(br#"{"id":"#);
    push_json_string(out, &item.id);
    out.extend_from_slice(br#","method":"#);
    push_json_string(out, item.method.as_str());
    out.extend_from_slice(br#","url":"#);
    push_json_string(out, url);
    if !item.headers.is_empty() {
        out.extend_from_slice(br#","headers":{"#);
        // Repeated headers are joined with ", ", as HTTP allows for list-valued headers.
        let mut first = true;
        for name in item.headers.keys() {
            if !first {
                out.push(b',');
            }
            first = false;
            push_json_string(out, name.as_str());
            out.push(b':');
            let values: Vec<&HeaderValue> = item.headers.get_all(name).iter().collect();
            let hidden = values.iter().any(|v| is_sensitive_header(name, v));
            if shown && hidden {
                push_json_string(out, REDACTED);
            } else {
                let joined: Vec<String> =
                    values.iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
                push_json_string(out, &joined.join(", "));
            }
        }
        out.push(b'}');
    }
    if let Some(body) = &item.body {
        out.extend_from_slice(br#","body":"#);
        write_body(out, body, shown);
    }
    if !item.depends_on.is_empty() {
        out.extend_from_slice(br#","dependsOn":["#);
        for (position, dependency) in item.depends_on.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            push_json_string(out, dependency);
        }
        out.push(b']');
    }
    out.push(b'}');
}

fn write_body(out: &mut Vec<u8>, body: &Body, shown: bool) {
    let summary =
        || format!("<{} bytes of {}>", body.bytes.len(), String::from_utf8_lossy(body.content_type.as_bytes()));
    let valid_json = || serde_json::from_slice::<serde::de::IgnoredAny>(&body.bytes).is_ok();
    match (&body.preview, shown) {
        // JSON we serialized: embedded as it is, or as its redacted rendering.
        (Preview::Body, _) | (Preview::Secrets(_) | Preview::Redacted(_), false) => out.extend_from_slice(&body.bytes),
        (Preview::Redacted(redacted), true) => out.extend_from_slice(redacted),
        (Preview::Secrets(spans), true) => match secret::redact_spans(&body.bytes, spans) {
            Some(redacted) => out.extend_from_slice(&redacted),
            None => push_json_string(out, &summary()),
        },
        (Preview::Opaque, true) => push_json_string(out, &summary()),
        // Raw bodies: JSON as it is, anything else base64-encoded as Graph expects.
        (Preview::Opaque, false) if is_json(&body.content_type) && valid_json() => out.extend_from_slice(&body.bytes),
        (Preview::Opaque, false) => {
            push_json_string(out, &base64::engine::general_purpose::STANDARD.encode(&body.bytes))
        }
    }
}

/// `{"responses":[…]}`
#[derive(serde::Deserialize)]
struct WireResponse {
    responses: Vec<WireItem>,
}

#[derive(serde::Deserialize)]
struct WireItem {
    id: serde_json::Value,
    status: serde_json::Value,
    #[serde(default)]
    headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    body: Option<serde_json::Value>,
}

impl WireItem {
    fn id_string(&self) -> String {
        match &self.id {
            serde_json::Value::String(id) => id.clone(),
            other => other.to_string(),
        }
    }
}

/// Graph's answer for one item.
#[derive(Clone)]
pub struct BatchItemResponse {
    id: String,
    request: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// Statuses of every answer for this item when it was sent more than once.
    statuses: Vec<StatusCode>,
    permissions: Option<&'static crate::Permissions>,
}

impl BatchItemResponse {
    fn from_wire(item: &Item, wire: WireItem, earlier: Option<BatchItemResponse>) -> Result<Self, Error> {
        let malformed = |why: String| {
            task_error(TaskKind::Batch, format!("the answer for item '{}' ({}) {why}", item.id, item.described), None)
        };
        let status = wire
            .status
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| malformed("has no valid status".to_owned()))?;
        let mut headers = HeaderMap::new();
        for (name, value) in wire.headers.unwrap_or_default() {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            let parsed = HeaderName::from_bytes(name.as_bytes()).ok().zip(HeaderValue::from_str(&text).ok());
            let Some((name, mut value)) = parsed else {
                return Err(malformed(format!("has an invalid header '{}'", name.escape_debug())));
            };
            if is_sensitive_header(&name, &value) {
                value.set_sensitive(true);
            }
            headers.append(name, value);
        }
        let body = match wire.body {
            None | Some(serde_json::Value::Null) => Bytes::new(),
            // Graph base64-encodes bodies that are not JSON.
            Some(serde_json::Value::String(text)) if !headers.get(CONTENT_TYPE).is_some_and(is_json) => {
                match base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
                    Ok(bytes) if headers.contains_key(CONTENT_TYPE) => bytes.into(),
                    // Without a content type, or not base64 at all: the text is the body.
                    _ => Bytes::from(text.into_bytes()),
                }
            }
            Some(value) => serde_json::to_vec(&value).unwrap_or_default().into(),
        };
        let mut statuses =
            earlier.map(|e| if e.statuses.is_empty() { vec![e.status] } else { e.statuses }).unwrap_or_default();
        if !statuses.is_empty() {
            statuses.push(status);
        }
        Ok(BatchItemResponse {
            id: item.id.clone(),
            request: item.described.clone(),
            status,
            headers,
            body,
            statuses,
            permissions: item.permissions,
        })
    }

    /// The item's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What was sent: `METHOD /path/template` (or the raw URL's path).
    pub fn request(&self) -> &str {
        &self.request
    }

    /// The item's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// True for a 2XX status.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The item's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The item's body: JSON as Graph sent it, or the decoded bytes of a base64 body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The status of every answer when the item was re-sent after throttling, in order;
    /// empty when it was answered once.
    pub fn attempt_statuses(&self) -> &[StatusCode] {
        &self.statuses
    }

    /// The answer as a single call's: `Ok` for 2XX, else [`Error::Service`] with the item's
    /// status, headers and body, its operation named `batch item '<id>': METHOD /path`.
    pub fn to_result(&self) -> Result<Response<Bytes>, Error> {
        if self.is_success() {
            return Ok(Response::new(self.status, self.headers.clone(), self.body.clone()));
        }
        Err(Error::Service(Box::new(
            ServiceError::from_response(
                format!("batch item '{}': {}", self.id, self.request),
                self.status,
                self.headers.clone(),
                &self.body,
                self.body.len(),
                self.statuses.clone(),
            )
            // The batch's token is not seen here, only what the item's operation accepts.
            .with_permissions(self.permissions, None),
        )))
    }

    /// Decodes a successful answer as `T` (see [`BatchItemResponse::to_result`]).
    pub fn json<T: DeserializeOwned>(&self) -> Result<Response<T>, Error> {
        self.to_result()?.json()
    }
}

impl fmt::Debug for BatchItemResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchItemResponse")
            .field("id", &self.id)
            .field("request", &self.request)
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .field("attempt_statuses", &self.statuses)
            .finish()
    }
}

/// An item that got no answer: its batch failed as a whole after something else had been
/// answered, or Graph's response left it out.
#[derive(Clone, Debug)]
pub struct Unanswered {
    id: String,
    request: String,
    error: Arc<Error>,
}

impl Unanswered {
    /// The item's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What was sent: `METHOD /path/template`.
    pub fn request(&self) -> &str {
        &self.request
    }

    /// Why there is no answer (shared by the items of one failed batch).
    pub fn error(&self) -> &Error {
        &self.error
    }
}

/// The answers of a [`BatchRequest`], by id, in the order the items were added.
#[derive(Clone, Debug)]
pub struct BatchResponse {
    items: Vec<BatchItemResponse>,
    unanswered: Vec<Unanswered>,
    batches_sent: usize,
}

impl BatchResponse {
    /// The answer for `id`, if it got one.
    pub fn get(&self, id: &str) -> Option<&BatchItemResponse> {
        self.items.iter().find(|item| item.id == id)
    }

    /// Every answer, in the order the items were added.
    pub fn items(&self) -> &[BatchItemResponse] {
        &self.items
    }

    /// Items without an answer.
    pub fn unanswered(&self) -> &[Unanswered] {
        &self.unanswered
    }

    /// True when every item was answered with a 2XX status.
    pub fn all_succeeded(&self) -> bool {
        self.unanswered.is_empty() && self.items.iter().all(BatchItemResponse::is_success)
    }

    /// Ids of the items that were answered with a non-2XX status or not answered.
    pub fn failed_ids(&self) -> Vec<&str> {
        let failed = self.items.iter().filter(|item| !item.is_success()).map(|item| item.id.as_str());
        failed.chain(self.unanswered.iter().map(|u| u.id.as_str())).collect()
    }

    /// How many `POST /$batch` requests were made (batches of 20, and re-sent throttled items).
    pub fn batches_sent(&self) -> usize {
        self.batches_sent
    }

    /// Item `id` decoded as `T`: [`Error::Service`] when Graph answered it with a non-2XX
    /// status, [`Error::Decode`] when the body is not a `T`, [`Error::Task`] when it got no
    /// answer (with the reason as its cause) or is not in the batch.
    pub fn json<T: DeserializeOwned>(&self, id: &str) -> Result<Response<T>, Error> {
        self.result(id)?.json()
    }

    /// Item `id` as a single call's result (see [`BatchResponse::json`]).
    pub fn result(&self, id: &str) -> Result<Response<Bytes>, Error> {
        if let Some(item) = self.get(id) {
            return item.to_result();
        }
        match self.unanswered.iter().find(|u| u.id == id) {
            Some(missing) => Err(task_error(
                TaskKind::Batch,
                format!("item '{id}' ({}) got no answer: {}", missing.request, missing.error),
                None,
            )),
            None => Err(task_error(TaskKind::Batch, format!("the batch has no item '{id}'"), None)),
        }
    }
}

impl fmt::Debug for BatchRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for item in &self.items {
            list.entry(&format_args!(
                "{} {} (headers {:?}, body {}, dependsOn {:?})",
                item.id,
                item.described,
                RedactedHeaders(&item.headers),
                item.body.as_ref().map_or_else(|| "none".to_owned(), |b| format!("{} bytes", b.bytes.len())),
                item.depends_on
            ));
        }
        list.finish()
    }
}
