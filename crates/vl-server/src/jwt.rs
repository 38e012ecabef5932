//! Optional Bearer JWT validation (reliability.md §3, protocol.md §1.3): Entra-style tokens in
//! `Authorization: Bearer <token>` or the `Authorization` query parameter.
//!
//! `jsonwebtoken` runs on exactly one crypto backend, `rust_crypto` (pure Rust, no second C
//! crypto library next to the `ring` that rustls already uses; its `rsa` advisory
//! RUSTSEC-2023-0071 concerns private-key operations, and this server only verifies with public
//! keys). The provider is installed explicitly, so feature unification can never leave the
//! crate's panicking fallback in place.
//!
//! The rules:
//! - the accepted algorithms come from the configuration, never from the token header;
//! - a key is used only for algorithms of its own family, so `alg: none` and the HS/RS key
//!   confusion (HS256 signed with the RSA public key as the secret) are refused;
//! - with several keys (a JWKS), the token's `kid` picks the key; an unknown `kid` re-reads the
//!   JWKS file at most once per [`JWKS_REFRESH_INTERVAL`], and a failed re-read keeps the last
//!   good set;
//! - `exp` is required, `nbf` is checked when present, `aud` and `iss` are required and checked
//!   when configured; the clock-skew leeway is at most [`MAX_LEEWAY`] (60 s by default).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde::Deserialize;

/// Longest accepted token, in bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Longest subject kept (for the per-subject quota name), in bytes.
const MAX_SUBJECT_BYTES: usize = 128;
/// Most keys read from a JWKS file.
const MAX_JWKS_KEYS: usize = 64;
/// Largest JWKS file read, in bytes.
const MAX_JWKS_BYTES: u64 = 1024 * 1024;
/// Default clock-skew leeway for `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Largest clock-skew leeway accepted (reliability.md §3: ≤ 60 s).
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);
/// Shortest time between two JWKS re-reads triggered by unknown `kid`s.
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// What the JWT validator checks.
#[derive(Clone)]
pub struct JwtConfig {
    /// HMAC secret (HS256/HS384/HS512).
    pub secret: Option<String>,
    /// PEM file with an RSA, EC or Ed25519 public key.
    pub public_key: Option<PathBuf>,
    /// JWKS file (`{"keys":[…]}`, as served by an identity provider's `jwks_uri`).
    pub jwks: Option<PathBuf>,
    /// Accepted algorithms; empty means HS256 with a secret, RS256 otherwise.
    pub algorithms: Vec<Algorithm>,
    /// Accepted `aud` values (any one must match); empty: not checked.
    pub audiences: Vec<String>,
    /// Accepted `iss` values (any one must match); empty: not checked.
    pub issuers: Vec<String>,
    /// Clock-skew leeway for `exp` and `nbf` (whole seconds are used).
    pub leeway: Duration,
    /// Shortest time between two JWKS re-reads for unknown `kid`s.
    pub jwks_refresh_interval: Duration,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            secret: None,
            public_key: None,
            jwks: None,
            algorithms: Vec::new(),
            audiences: Vec::new(),
            issuers: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            jwks_refresh_interval: JWKS_REFRESH_INTERVAL,
        }
    }
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &self.secret.as_ref().map(|_| "<set>"))
            .field("public_key", &self.public_key)
            .field("jwks", &self.jwks)
            .field("algorithms", &self.algorithms)
            .field("audiences", &self.audiences)
            .field("issuers", &self.issuers)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

/// The key family that verifies `alg`.
fn family_of(alg: Algorithm) -> AlgorithmFamily {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => AlgorithmFamily::Hmac,
        Algorithm::ES256 | Algorithm::ES384 => AlgorithmFamily::Ec,
        Algorithm::EdDSA => AlgorithmFamily::Ed,
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => AlgorithmFamily::Rsa,
    }
}

/// One verification key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    /// The JWK's `alg`, when it names one.
    alg: Option<Algorithm>,
    family: AlgorithmFamily,
    key: DecodingKey,
}

