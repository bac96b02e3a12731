//! The client: configuration, the per-call pipeline, `execute` and `what_if`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header::AUTHORIZATION, header::CONTENT_TYPE};

use crate::auth::{Authenticate, TokenCache, TokenCredential, default_scope};
use crate::call::{Call, CallOptions, MAX_RETRIES_LIMIT, Preview, parse_header};
use crate::error::{Error, ServiceError};
use crate::logging::TARGET;
use crate::operation::OperationInfo;
use crate::path;
use crate::pipeline::{Builtins, CallSettings, Chain, Core, Next, Request, Step};
use crate::proxy::{HttpRoute, Proxy};
use crate::redact::{RedactedHeaders, shown_value};
use crate::redirect::{BodyHoldsSecrets, FollowRedirects};
use crate::response::{ByteStream, Response};
use crate::retry::{RetryHistory, RetryPolicy};
use crate::secret::{self, REDACTED};
use crate::telemetry;
use crate::transport::{BodyPolicy, PendingStream, Transport, TruncatedBody};
use crate::what_if::WhatIf;

/// The global Microsoft Graph v1.0 endpoint.
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/v1.0";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);
const DEFAULT_MAX_RETRIES: u32 = 3;
const DEFAULT_MAX_RETRY_DELAY: Duration = Duration::from_secs(180);
/// Same first delay as the other Graph SDKs' retry handlers.
const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_secs(3);
const DEFAULT_MAX_REDIRECTS: u32 = 5;
/// Default limit on a buffered 2XX body. Graph's JSON answers are far smaller (a page of 999
/// users with every property is a few MiB), so 64 MiB leaves ample room while keeping a
/// hostile or broken server from exhausting memory (ten concurrent calls hold at most
/// 640 MiB). Downloads of files or reports use `Client::execute_streaming`, which has no limit.
pub(crate) const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

/// Configures a [`Client`]. Setters never fail; problems are reported by
/// [`ClientBuilder::build`].
pub struct ClientBuilder {
    base_url: String,
    credential: Option<Arc<dyn TokenCredential>>,
    scopes: Option<Vec<String>>,
    timeout: Duration,
    default_headers: HeaderMap,
    invalid_header: Option<String>,
    /// How many default headers were set so far, to name an invalid one by position.
    default_headers_set: usize,
    proxies: Vec<Proxy>,
    no_proxy: bool,
    prepend: Vec<Arc<dyn Step>>,
    append: Vec<Arc<dyn Step>>,
    max_retries: u32,
    max_retry_delay: Duration,
    retry_backoff: Duration,
    max_redirects: u32,
    max_response_body: usize,
    root_certificates: Vec<rustls_pki_types::CertificateDer<'static>>,
    invalid_root_certificate: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credential: None,
            scopes: None,
            timeout: DEFAULT_TIMEOUT,
            default_headers: HeaderMap::new(),
            invalid_header: None,
            default_headers_set: 0,
            proxies: Vec::new(),
            no_proxy: false,
            prepend: Vec::new(),
            append: Vec::new(),
            max_retries: DEFAULT_MAX_RETRIES,
            max_retry_delay: DEFAULT_MAX_RETRY_DELAY,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            root_certificates: Vec::new(),
            invalid_root_certificate: None,
        }
    }
}

impl ClientBuilder {
    /// The service root (default `https://graph.microsoft.com/v1.0`). National clouds:
    /// `https://graph.microsoft.us/v1.0` (US Gov L4), `https://dod-graph.microsoft.us/v1.0`
    /// (US Gov L5), `https://microsoftgraph.chinacloudapi.cn/v1.0` (21Vianet). The token scope
    /// follows the URL's origin unless [`ClientBuilder::scopes`] is set.
    pub fn base_url(mut self, base_url: impl AsRef<str>) -> Self {
        self.base_url = base_url.as_ref().trim().to_owned();
        self
    }

    /// Authenticates every request with tokens from `credential`. Without a credential,
    /// requests are sent anonymously.
    pub fn credential(self, credential: impl TokenCredential + 'static) -> Self {
        self.credential_arc(Arc::new(credential))
    }

