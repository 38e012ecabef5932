//! Endpoint, authentication, timeout, retry and size-limit settings, and URL resolution.

use std::time::Duration;

use reqwest::Url;

use crate::error::Error;

/// How the API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthStyle {
    /// `api-key` for Azure hosts (`*.openai.azure.com`, `*.cognitiveservices.azure.com`,
    /// `*.services.ai.azure.com`), else `Authorization: Bearer`.
    #[default]
    Auto,
    /// `Authorization: Bearer <key>` (OpenAI, vLLM, llama-server, LM Studio, Ollama).
    Bearer,
    /// `api-key: <key>` (Azure OpenAI).
    ApiKeyHeader,
}

/// Which JSON field carries the output token cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxTokensField {
    /// `max_tokens` (understood by every OpenAI-compatible server; deprecated by OpenAI).
    #[default]
    MaxTokens,
    /// `max_completion_tokens` (OpenAI's current name; required by its reasoning models).
    MaxCompletionTokens,
    /// Both fields with the same value.
    Both,
}

/// Timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect, per attempt (default 5 s).
    pub connect: Duration,
    /// From sending the request to the first generated output (response headers included);
    /// keep-alive comments do not count (default 60 s).
    pub first_token: Duration,
    /// Longest gap between two reads of the body once it began (default 20 s).
    pub stall: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            first_token: Duration::from_secs(60),
            stall: Duration::from_secs(20),
        }
    }
}

/// Retries with exponential backoff; only before any response byte arrived (connect errors,
/// 429 and 5xx answers), never once a stream began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, at least 1 (default 3).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled each time (default 250 ms).
    pub initial_backoff: Duration,
    /// Cap on one wait, also on a server's `Retry-After` (default 4 s).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Size caps on what the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One SSE event (default 1 MiB).
    pub max_event_bytes: usize,
    /// One whole response body, streamed or not (default 32 MiB; audio bodies use
    /// [`max_audio_bytes`](Self::max_audio_bytes)).
    pub max_response_bytes: usize,
    /// Bytes of an error body read for its message (default 64 KiB).
    pub max_error_body_bytes: usize,
    /// Arguments of one tool call (default 1 MiB).
    pub max_tool_arguments_bytes: usize,
    /// One synthesized audio body (default 256 MiB, ≈ 90 min of 24 kHz PCM16).
    pub max_audio_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_event_bytes: 1 << 20,
            max_response_bytes: 32 << 20,
            max_error_body_bytes: 64 << 10,
            max_tool_arguments_bytes: 1 << 20,
            max_audio_bytes: 256 << 20,
        }
    }
}

/// Settings of one OpenAI-compatible service.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// The base URL (`https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`,
    /// `https://R.openai.azure.com/openai/v1`), or a full operation URL such as an Azure
    /// deployment URL (`…/openai/deployments/D/chat/completions?api-version=2024-10-21`). A URL
    /// with an empty path gets `/v1` (`/openai/v1` for Azure hosts). See [`resolve_url`].
    pub endpoint: String,
    /// The API key, if the service needs one.
    pub api_key: Option<String>,
    /// How the key is sent.
    pub auth: AuthStyle,
    /// The `model` field (for Azure v1: the deployment name); `None` omits it (Azure
    /// deployment URLs, single-model local servers).
    pub model: Option<String>,
    /// Which field carries the output token cap.
    pub max_tokens_field: MaxTokensField,
    /// Send `stream_options: {"include_usage": true}` to get token counts (default on).
    pub include_usage: bool,
    /// Extra request headers (e.g. `OpenAI-Organization`).
    pub extra_headers: Vec<(String, String)>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Retries.
    pub retry: RetryPolicy,
    /// Size caps.
    pub limits: Limits,
}

impl ClientConfig {
    /// Defaults for `endpoint`: no key, no model, `max_tokens`, usage on.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            api_key: None,
            auth: AuthStyle::Auto,
            model: None,
            max_tokens_field: MaxTokensField::MaxTokens,
            include_usage: true,
            extra_headers: Vec::new(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
        }
    }

    /// Sets the API key.
    #[must_use]
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the model name.
    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }
}

/// Whether `host` is an Azure OpenAI / AI Services host.
pub fn is_azure_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    [
        ".openai.azure.com",
        ".cognitiveservices.azure.com",
        ".services.ai.azure.com",
    ]
    .iter()
    .any(|s| h.ends_with(s))
}

/// The URL of `operation` (`chat/completions`, `audio/transcriptions`, `audio/speech`) for
/// `endpoint`: the endpoint itself when its path already ends with the operation, else the
/// operation appended to its path (the query, e.g. `api-version`, is kept). An empty path
/// becomes `/v1` (`/openai/v1` on Azure hosts).
///
/// # Errors
/// [`Error::InvalidUrl`] when `endpoint` is not an absolute `http`/`https` URL.
pub fn resolve_url(endpoint: &str, operation: &str) -> Result<Url, Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: endpoint.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(endpoint.trim()).map_err(|e| invalid(&e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("the scheme must be http or https"));
    }
    let Some(host) = url.host_str().map(str::to_owned) else {
        return Err(invalid("no host"));
    };
    let mut path = url.path().trim_end_matches('/').to_owned();
    if path.is_empty() {
        path = if is_azure_host(&host) {
            "/openai/v1".to_owned()
        } else {
            "/v1".to_owned()
        };
    }
    let op = operation.trim_matches('/');
    if !path.ends_with(&format!("/{op}")) {
        path = format!("{path}/{op}");
    }
    url.set_path(&path);
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(e: &str) -> String {
        resolve_url(e, "chat/completions").unwrap().to_string()
    }

    #[test]
    fn endpoint_forms() {
        assert_eq!(
            r("https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            r("http://127.0.0.1:8080/v1/"),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            r("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            r("http://localhost:11434/v1"),
            "http://localhost:11434/v1/chat/completions"
        );
        assert_eq!(
            r("https://res.openai.azure.com/openai/v1"),
            "https://res.openai.azure.com/openai/v1/chat/completions"
        );
        assert_eq!(
            r("https://res.openai.azure.com/"),
            "https://res.openai.azure.com/openai/v1/chat/completions"
        );
        let dep = "https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21";
        assert_eq!(r(dep), dep);
        assert_eq!(
            r("https://res.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21"),
            "https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
        );
        assert_eq!(
            resolve_url("https://api.openai.com/v1", "audio/speech")
                .unwrap()
                .as_str(),
            "https://api.openai.com/v1/audio/speech"
        );
        assert!(resolve_url("ftp://x/v1", "chat/completions").is_err());
        assert!(resolve_url("not a url", "chat/completions").is_err());
    }

    #[test]
    fn azure_hosts_and_backoff() {
        assert!(is_azure_host("res.openai.azure.com"));
        assert!(is_azure_host("RES.cognitiveservices.azure.com"));
        assert!(!is_azure_host("api.openai.com"));
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_millis(250));
        assert_eq!(p.backoff(2), Duration::from_millis(500));
        assert_eq!(p.backoff(40), Duration::from_secs(4));
    }
}