/// A ready validator; cheap to share (`Arc` inside).
#[derive(Clone)]
pub struct JwtValidator {
    inner: Arc<Inner>,
}

struct Inner {
    validation: Validation,
    keys: RwLock<Arc<Vec<Key>>>,
    jwks: Option<PathBuf>,
    last_refresh: Mutex<Option<Instant>>,
    refresh_interval: Duration,
}

impl std::fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtValidator")
            .field("algorithms", &self.inner.validation.algorithms)
            .field("jwks", &self.inner.jwks)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    /// Entra's object id of the caller.
    #[serde(default)]
    oid: Option<String>,
}

/// Why a token was refused (logged, never shown to the client).
#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    /// The token is too long.
    #[error("token too long")]
    TooLong,
    /// The header names an algorithm that is not configured.
    #[error("algorithm {0:?} not accepted")]
    Algorithm(Algorithm),
    /// No configured key fits the token's `kid` and algorithm.
    #[error("no key for this token")]
    NoKey,
    /// Malformed token, or the signature, `exp`, `nbf`, `aud` or `iss` check failed.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

/// Why the JWT configuration is unusable.
#[derive(Debug, thiserror::Error)]
pub enum JwtConfigError {
    /// No key source, or more than one.
    #[error("JWT validation needs exactly one of --jwt-secret, --jwt-public-key, --jwt-jwks")]
    KeySource,
    /// A key file cannot be read or parsed.
    #[error("{0}")]
    Key(String),
    /// An algorithm does not fit the key.
    #[error("--jwt-algorithms: {0}")]
    Algorithms(String),
    /// The leeway is too large.
    #[error("--jwt-leeway must be at most {} s", MAX_LEEWAY.as_secs())]
    Leeway,
}

fn load_pem(path: &std::path::Path) -> Result<Key, JwtConfigError> {
    let pem = std::fs::read(path)
        .map_err(|e| JwtConfigError::Key(format!("reading {}: {e}", path.display())))?;
    let (key, family) = if let Ok(k) = DecodingKey::from_rsa_pem(&pem) {
        (k, AlgorithmFamily::Rsa)
    } else if let Ok(k) = DecodingKey::from_ec_pem(&pem) {
        (k, AlgorithmFamily::Ec)
    } else if let Ok(k) = DecodingKey::from_ed_pem(&pem) {
        (k, AlgorithmFamily::Ed)
    } else {
        return Err(JwtConfigError::Key(format!(
            "{}: not an RSA, EC or Ed25519 public key in PEM",
            path.display()
        )));
    };
    Ok(Key {
        kid: None,
        alg: None,
        family,
        key,
    })
}

/// Reads a JWKS file; keys for encryption (`use: enc`) and unsupported keys are skipped.
fn load_jwks(path: &std::path::Path) -> Result<Vec<Key>, JwtConfigError> {
    let bad = |e: &dyn std::fmt::Display| JwtConfigError::Key(format!("{}: {e}", path.display()));
    let len = std::fs::metadata(path).map_err(|e| bad(&e))?.len();
    if len > MAX_JWKS_BYTES {
        return Err(bad(&"JWKS file larger than 1 MiB"));
    }
    let text = std::fs::read(path).map_err(|e| bad(&e))?;
    let set: JwkSet = serde_json::from_slice(&text).map_err(|e| bad(&e))?;
    let mut keys = Vec::new();
    for jwk in set.keys.iter().take(MAX_JWKS_KEYS) {
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let family = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => AlgorithmFamily::Rsa,
            AlgorithmParameters::EllipticCurve(_) => AlgorithmFamily::Ec,
            AlgorithmParameters::OctetKeyPair(_) => AlgorithmFamily::Ed,
            AlgorithmParameters::OctetKey(_) => AlgorithmFamily::Hmac,
        };
        let Ok(key) = DecodingKey::from_jwk(jwk) else {
            continue;
        };
        let alg = jwk
            .common
            .key_algorithm
            .as_ref()
            .and_then(|a| a.to_string().parse::<Algorithm>().ok());
        keys.push(Key {
            kid: jwk.common.key_id.clone(),
            alg,
            family,
            key,
        });
    }
    if keys.is_empty() {
        return Err(bad(&"no usable signing key in the JWKS"));
    }
    Ok(keys)
}

