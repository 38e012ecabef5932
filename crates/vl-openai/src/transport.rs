//! The shared HTTP layer: authentication headers, retries with backoff before the first byte,
//! timeouts and capped body reads.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use tokio::time::Instant;

use crate::config::{AuthStyle, ClientConfig, is_azure_host};
use crate::error::{Error, error_message_from_body, excerpt};

/// A configured HTTP client for one service.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    headers: HeaderMap,
    pub(crate) cfg: ClientConfig,
}

/// Describes a reqwest error with its causes, without the URL, in one short line.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        String::new()
    };
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    if msg.is_empty() && src.is_none() {
        msg = e.to_string();
    }
    while let Some(s) = src {
        let t = s.to_string();
        if !msg.contains(&t) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&t);
        }
        src = s.source();
    }
    excerpt(&msg)
}

/// Installs rustls' `ring` crypto provider as the process default, once (reqwest is built
/// without one; a provider another library installed first is kept).
pub fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An error only means a provider is already installed for the process, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A `reqwest` client builder that can make TLS connections: the TLS provider is installed
/// first ([`install_tls_provider`]). Every HTTP client of the project (the chat, transcription
/// and speech clients, the server, tests) should start here instead of installing a provider
/// itself.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
}

/// A default `reqwest` client from [`http_client_builder`].
///
/// # Errors
/// [`Error::Request`] when the client cannot be built (no usable TLS configuration).
pub fn http_client() -> Result<reqwest::Client, Error> {
    http_client_builder()
        .build()
        .map_err(|e| Error::Request(describe(&e)))
}

impl Transport {
    /// Builds the client; the API key goes into the configured header.
    pub(crate) fn new(cfg: ClientConfig, url: &Url) -> Result<Self, Error> {
        let http = http_client_builder()
            .connect_timeout(cfg.timeouts.connect)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("vl-openai/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Request(describe(&e)))?;
        let mut headers = HeaderMap::new();
        if let Some(key) = cfg.api_key.as_deref().filter(|k| !k.is_empty()) {
            let azure = url.host_str().is_some_and(is_azure_host);
            let (name, value) = match (cfg.auth, azure) {
                (AuthStyle::ApiKeyHeader, _) | (AuthStyle::Auto, true) => {
                    (HeaderName::from_static("api-key"), key.to_owned())
                }
                (AuthStyle::Bearer, _) | (AuthStyle::Auto, false) => {
                    (reqwest::header::AUTHORIZATION, format!("Bearer {key}"))
                }
            };
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Error::Request("the API key contains characters not allowed in a header".into())
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        for (k, v) in &cfg.extra_headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::Request(format!("invalid header name `{}`", excerpt(k))))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| Error::Request(format!("invalid value for header `{k}`")))?;
            headers.insert(name, value);
        }
        Ok(Self { http, headers, cfg })
    }

    /// POSTs to `url`, with `make` adding the body, retrying connect failures, 429 and 5xx with
    /// backoff. Returns the successful response and when its attempt started.
    pub(crate) async fn post(
        &self,
        url: &Url,
        make: &(dyn Fn(RequestBuilder) -> RequestBuilder + Sync),
    ) -> Result<(Response, Instant), Error> {
        let policy = self.cfg.retry;
        let max = policy.max_attempts.max(1);
        let wait = self.cfg.timeouts.first_token;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let rb = make(self.http.post(url.clone()).headers(self.headers.clone()));
            let result = tokio::time::timeout(wait, rb.send()).await;
            let retry_in = match result {
                Err(_) => return Err(Error::ResponseTimeout(wait)),
                Ok(Err(e)) => {
                    if e.is_builder() {
                        return Err(Error::Request(describe(&e)));
                    }
                    if attempt >= max {
                        return Err(Error::Connect {
                            url: url_for_messages(url),
                            attempts: attempt,
                            reason: describe(&e),
                        });
                    }
                    tracing::debug!(attempt, error = %describe(&e), "request failed; retrying");
                    policy.backoff(attempt)
                }
                Ok(Ok(resp)) => {
                    let status = resp.status();
                    if status.is_success() {
                        return Ok((resp, started));
                    }
                    let transient =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !transient || attempt >= max {
                        let body = read_capped(
                            resp,
                            self.cfg.limits.max_error_body_bytes,
                            self.cfg.timeouts.stall,
                            true,
                        )
                        .await
                        .unwrap_or_default();
                        let message = error_message_from_body(&body);
                        return Err(if status == StatusCode::TOO_MANY_REQUESTS {
                            Error::RateLimited {
                                attempts: attempt,
                                message,
                            }
                        } else {
                            Error::Status {
                                status: status.as_u16(),
                                message,
                            }
                        });
                    }
                    let after = retry_after(resp.headers());
                    tracing::debug!(
                        attempt,
                        status = status.as_u16(),
                        "transient status; retrying"
                    );
                    after
                        .unwrap_or_else(|| policy.backoff(attempt))
                        .min(policy.max_backoff)
                }
            };
            tokio::time::sleep(retry_in).await;
        }
    }
}

/// The URL without query and credentials, for messages.
pub(crate) fn url_for_messages(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?.trim();
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
}

/// Reads a whole body, at most `limit` bytes (an error beyond, or a silent cut when
/// `truncate`), with at most `stall` between reads.
pub(crate) async fn read_capped(
    mut resp: Response,
    limit: usize,
    stall: Duration,
    truncate: bool,
) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    loop {
        let chunk = match tokio::time::timeout(stall, resp.chunk()).await {
            Err(_) => return Err(Error::Stalled(stall)),
            Ok(Err(e)) => return Err(Error::Interrupted(describe(&e))),
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(c))) => c,
        };
        if body.len() + chunk.len() > limit {
            if truncate {
                let room = limit - body.len();
                body.extend_from_slice(chunk.get(..room).unwrap_or_default());
                return Ok(body);
            }
            return Err(Error::TooLarge {
                what: "response",
                limit,
            });
        }
        body.extend_from_slice(&chunk);
    }
}