    /// Like [`ClientBuilder::credential`], for a credential shared with other code.
    pub fn credential_arc(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Overrides the token scopes (default: `<base URL origin>/.default`).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Also trusts the root certificates of this PEM bundle, besides the operating system's
    /// (e.g. a TLS-inspecting corporate proxy's CA). A bundle without a valid certificate makes
    /// [`ClientBuilder::build`] fail with [`Error::Configuration`].
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        match crate::tls::parse_pem(pem.as_ref()) {
            Ok(certificates) => self.root_certificates.extend(certificates),
            Err(message) => {
                self.invalid_root_certificate.get_or_insert(message);
            }
        }
        self
    }

    /// Timeout of each call, retries and their delays included (default 100 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A header sent with every request (calls can override it).
    pub fn default_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.default_headers_set += 1;
        match parse_header(name.as_ref(), value.as_ref(), self.default_headers_set, "client") {
            Ok((name, value)) => {
                self.default_headers.insert(name, value);
            }
            Err(error) => {
                if self.invalid_header.is_none() {
                    self.invalid_header = Some(error.to_string());
                }
            }
        }
        self
    }

    /// Sends requests through `proxy` instead of the environment's proxy. May be called
    /// several times (e.g. one proxy for http, another for https).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Uses no proxy at all, ignoring the environment (`HTTP_PROXY`, `HTTPS_PROXY`, …).
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Adds a step that runs once per call before everything else (outermost). Client steps
    /// run before call steps.
    pub fn prepend(mut self, step: impl Step) -> Self {
        self.prepend.push(Arc::new(step));
        self
    }

    /// Adds a step that runs for every attempt, after the call's append steps, just before
    /// redirects and the transport (innermost).
    pub fn append(mut self, step: impl Step) -> Self {
        self.append.push(Arc::new(step));
        self
    }

    /// Maximum number of retries for 429/503/504 and connection failures (default 3, at
    /// most 10).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries.min(MAX_RETRIES_LIMIT);
        self
    }

    /// Cap on the total time spent waiting between retries of one call (default 180 s). A
    /// retry whose delay would exceed it is not attempted.
    pub fn max_retry_delay(mut self, max_retry_delay: Duration) -> Self {
        self.max_retry_delay = max_retry_delay;
        self
    }

    /// First backoff delay when the service gives no `Retry-After` (default 3 s, doubled on
    /// each retry, ±20 % jitter). Mostly useful to make tests fast.
    pub fn retry_backoff(mut self, base: Duration) -> Self {
        self.retry_backoff = base;
        self
    }

    /// Maximum number of redirects followed per attempt (default 5).
    pub fn max_redirects(mut self, max_redirects: u32) -> Self {
        self.max_redirects = max_redirects;
        self
    }

    /// Longest 2XX response body read into memory, in bytes (default 64 MiB; calls can
    /// override it). A longer body is refused with [`Error::ResponseTooLarge`] as soon as it
    /// passes the limit, without reading the rest. Error bodies are read only up to the 64 KiB
    /// a [`ServiceError`] keeps. [`Client::execute_streaming`] reads bodies of any size.
    pub fn max_response_body(mut self, max_bytes: usize) -> Self {
        self.max_response_body = max_bytes;
        self
    }

    /// Validates the configuration and creates the client.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(message) = self.invalid_header.or(self.invalid_root_certificate) {
            return Err(Error::Configuration(message));
        }
        let base_url = validate_base_url(&self.base_url)?;
        let scopes = match self.scopes {
            Some(scopes) => scopes,
            None => vec![
                default_scope(&base_url)
                    .ok_or_else(|| Error::Configuration("cannot derive a token scope from the base URL".to_owned()))?,
            ],
        };
        let tls = crate::tls::client_config(self.root_certificates)?;
        let mut http =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).tls_backend_preconfigured(tls);
        if self.no_proxy {
            http = http.no_proxy();
        }
        for proxy in &self.proxies {
            http = http.proxy(proxy.to_reqwest()?);
        }
        let http = http.build().map_err(|e| Error::Configuration(format!("cannot create the HTTP client: {e}")))?;
        let auth = self
            .credential
            .as_ref()
            .map(|credential| Authenticate { cache: TokenCache::new(credential.clone(), scopes.clone()) });
        let route = HttpRoute::new(&self.proxies, self.no_proxy);
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                scopes,
                has_credential: self.credential.is_some(),
                default_headers: self.default_headers,
                timeout: self.timeout,
                max_retries: self.max_retries,
                max_retry_delay: self.max_retry_delay,
                retry_backoff: self.retry_backoff,
                max_redirects: self.max_redirects,
                max_response_body: self.max_response_body,
                proxies: self.proxies,
                no_proxy: self.no_proxy,
                prepend: self.prepend,
                append: self.append,
                builtins: Arc::new(Builtins {
                    auth,
                    route,
                    redirect: FollowRedirects { max: self.max_redirects },
                    transport: Transport { client: http },
                }),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential.as_ref().map(|_| "<configured>"))
            .field("timeout", &self.timeout)
            .field("default_headers", &RedactedHeaders(&self.default_headers))
            .field("proxies", &self.proxies)
            .field("no_proxy", &self.no_proxy)
            .finish_non_exhaustive()
    }
}