impl JwtValidator {
    /// Builds the validator of `cfg`, reading its key files.
    ///
    /// # Errors
    ///
    /// Not exactly one key source, an unreadable or invalid key, algorithms that do not fit the
    /// key, or a leeway above [`MAX_LEEWAY`].
    pub fn new(cfg: &JwtConfig) -> Result<Self, JwtConfigError> {
        // Exactly one backend: install it (a second install is a harmless no-op error).
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        if cfg.leeway > MAX_LEEWAY {
            return Err(JwtConfigError::Leeway);
        }
        let keys = match (&cfg.secret, &cfg.public_key, &cfg.jwks) {
            (Some(secret), None, None) => {
                if secret.is_empty() {
                    return Err(JwtConfigError::Key("--jwt-secret is empty".into()));
                }
                vec![Key {
                    kid: None,
                    alg: None,
                    family: AlgorithmFamily::Hmac,
                    key: DecodingKey::from_secret(secret.as_bytes()),
                }]
            }
            (None, Some(path), None) => vec![load_pem(path)?],
            (None, None, Some(path)) => load_jwks(path)?,
            _ => return Err(JwtConfigError::KeySource),
        };
        let algorithms = if !cfg.algorithms.is_empty() {
            cfg.algorithms.clone()
        } else if cfg.secret.is_some() {
            vec![Algorithm::HS256]
        } else {
            vec![Algorithm::RS256]
        };
        for alg in &algorithms {
            if !keys.iter().any(|k| k.family == family_of(*alg)) {
                return Err(JwtConfigError::Algorithms(format!(
                    "no configured key can verify {alg:?}"
                )));
            }
        }
        let mut validation = Validation::new(algorithms.first().copied().unwrap_or_default());
        validation.algorithms = algorithms;
        validation.leeway = cfg.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        if cfg.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&cfg.audiences);
            required.push("aud");
        }
        if !cfg.issuers.is_empty() {
            validation.set_issuer(&cfg.issuers);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        Ok(Self {
            inner: Arc::new(Inner {
                validation,
                keys: RwLock::new(Arc::new(keys)),
                jwks: cfg.jwks.clone(),
                last_refresh: Mutex::new(None),
                refresh_interval: cfg.jwks_refresh_interval,
            }),
        })
    }

    fn keys(&self) -> Arc<Vec<Key>> {
        match self.inner.keys.read() {
            Ok(k) => Arc::clone(&k),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The key for `alg` and `kid` among `keys`: by `kid` when the token names one, else the
    /// only key of the family.
    fn pick(keys: &[Key], alg: Algorithm, kid: Option<&str>) -> Option<DecodingKey> {
        let mut fits = keys
            .iter()
            .filter(|k| k.family == family_of(alg) && k.alg.is_none_or(|a| a == alg));
        match kid {
            Some(kid) => fits.find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let first = fits.next();
                if fits.next().is_some() { None } else { first }
            }
        }
        .map(|k| k.key.clone())
    }

    /// Re-reads the JWKS file if allowed by the refresh interval; keeps the old set on failure.
    /// Returns whether a new set was loaded.
    fn refresh(&self) -> bool {
        let Some(path) = &self.inner.jwks else {
            return false;
        };
        {
            let Ok(mut last) = self.inner.last_refresh.lock() else {
                return false;
            };
            if last.is_some_and(|t| t.elapsed() < self.inner.refresh_interval) {
                return false;
            }
            *last = Some(Instant::now());
        }
        match load_jwks(path) {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "JWKS re-read for an unknown kid");
                if let Ok(mut slot) = self.inner.keys.write() {
                    *slot = Arc::new(keys);
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "JWKS re-read failed; keeping the last good set");
                false
            }
        }
    }

    /// Validates `token`; returns the caller's subject (`sub`, else Entra's `oid`; truncated,
    /// empty when absent).
    ///
    /// # Errors
    ///
    /// [`JwtError`] when the token is refused.
    pub fn validate(&self, token: &str) -> Result<String, JwtError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwtError::TooLong);
        }
        let header = jsonwebtoken::decode_header(token)?;
        if !self.inner.validation.algorithms.contains(&header.alg) {
            return Err(JwtError::Algorithm(header.alg));
        }
        let kid = header.kid.as_deref();
        let key = match Self::pick(&self.keys(), header.alg, kid) {
            Some(k) => k,
            None if kid.is_some() && self.refresh() => {
                Self::pick(&self.keys(), header.alg, kid).ok_or(JwtError::NoKey)?
            }
            None => return Err(JwtError::NoKey),
        };
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.inner.validation)?;
        let mut sub = data.claims.sub.or(data.claims.oid).unwrap_or_default();
        if sub.len() > MAX_SUBJECT_BYTES {
            let mut end = MAX_SUBJECT_BYTES;
            while !sub.is_char_boundary(end) {
                end -= 1;
            }
            sub.truncate(end);
        }
        Ok(sub)
    }
}

