//! API-key authentication, checked before the WebSocket upgrade.
//!
//! Credentials are looked for in this precedence, and only the first one present is checked (the
//! header wins on conflict, reliability.md §3): the `api-key` header, the `api-key` query
//! parameter, the `Authorization: Bearer` header, the `Authorization` query parameter
//! (`Bearer <token>`, URL-encoded), and the browser subprotocol `openai-insecure-api-key.<key>`.
//! Only the SHA-256 digest of the configured key is kept, and digests are compared in constant
//! time with `subtle`, so neither the length nor the content of a wrong key shows in the timing.

use std::fmt;
use std::sync::Arc;

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::jwt::JwtValidator;
use crate::params::ConnectParams;

/// The subprotocol prefix browsers use to carry an OpenAI key.
pub const INSECURE_KEY_PROTOCOL_PREFIX: &str = "openai-insecure-api-key.";

/// The quotas of one key (reliability.md §2.1); `None` falls back to the server-wide setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyQuota {
    /// New connections per minute.
    pub connections_per_minute: Option<u32>,
    /// Concurrent sessions.
    pub max_sessions: Option<usize>,
}

/// A configured API key, held only as its SHA-256 digest, with a name (for logs and quotas,
/// never the key itself) and its quotas.
#[derive(Clone)]
pub struct ApiKey {
    digest: [u8; 32],
    name: Arc<str>,
    quota: KeyQuota,
}

impl ApiKey {
    /// Keeps the digest of `key`, named `default`.
    pub fn new(key: &str) -> Self {
        Self::named("default", key, KeyQuota::default())
    }

    /// Keeps the digest of `key`, named `name`, with `quota`.
    pub fn named(name: &str, key: &str, quota: KeyQuota) -> Self {
        Self {
            digest: Sha256::digest(key.as_bytes()).into(),
            name: Arc::from(name),
            quota,
        }
    }

    /// Keeps a key given as the hex of its SHA-256 digest (so the config holds no secret).
    ///
    /// # Errors
    ///
    /// The text is not 64 hex digits.
    pub fn from_sha256_hex(name: &str, hex: &str, quota: KeyQuota) -> Result<Self, String> {
        let hex = hex.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("key `{name}`: sha256 must be 64 hex digits"));
        }
        let mut digest = [0u8; 32];
        for (i, byte) in digest.iter_mut().enumerate() {
            let pair = hex.get(2 * i..2 * i + 2).unwrap_or("00");
            *byte = u8::from_str_radix(pair, 16).map_err(|e| e.to_string())?;
        }
        Ok(Self {
            digest,
            name: Arc::from(name),
            quota,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The key's quotas.
    pub fn quota(&self) -> KeyQuota {
        self.quota
    }

    /// Whether `presented` is this key, compared in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}: <redacted>)", self.name)
    }
}

/// Who a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Where the credential was found.
    pub source: CredentialSource,
    /// The key's name, or `jwt:<sub>` for a JWT.
    pub name: Arc<str>,
    /// Its quotas.
    pub quota: KeyQuota,
}

/// Checks the request's credential against every key in `keys`, and a Bearer token shaped like
/// a JWT against `jwt`; with neither configured everything is accepted (`Ok(None)`).
///
/// The presented key's digest is compared with every configured digest, each in constant time
/// and without stopping at a match, so the timing tells neither whether nor which key matched.
/// A validated JWT is named `jwt:<sub>` (per-subject quotas) with the server-wide quotas.
///
/// # Errors
///
/// [`AuthError`] when the first credential present is missing or matches nothing.
pub fn authenticate(
    keys: &[ApiKey],
    jwt: Option<&JwtValidator>,
    headers: &HeaderMap,
    params: &ConnectParams,
) -> Result<Option<Identity>, AuthError> {
    if keys.is_empty() && jwt.is_none() {
        return Ok(None);
    }
    let found = find_credential(headers, params);
    if let (Some(v), Some((source, token))) = (jwt, &found)
        && matches!(
            source,
            CredentialSource::BearerHeader | CredentialSource::BearerQuery
        )
        && crate::jwt::looks_like_jwt(token)
    {
        return match v.validate(token) {
            Ok(subject) => Ok(Some(Identity {
                source: *source,
                name: Arc::from(format!("jwt:{subject}")),
                quota: KeyQuota::default(),
            })),
            Err(e) => {
                tracing::debug!(error = %e, "JWT refused");
                Err(AuthError::Invalid(*source))
            }
        };
    }
    let presented = found.as_ref().map_or("", |(_, k)| k.as_str());
    let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    let mut matched: Option<&ApiKey> = None;
    for key in keys {
        let eq: bool = digest.ct_eq(&key.digest).into();
        if eq && matched.is_none() {
            matched = Some(key);
        }
    }
    match (found, matched) {
        (None, _) => Err(AuthError::Missing),
        (Some((source, _)), Some(key)) => Ok(Some(Identity {
            source,
            name: Arc::clone(&key.name),
            quota: key.quota,
        })),
        (Some((source, _)), None) => Err(AuthError::Invalid(source)),
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
        assert_eq!(format!("{k:?}"), "ApiKey(default: <redacted>)");
        let hex: String = Sha256::digest(b"secret")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let h = ApiKey::from_sha256_hex("h", &hex, KeyQuota::default()).unwrap();
        assert!(h.matches("secret") && !h.matches("secreT"));
        assert!(ApiKey::from_sha256_hex("h", "abc", KeyQuota::default()).is_err());
    }

    #[test]
    fn authenticate_names_the_matching_key() {
        let quota = KeyQuota {
            connections_per_minute: Some(3),
            max_sessions: Some(1),
        };
        let keys = [
            ApiKey::named("alice", "a-key", KeyQuota::default()),
            ApiKey::named("bob", "b-key", quota),
        ];
        let mut h = HeaderMap::new();
        h.insert("api-key", "b-key".parse().unwrap());
        let id = authenticate(&keys, None, &h, &params("")).unwrap().unwrap();
        assert_eq!(&*id.name, "bob");
        assert_eq!(id.quota, quota);
        h.insert("api-key", "c-key".parse().unwrap());
        assert!(authenticate(&keys, None, &h, &params("")).is_err());
        assert_eq!(
            authenticate(&keys, None, &HeaderMap::new(), &params("")),
            Err(AuthError::Missing)
        );
        assert_eq!(authenticate(&[], None, &h, &params("")), Ok(None));
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