/// The base URL without a trailing slash, so templates (which start with `/`) append cleanly.
fn validate_base_url(raw: &str) -> Result<String, Error> {
    let url = url::Url::parse(raw).map_err(|e| Error::Configuration(format!("invalid base URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Configuration(format!("the base URL must be http or https, not '{}'", url.scheme())));
    }
    if url.host_str().is_none() {
        return Err(Error::Configuration("the base URL has no host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Configuration("the base URL must not contain credentials".to_owned()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Configuration("the base URL must not have a query or fragment".to_owned()));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

struct Inner {
    base_url: String,
    scopes: Vec<String>,
    has_credential: bool,
    default_headers: HeaderMap,
    timeout: Duration,
    max_retries: u32,
    max_retry_delay: Duration,
    retry_backoff: Duration,
    max_redirects: u32,
    max_response_body: usize,
    proxies: Vec<Proxy>,
    no_proxy: bool,
    prepend: Vec<Arc<dyn Step>>,
    append: Vec<Arc<dyn Step>>,
    /// Telemetry, timeout, retry, authentication, redirects and transport.
    builtins: Arc<Builtins>,
}

/// A Microsoft Graph client. Cheap to clone (an `Arc` inside); share one per process so that
/// connections and the token cache are reused.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// A call ready for the pipeline.
struct Started {
    operation: &'static OperationInfo,
    request: Request,
    url: Option<url::Url>,
    settings: CallSettings,
    chain: Option<Arc<Chain>>,
}

/// A call turned into an HTTP request, ready for the pipeline or a preview.
struct Prepared {
    operation: &'static OperationInfo,
    request: Request,
    /// The request's URL parsed for reqwest, when asked for.
    url: Option<url::Url>,
    preview: Option<(Preview, HeaderValue)>,
    options: CallOptions,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The service root, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The scopes tokens are requested for.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Sends `call` through the pipeline. Any 2XX answer is `Ok` (body unread); any other
    /// status is [`Error::Service`]. Invalid arguments recorded by the call are returned
    /// before anything is sent.
    ///
    /// Must run inside a Tokio runtime with IO and time enabled (as `#[tokio::main]` sets up),
    /// like everything built on reqwest.
    pub async fn execute(&self, call: Call) -> Result<Response<Bytes>, Error> {
        let (parts, body) = self.send(call, false).await?;
        Ok(Response::new(parts.status, parts.headers, body))
    }

    /// Like [`Client::execute`], but a 2XX body is not read into memory: it is returned as a
    /// [`ByteStream`] of chunks as they arrive, without the
    /// [`max_response_body`](ClientBuilder::max_response_body) limit, for downloads of any
    /// size. The call's timeout covers everything up to the response head (retries and
    /// redirects included); reading the stream has no deadline, so bound it yourself if the
    /// server may stall (e.g. with `tokio::time::timeout` around each chunk). Non-2XX answers
    /// are [`Error::Service`] as with `execute`.
    ///
    /// Custom steps see the 2XX responses of such calls with an empty body; when a step
    /// answers on its own, its body becomes a one-chunk stream.
    pub async fn execute_streaming(&self, call: Call) -> Result<Response<ByteStream>, Error> {
        let (mut parts, body) = self.send(call, true).await?;
        let stream = match parts.extensions.remove::<PendingStream>().and_then(|pending| pending.take()) {
            Some(stream) => stream,
            None => ByteStream::from_chunks(Some(body).filter(|body| !body.is_empty())),
        };
        Ok(Response::new(parts.status, parts.headers, stream))
    }

    /// Runs `call` through the pipeline: the head and body of a 2XX answer, or the error.
    async fn send(&self, call: Call, stream: bool) -> Result<(http::response::Parts, Bytes), Error> {
        let started = tracing::enabled!(target: TARGET, tracing::Level::DEBUG).then(Instant::now);
        let Started { operation, request, url, settings, chain } = self.start(call, stream)?;
        let result = match chain {
            Some(chain) => Next::at(chain, 0).run(request).await,
            None => self.inner.builtins.run(settings, None, request, url).await,
        };
        let elapsed_ms = started.map_or(0, |started| started.elapsed().as_millis() as u64);
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(target: TARGET, operation = operation.operation_id, elapsed_ms, error = %error, "call failed");
                return Err(error);
            }
        };
        let (mut parts, body) = response.into_parts();
        tracing::debug!(target: TARGET, operation = operation.operation_id, status = parts.status.as_u16(), elapsed_ms, "call completed");
        if parts.status.is_success() {
            return Ok((parts, body));
        }
        let attempts = parts.extensions.remove::<RetryHistory>().map(|h| h.0).unwrap_or_default();
        let body_len = parts.extensions.remove::<TruncatedBody>().map_or(body.len(), |truncated| truncated.full_len);
        let grants = parts.extensions.remove::<crate::TokenGrants>();
        let error =
            ServiceError::from_response(operation.signature(), parts.status, parts.headers, &body, body_len, attempts);
        Err(Error::Service(Box::new(error.with_permissions(operation.permissions, grants))))
    }

    /// Turns `call` into its request, settings and custom steps.
    fn start(&self, call: Call, stream: bool) -> Result<Started, Error> {
        let custom_steps = self.has_custom_steps(&call.options);
        // Without custom steps nothing can change the URL before the transport, which can then
        // use the one parsed here instead of parsing the request's URI again.
        let Prepared { operation, request, url, options, .. } = self.prepare(call, !custom_steps)?;
        let settings = self.settings(&options, stream);
        let chain = custom_steps.then(|| self.chain(options, settings));
        Ok(Started { operation, request, url, settings, chain })
    }

    /// Describes the request `call` would send, sending nothing and fetching no token
    /// (`-WhatIf`). Custom steps are not run, since they could have side effects.
    pub fn what_if(&self, call: Call) -> Result<WhatIf, Error> {
        let prepared = self.prepare(call, false)?;
        let mut headers = prepared.request.headers().clone();
        telemetry::apply(&mut headers);
        let mut shown = Vec::new();
        if headers.contains_key(AUTHORIZATION) {
            shown.push((AUTHORIZATION.as_str().to_owned(), REDACTED.to_owned()));
        } else if self.inner.has_credential {
            shown.push((AUTHORIZATION.as_str().to_owned(), format!("Bearer {REDACTED}")));
        }
        if let Some(value) = headers.get(CONTENT_TYPE) {
            shown.push((CONTENT_TYPE.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()));
        }
        for (name, value) in &headers {
            if name == AUTHORIZATION || name == CONTENT_TYPE {
                continue;
            }
            shown.push((name.as_str().to_owned(), shown_value(name, value)));
        }
        let body = prepared.preview.map(|(preview, content_type)| {
            let bytes = prepared.request.body();
            let redacted;
            let json: Option<&[u8]> = match &preview {
                Preview::Body => Some(bytes),
                Preview::Redacted(redacted) => Some(redacted),
                Preview::Secrets(secrets) => {
                    redacted = secret::redact_spans(bytes, secrets);
                    redacted.as_deref()
                }
                Preview::Opaque => None,
            };
            json.and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| {
                    format!("<{} bytes of {}>", bytes.len(), String::from_utf8_lossy(content_type.as_bytes()))
                })
        });
        Ok(WhatIf {
            description: prepared.operation.description(),
            method: prepared.operation.method,
            url: prepared.request.uri().to_string(),
            headers: shown,
            body,
        })
    }

    fn prepare(&self, mut call: Call, parse_url: bool) -> Result<Prepared, Error> {
        if let Some(error) = call.take_error() {
            return Err(error);
        }
        call.options.check()?;
        let operation = call.operation();
        let url = match call.next_link.take() {
            Some(link) => self.check_next_link(operation, link)?,
            None => {
                let mut url = String::with_capacity(self.inner.base_url.len() + operation.path_template.len() + 64);
                url.push_str(&self.inner.base_url);
                path::expand_into(&mut url, operation.path_template, &call.path_params)?;
                for (index, (name, value)) in call.query.iter().enumerate() {
                    url.push(if index == 0 { '?' } else { '&' });
                    url.push_str(name);
                    url.push('=');
                    url.push_str(value);
                }
                url
            }
        };
        let parsed = if parse_url { url::Url::parse(&url).ok() } else { None };
        let uri = http::Uri::from_maybe_shared(Bytes::from(url)).map_err(|_| Error::InvalidArgument {
            parameter: None,
            message: format!("the request URL for {} is invalid", operation.operation_id),
        })?;

        // Precedence, lowest first: client defaults, body type, operation headers, per-call
        // headers — the most specific setting wins.
        let mut headers = self.inner.default_headers.clone();
        let mut body = Bytes::new();
        let mut preview = None;
        let mut holds_secrets = false;
        if let Some(call_body) = call.body.take() {
            holds_secrets = call_body.holds_secrets;
            headers.insert(CONTENT_TYPE, call_body.content_type.clone());
            body = call_body.bytes;
            preview = Some((call_body.preview, call_body.content_type));
        }
        overlay(&mut headers, &call.headers);
        overlay(&mut headers, call.options.get_headers());

        let mut request = http::Request::new(body);
        *request.method_mut() = operation.method.to_http();
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        if holds_secrets {
            request.extensions_mut().insert(BodyHoldsSecrets);
        }
        Ok(Prepared { operation, request, url: parsed, preview, options: call.options })
    }

    /// A next-page link is sent only to the origin of the base URL: the service writes it, but
    /// a tampered or misconfigured link must not carry the bearer token elsewhere.
    fn check_next_link(&self, operation: &OperationInfo, link: String) -> Result<String, Error> {
        let refuse = |why: &str| Error::InvalidArgument {
            parameter: Some("@odata.nextLink".to_owned()),
            message: format!("the next-page link of {} {why}; it is not followed", operation.operation_id),
        };
        let link_url = url::Url::parse(&link).map_err(|_| refuse("is not an absolute URL"))?;
        let base =
            url::Url::parse(&self.inner.base_url).map_err(|_| refuse("cannot be checked against the base URL"))?;
        let same_origin = link_url.scheme() == base.scheme()
            && link_url.host_str() == base.host_str()
            && link_url.port_or_known_default() == base.port_or_known_default();
        if !same_origin {
            return Err(refuse("points to another host than the base URL"));
        }
        Ok(link)
    }

    /// Whether the client or `options` add steps to the pipeline.
    fn has_custom_steps(&self, options: &CallOptions) -> bool {
        let inner = &*self.inner;
        !(inner.prepend.is_empty()
            && options.prepend.is_empty()
            && options.append.is_empty()
            && inner.append.is_empty())
    }

    /// The client's settings, overridden by the call's options.
    fn settings(&self, options: &CallOptions, stream: bool) -> CallSettings {
        let inner = &*self.inner;
        CallSettings {
            body: BodyPolicy { limit: options.get_max_response_body().unwrap_or(inner.max_response_body), stream },
            timeout: options.get_timeout().unwrap_or(inner.timeout),
            retry: RetryPolicy {
                max_retries: options.get_max_retries().unwrap_or(inner.max_retries).min(MAX_RETRIES_LIMIT),
                max_total_delay: options.get_max_retry_delay().unwrap_or(inner.max_retry_delay),
                backoff_base: inner.retry_backoff,
            },
        }
    }

    /// The custom steps of one call around the built-in ones, outermost first (see the crate
    /// documentation).
    fn chain(&self, options: CallOptions, settings: CallSettings) -> Arc<Chain> {
        let inner = &*self.inner;
        let mut steps: Vec<Arc<dyn Step>> =
            Vec::with_capacity(inner.prepend.len() + options.prepend.len() + options.append.len() + inner.append.len());
        steps.extend(inner.prepend.iter().cloned());
        steps.extend(options.prepend);
        let prepend = steps.len();
        steps.extend(options.append);
        steps.extend(inner.append.iter().cloned());
        Arc::new(Chain { steps, prepend, core: Core { builtins: inner.builtins.clone(), settings } })
    }
}

/// Copies every header of `from` into `to`, replacing same-named ones.
fn overlay(to: &mut HeaderMap, from: &HeaderMap) {
    let mut last: Option<&HeaderName> = None;
    for (name, value) in from {
        // The first value of a name replaces; further values of the same name are appended.
        if last == Some(name) {
            to.append(name.clone(), value.clone());
        } else {
            to.insert(name.clone(), value.clone());
        }
        last = Some(name);
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("scopes", &inner.scopes)
            .field("credential", &inner.has_credential.then_some("<configured>"))
            .field("default_headers", &RedactedHeaders(&inner.default_headers))
            .field("timeout", &inner.timeout)
            .field("max_retries", &inner.max_retries)
            .field("max_retry_delay", &inner.max_retry_delay)
            .field("retry_backoff", &inner.retry_backoff)
            .field("max_redirects", &inner.max_redirects)
            .field("max_response_body", &inner.max_response_body)
            .field("proxies", &inner.proxies)
            .field("system_proxy", &(!inner.no_proxy && inner.proxies.is_empty()))
            .field("prepend_steps", &inner.prepend.len())
            .field("append_steps", &inner.append.len())
            .finish()
    }
}

/// For the multi-request tasks ([`crate::tasks`]), which send some requests outside the
/// pipeline: upload slices and pre-authenticated monitor URLs must never carry the bearer token.
impl Client {
    /// The client's transport (proxies as configured, redirects disabled) and its default
    /// per-call settings (timeout, retry policy).
    pub(crate) fn for_tasks(&self) -> (&Transport, CallSettings) {
        (&self.inner.builtins.transport, self.settings(&CallOptions::default(), false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_validation() {
        assert_eq!(validate_base_url("https://graph.microsoft.com/v1.0/").unwrap(), "https://graph.microsoft.com/v1.0");
        assert_eq!(validate_base_url("https://graph.microsoft.us").unwrap(), "https://graph.microsoft.us");
        for bad in ["", "graph.microsoft.com", "ftp://x/", "https://u:p@graph.microsoft.com/", "https://x/?a=1"] {
            let error = validate_base_url(bad).unwrap_err().to_string();
            assert!(!error.contains(":p@"), "{error}");
        }
    }

    #[test]
    fn builder_reports_bad_default_headers_without_values() {
        let error = Client::builder().default_header("x-api-key", "bad\nvalue-123").build().unwrap_err();
        let text = error.to_string();
        assert!(text.contains("x-api-key") && !text.contains("value-123"), "{text}");
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
    }

    #[test]
    fn overlay_replaces_then_appends() {
        let mut to = HeaderMap::new();
        to.insert("a", "1".parse().unwrap());
        let mut from = HeaderMap::new();
        from.append("a", "2".parse().unwrap());
        from.append("a", "3".parse().unwrap());
        overlay(&mut to, &from);
        let values: Vec<_> = to.get_all("a").iter().collect();
        assert_eq!(values, ["2", "3"]);
    }
}