/// Whether `token` has the shape of a compact JWS (three dot-separated parts).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// Parses an algorithm name (`HS256`, `RS256`, `ES256`, …).
///
/// # Errors
///
/// An unknown name (`none` is not an algorithm here).
pub fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    text.trim()
        .parse::<Algorithm>()
        .map_err(|_| format!("unknown JWT algorithm `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn hs(secret: &str, claims: &serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn validator() -> JwtValidator {
        JwtValidator::new(&JwtConfig {
            secret: Some("s3cret".into()),
            audiences: vec!["https://ai.azure.com".into()],
            issuers: vec!["https://issuer.example".into()],
            ..JwtConfig::default()
        })
        .unwrap()
    }

    fn good() -> serde_json::Value {
        serde_json::json!({"sub": "u", "exp": now() + 600, "nbf": now() - 10,
            "aud": "https://ai.azure.com", "iss": "https://issuer.example"})
    }

    #[test]
    fn a_good_token_passes_and_names_its_subject() {
        assert_eq!(validator().validate(&hs("s3cret", &good())).unwrap(), "u");
        let mut c = good();
        c.as_object_mut().unwrap().remove("sub");
        c["oid"] = "object-id".into();
        assert_eq!(
            validator().validate(&hs("s3cret", &c)).unwrap(),
            "object-id"
        );
    }

    #[test]
    fn bad_signature_times_audience_issuer_and_none_are_refused() {
        let v = validator();
        assert!(v.validate(&hs("other", &good())).is_err(), "bad signature");
        let mut c = good();
        c["exp"] = (now() - 3600).into();
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "expired");
        let mut c = good();
        c["nbf"] = (now() + 3600).into();
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "not yet valid");
        let mut c = good();
        c["aud"] = "someone-else".into();
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "wrong aud");
        let mut c = good();
        c.as_object_mut().unwrap().remove("aud");
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "no aud");
        let mut c = good();
        c["iss"] = "https://evil.example".into();
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "wrong iss");
        let mut c = good();
        c.as_object_mut().unwrap().remove("exp");
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "no exp");
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(good().to_string())
        );
        assert!(v.validate(&none).is_err(), "alg none");
        let t = encode(
            &Header::new(Algorithm::HS384),
            &good(),
            &EncodingKey::from_secret(b"s3cret"),
        )
        .unwrap();
        assert!(
            matches!(v.validate(&t), Err(JwtError::Algorithm(Algorithm::HS384))),
            "algorithm not configured"
        );
        assert!(v.validate("a.b.c").is_err());
        assert!(v.validate(&"x".repeat(MAX_TOKEN_BYTES + 1)).is_err());
    }

    #[test]
    fn the_leeway_covers_small_clock_skew_only() {
        let v = validator();
        let mut c = good();
        c["exp"] = (now() - 30).into();
        assert!(
            v.validate(&hs("s3cret", &c)).is_ok(),
            "30 s late is within 60 s"
        );
        c["exp"] = (now() - 90).into();
        assert!(v.validate(&hs("s3cret", &c)).is_err(), "90 s late is not");
        let strict = JwtValidator::new(&JwtConfig {
            secret: Some("s3cret".into()),
            leeway: Duration::ZERO,
            ..JwtConfig::default()
        })
        .unwrap();
        let mut c = good();
        c["exp"] = (now() - 30).into();
        assert!(strict.validate(&hs("s3cret", &c)).is_err());
        c["exp"] = (now() + 600).into();
        c["nbf"] = (now() + 30).into();
        assert!(strict.validate(&hs("s3cret", &c)).is_err());
        assert!(v.validate(&hs("s3cret", &c)).is_ok(), "nbf 30 s ahead");
    }

    #[test]
    fn configuration_errors() {
        let cfg = JwtConfig {
            secret: Some("x".into()),
            algorithms: vec![Algorithm::RS256],
            ..JwtConfig::default()
        };
        assert!(matches!(
            JwtValidator::new(&cfg),
            Err(JwtConfigError::Algorithms(_))
        ));
        assert!(matches!(
            JwtValidator::new(&JwtConfig::default()),
            Err(JwtConfigError::KeySource)
        ));
        let cfg = JwtConfig {
            secret: Some("x".into()),
            leeway: Duration::from_secs(61),
            ..JwtConfig::default()
        };
        assert!(matches!(
            JwtValidator::new(&cfg),
            Err(JwtConfigError::Leeway)
        ));
        assert!(parse_algorithm("none").is_err());
        assert_eq!(parse_algorithm("ES256"), Ok(Algorithm::ES256));
        assert!(looks_like_jwt("a.b.c") && !looks_like_jwt("plain-key"));
    }

    #[test]
    fn an_unknown_kid_rereads_the_jwks_at_most_once_per_interval() {
        let dir = std::env::temp_dir().join(format!("vl-jwks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwks.json");
        let jwk = |kid: &str, secret: &[u8]| {
            use base64::Engine as _;
            let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
            serde_json::json!({"kty": "oct", "kid": kid, "alg": "HS256", "k": k})
        };
        std::fs::write(
            &path,
            serde_json::json!({"keys": [jwk("a", b"key-a")]}).to_string(),
        )
        .unwrap();
        let v = JwtValidator::new(&JwtConfig {
            jwks: Some(path.clone()),
            algorithms: vec![Algorithm::HS256],
            jwks_refresh_interval: Duration::from_millis(300),
            ..JwtConfig::default()
        })
        .unwrap();
        let token = |kid: &str, secret: &[u8]| {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(kid.into());
            encode(&h, &good(), &EncodingKey::from_secret(secret)).unwrap()
        };
        assert!(v.validate(&token("a", b"key-a")).is_ok());
        assert!(
            v.validate(&token("a", b"key-b")).is_err(),
            "wrong key for kid a"
        );
        // kid b is unknown: the first miss re-reads (nothing new), the file then gains b, and the
        // next miss within the interval does not re-read.
        assert!(v.validate(&token("b", b"key-b")).is_err());
        std::fs::write(
            &path,
            serde_json::json!({"keys": [jwk("a", b"key-a"), jwk("b", b"key-b")]}).to_string(),
        )
        .unwrap();
        assert!(
            v.validate(&token("b", b"key-b")).is_err(),
            "refresh throttled"
        );
        std::thread::sleep(Duration::from_millis(350));
        assert!(
            v.validate(&token("b", b"key-b")).is_ok(),
            "re-read after the interval"
        );
        // A broken file keeps the last good set.
        std::fs::write(&path, "not json").unwrap();
        std::thread::sleep(Duration::from_millis(350));
        assert!(v.validate(&token("c", b"key-c")).is_err());
        assert!(v.validate(&token("a", b"key-a")).is_ok());
        assert!(v.validate(&token("b", b"key-b")).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
