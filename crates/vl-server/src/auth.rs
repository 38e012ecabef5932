//! API-key authentication, checked before the WebSocket upgrade.
//!
//! Credentials are looked for in this precedence, and only the first one present is checked (the
//! header wins on conflict, reliability.md §3): the `api-key` header, the `api-key` query
//! parameter, the `Authorization: Bearer` header, the `Authorization` query parameter
//! (`Bearer <token>`, URL-encoded), and the browser subprotocol `openai-insecure-api-key.<key>`.
//! Only the SHA-256 digest of the configured key is kept, and digests are compared in constant
//! time with `subtle`, so neither the length nor the content of a wrong key shows in the timing.

use std::fmt;

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::params::ConnectParams;

/// The subprotocol prefix browsers use to carry an OpenAI key.
pub const INSECURE_KEY_PROTOCOL_PREFIX: &str = "openai-insecure-api-key.";

/// A configured API key, held only as its SHA-256 digest.
#[derive(Clone)]
pub struct ApiKey {
    digest: [u8; 32],
}

impl ApiKey {
    /// Keeps the digest of `key`.
    pub fn new(key: &str) -> Self {
        Self {
            digest: Sha256::digest(key.as_bytes()).into(),
        }
    }

    /// Whether `presented` is this key, compared in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Where a credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// The `api-key` header.
    ApiKeyHeader,
    /// The `api-key` query parameter.
    ApiKeyQuery,
    /// The `Authorization: Bearer` header.
    BearerHeader,
    /// The `Authorization` query parameter.
    BearerQuery,
    /// The `openai-insecure-api-key.<key>` subprotocol.
    Subprotocol,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No credential at all.
    Missing,
    /// A credential that does not match (from the given source).
    Invalid(CredentialSource),
}

/// Checks the request's credential against `expected`; `None` accepts everything.
///
/// # Errors
///
/// [`AuthError`] when a key is required and the first credential present is missing or wrong.
pub fn check(
    expected: Option<&ApiKey>,
    headers: &HeaderMap,
    params: &ConnectParams,
) -> Result<Option<CredentialSource>, AuthError> {
    let Some(expected) = expected else {
        return Ok(None);
    };
    let found = find_credential(headers, params);
    // Always hash and compare once, so a missing credential costs the same as a wrong one.
    let presented = found.as_ref().map_or("", |(_, k)| k.as_str());
    let ok = expected.matches(presented);
    match found {
        None => Err(AuthError::Missing),
        Some((source, _)) if ok => Ok(Some(source)),
        Some((source, _)) => Err(AuthError::Invalid(source)),
    }
}

fn find_credential(
    headers: &HeaderMap,
    params: &ConnectParams,
) -> Option<(CredentialSource, String)> {
    if let Some(v) = headers.get("api-key") {
        let key = v.to_str().unwrap_or_default().trim().to_owned();
        return Some((CredentialSource::ApiKeyHeader, key));
    }
    if let Some(v) = &params.api_key {
        return Some((CredentialSource::ApiKeyQuery, v.clone()));
    }
    if let Some(v) = headers.get(axum::http::header::AUTHORIZATION) {
        let token = bearer(v.to_str().unwrap_or_default()).unwrap_or_default();
        return Some((CredentialSource::BearerHeader, token.to_owned()));
    }
    if let Some(v) = &params.authorization {
        let token = bearer(v).unwrap_or_default();
        return Some((CredentialSource::BearerQuery, token.to_owned()));
    }
    for value in headers.get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL) {
        for proto in value.to_str().unwrap_or_default().split(',') {
            if let Some(key) = proto.trim().strip_prefix(INSECURE_KEY_PROTOCOL_PREFIX) {
                return Some((CredentialSource::Subprotocol, key.to_owned()));
            }
        }
    }
    None
}

/// The token of `Bearer <token>` (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let value = value.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> ConnectParams {
        ConnectParams::parse(Some(query))
    }

    #[test]
    fn keys_compare_by_digest() {
        let k = ApiKey::new("secret");
        assert!(k.matches("secret"));
        assert!(!k.matches("secreT"));
        assert!(!k.matches(""));
        assert_eq!(format!("{k:?}"), "ApiKey(<redacted>)");
    }

    #[test]
    fn the_header_wins_over_the_query() {
        let k = ApiKey::new("good");
        let mut h = HeaderMap::new();
        h.insert("api-key", "bad".parse().unwrap());
        assert_eq!(
            check(Some(&k), &h, &params("api-key=good")),
            Err(AuthError::Invalid(CredentialSource::ApiKeyHeader))
        );
        let h = HeaderMap::new();
        assert_eq!(
            check(Some(&k), &h, &params("api-key=good")),
            Ok(Some(CredentialSource::ApiKeyQuery))
        );
        assert_eq!(
            check(Some(&k), &h, &params("Authorization=Bearer%20good")),
            Ok(Some(CredentialSource::BearerQuery))
        );
        assert_eq!(check(Some(&k), &h, &params("")), Err(AuthError::Missing));
        let mut h = HeaderMap::new();
        h.insert("authorization", "bearer good".parse().unwrap());
        assert_eq!(
            check(Some(&k), &h, &params("")),
            Ok(Some(CredentialSource::BearerHeader))
        );
        let mut h = HeaderMap::new();
        h.insert("authorization", "Basic good".parse().unwrap());
        assert!(check(Some(&k), &h, &params("")).is_err());
        assert_eq!(check(None, &h, &params("")), Ok(None));
    }
}
