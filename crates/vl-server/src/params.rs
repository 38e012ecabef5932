//! The query parameters of a connection (protocol.md §1.2), recorded for the session.

use std::fmt;

/// The api-version assumed when a client sends none (decisions.md).
pub const DEFAULT_API_VERSION: &str = "2026-07-15";

/// The api-versions this server serves on `/voice-live/realtime` (protocol.md §1.2). `v1` is the
/// OpenAI-GA-shaped label (protocol.md §9.4) and is served in the GA dialect.
pub const SUPPORTED_API_VERSIONS: &[&str] = &[
    "2025-05-01-preview",
    "2025-10-01",
    "2026-01-01-preview",
    "2026-04-10",
    "2026-06-01-preview",
    "2026-07-15",
    "2026-07-31-preview",
    "v1",
];

/// Longest query value kept; longer values are truncated (keeps memory and logs bounded).
const MAX_VALUE_LEN: usize = 4096;
/// Most extra (unknown) parameters kept.
const MAX_EXTRA: usize = 64;

/// The recorded query parameters of one connection. `Debug` never shows secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnectParams {
    /// `api-version`, as sent.
    pub api_version: Option<String>,
    /// `model`.
    pub model: Option<String>,
    /// `agent-name`.
    pub agent_name: Option<String>,
    /// `agent-project-name`.
    pub agent_project_name: Option<String>,
    /// `agent-version`.
    pub agent_version: Option<String>,
    /// `conversation-id`.
    pub conversation_id: Option<String>,
    /// `agent-authentication-identity-client-id`.
    pub agent_authentication_identity_client_id: Option<String>,
    /// `foundry-resource-override`.
    pub foundry_resource_override: Option<String>,
    /// Legacy `agent-id` or `agent_id`.
    pub agent_id: Option<String>,
    /// Legacy `project_id`.
    pub project_id: Option<String>,
    /// Legacy `agent-access-token` (secret).
    pub agent_access_token: Option<String>,
    /// `api-key` (secret).
    pub api_key: Option<String>,
    /// `Authorization` (secret).
    pub authorization: Option<String>,
    /// `x-ms-client-sdk`: the SDK's User-Agent.
    pub client_sdk: Option<String>,
    /// `features`.
    pub features: Option<String>,
    /// Every other parameter, in order.
    pub extra: Vec<(String, String)>,
}

impl ConnectParams {
    /// Parses a raw (URL-encoded) query string; repeated parameters keep the first value.
    pub fn parse(query: Option<&str>) -> Self {
        let mut p = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let mut value = value.into_owned();
            truncate(&mut value);
            let slot = match key.as_ref() {
                "api-version" => &mut p.api_version,
                "model" => &mut p.model,
                "agent-name" => &mut p.agent_name,
                "agent-project-name" => &mut p.agent_project_name,
                "agent-version" => &mut p.agent_version,
                "conversation-id" => &mut p.conversation_id,
                "agent-authentication-identity-client-id" => {
                    &mut p.agent_authentication_identity_client_id
                }
                "foundry-resource-override" => &mut p.foundry_resource_override,
                "agent-id" | "agent_id" => &mut p.agent_id,
                "project_id" => &mut p.project_id,
                "agent-access-token" => &mut p.agent_access_token,
                "api-key" => &mut p.api_key,
                "Authorization" | "authorization" => &mut p.authorization,
                "x-ms-client-sdk" => &mut p.client_sdk,
                "features" => &mut p.features,
                _ => {
                    if p.extra.len() < MAX_EXTRA {
                        let mut key = key.into_owned();
                        truncate(&mut key);
                        p.extra.push((key, value));
                    }
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        p
    }

    /// The api-version in force: the one sent, or [`DEFAULT_API_VERSION`].
    pub fn effective_api_version(&self) -> &str {
        self.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION)
    }

    /// Whether the sent api-version (if any) is one this server serves.
    pub fn api_version_supported(&self) -> bool {
        self.api_version
            .as_deref()
            .is_none_or(|v| SUPPORTED_API_VERSIONS.contains(&v))
    }

    /// Whether the connection names a model or an agent.
    pub fn has_model_or_agent(&self) -> bool {
        self.model.is_some() || self.agent_name.is_some() || self.agent_id.is_some()
    }
}

impl fmt::Debug for ConnectParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("ConnectParams")
            .field("api_version", &self.api_version)
            .field("model", &self.model)
            .field("agent_name", &self.agent_name)
            .field("agent_project_name", &self.agent_project_name)
            .field("agent_version", &self.agent_version)
            .field("conversation_id", &self.conversation_id)
            .field(
                "agent_authentication_identity_client_id",
                &self.agent_authentication_identity_client_id,
            )
            .field("foundry_resource_override", &self.foundry_resource_override)
            .field("agent_id", &self.agent_id)
            .field("project_id", &self.project_id)
            .field("agent_access_token", &redact(&self.agent_access_token))
            .field("api_key", &redact(&self.api_key))
            .field("authorization", &redact(&self.authorization))
            .field("client_sdk", &self.client_sdk)
            .field("features", &self.features)
            // Unknown parameters may carry anything: log their names only.
            .field(
                "extra",
                &self
                    .extra
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn truncate(s: &mut String) {
    if s.len() > MAX_VALUE_LEN {
        let mut end = MAX_VALUE_LEN;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let p = ConnectParams::parse(Some(
            "api-version=2026-07-15&model=gpt-realtime&x-ms-client-sdk=azsdk%2F1.3.1\
             &api-key=s3cret&agent_id=a&foo=bar&Authorization=Bearer%20zq9tkn",
        ));
        assert_eq!(p.api_version.as_deref(), Some("2026-07-15"));
        assert_eq!(p.model.as_deref(), Some("gpt-realtime"));
        assert_eq!(p.client_sdk.as_deref(), Some("azsdk/1.3.1"));
        assert_eq!(p.api_key.as_deref(), Some("s3cret"));
        assert_eq!(p.authorization.as_deref(), Some("Bearer zq9tkn"));
        assert_eq!(p.agent_id.as_deref(), Some("a"));
        assert_eq!(p.extra, vec![("foo".to_owned(), "bar".to_owned())]);
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("s3cret") && !dbg.contains("zq9tkn") && !dbg.contains("bar"));
        assert!(p.api_version_supported());
    }

    #[test]
    fn api_versions() {
        assert!(ConnectParams::parse(None).api_version_supported());
        assert_eq!(
            ConnectParams::parse(None).effective_api_version(),
            DEFAULT_API_VERSION
        );
        assert!(!ConnectParams::parse(Some("api-version=1999-01-01")).api_version_supported());
    }
}
