//! Bearer JWT validation through the real server (reliability.md §2.2 A4–A6, §3; protocol.md
//! §1.2–1.3): HS256 with a secret, RS256 with a PEM public key, ES256 from a JWKS picked by
//! `kid`; the header and the `Authorization` query forms; `exp`/`nbf` with the leeway, `aud`,
//! `iss`, `alg:none` and the HS/RS key confusion, each refused with HTTP 401 and the
//! `unauthorized` JSON body; per-subject quotas.

use super::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use std::path::PathBuf;
use vl_server::jwt::JwtConfig;

const RSA_KEY: &str = include_str!("fixtures/jwt-test-rsa.key.pem");
const RSA_PUB: &str = include_str!("fixtures/jwt-test-rsa.pub.pem");
const AUD: &str = "https://ai.azure.com";
const ISS: &str = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0";

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "aud": AUD, "iss": ISS, "exp": now() + 600, "nbf": now() - 5, "iat": now() - 5})
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn hs(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        None,
        claims,
        &EncodingKey::from_secret(b"jwt-s3cret"),
    )
}

fn jwt_config(jwt: JwtConfig) -> Config {
    let mut config = Config {
        jwt: Some(JwtConfig {
            audiences: vec![AUD.into()],
            issuers: vec![ISS.into()],
            ..jwt
        }),
        ..Config::default()
    };
    // Many refusals from one IP in a test: the throttle has its own test.
    config.limits.auth_failures_per_minute = None;
    config
}

fn hs_server_config() -> Config {
    jwt_config(JwtConfig {
        secret: Some("jwt-s3cret".into()),
        ..JwtConfig::default()
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vl-jwt-it-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PATH: &str = "/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime";

/// Connects with `token` as `Authorization: Bearer` and as the `Authorization` query parameter.
async fn both_forms(server: &TestServer, token: &str) -> [Result<Ws, tungstenite::Error>; 2] {
    let bearer = format!("Bearer {token}");
    [
        server
            .connect_with(PATH, &[("authorization", &bearer)])
            .await,
        server
            .connect_to(&format!("{PATH}&Authorization=Bearer%20{token}"))
            .await,
    ]
}

async fn assert_accepted(server: &TestServer, token: &str, what: &str) {
    for (i, result) in both_forms(server, token).await.into_iter().enumerate() {
        let mut ws = result.unwrap_or_else(|e| panic!("{what}, form {i}: {e}"));
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "session.created", "{what}, form {i}");
        assert_alive(&mut ws).await;
    }
}

/// Refused with 401, the protocol's JSON body and a Bearer challenge, in both forms.
async fn assert_refused(server: &TestServer, token: &str, what: &str) {
    for (i, result) in both_forms(server, token).await.into_iter().enumerate() {
        match result {
            Err(tungstenite::Error::Http(r)) => {
                assert_eq!(r.status().as_u16(), 401, "{what}, form {i}");
                let body: Value = serde_json::from_slice(r.body().as_deref().unwrap_or_default())
                    .unwrap_or_else(|e| panic!("{what}, form {i}: body not JSON: {e}"));
                assert_eq!(body["error"]["code"], "unauthorized", "{what}, form {i}");
                let challenge = r
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                assert!(challenge.starts_with("Bearer"), "{what}, form {i}");
            }
            Err(e) => panic!("{what}, form {i}: expected HTTP 401, got {e}"),
            Ok(_) => panic!("{what}, form {i}: expected HTTP 401, got an upgrade"),
        }
    }
}

#[tokio::test]
async fn hs256_tokens_are_checked_for_signature_times_audience_and_issuer() {
    bounded(async {
        let server = TestServer::start(hs_server_config()).await;
        assert_accepted(&server, &hs(&claims("alice")), "good token").await;
        // Clock skew within the 60 s leeway.
        let mut c = claims("alice");
        c["exp"] = (now() - 30).into();
        c["nbf"] = (now() + 30).into();
        assert_accepted(&server, &hs(&c), "30 s skew").await;

        let mut cases: Vec<(&str, String)> = Vec::new();
        cases.push((
            "bad signature",
            sign(
                Algorithm::HS256,
                None,
                &claims("alice"),
                &EncodingKey::from_secret(b"other"),
            ),
        ));
        let mut c = claims("alice");
        c["exp"] = (now() - 120).into();
        cases.push(("expired beyond the leeway", hs(&c)));
        let mut c = claims("alice");
        c["nbf"] = (now() + 120).into();
        cases.push(("not valid yet", hs(&c)));
        let mut c = claims("alice");
        c.as_object_mut().unwrap().remove("exp");
        cases.push(("no exp", hs(&c)));
        let mut c = claims("alice");
        c["aud"] = "https://someone-else.example".into();
        cases.push(("wrong aud", hs(&c)));
        let mut c = claims("alice");
        c.as_object_mut().unwrap().remove("aud");
        cases.push(("no aud", hs(&c)));
        let mut c = claims("alice");
        c["iss"] = "https://sts.evil.example/".into();
        cases.push(("wrong iss", hs(&c)));
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        cases.push((
            "alg none",
            format!(
                "{}.{}.",
                b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
                b64.encode(claims("alice").to_string())
            ),
        ));
        cases.push((
            "HS512 not configured",
            sign(
                Algorithm::HS512,
                None,
                &claims("alice"),
                &EncodingKey::from_secret(b"jwt-s3cret"),
            ),
        ));
        cases.push(("garbage with dots", "a.b.c".into()));
        for (what, token) in &cases {
            assert_refused(&server, token, what).await;
        }
        // The refusals are counted as 401s.
        let rejected = super::metrics::metric(
            server.addr,
            "voicelive_handshake_rejections_total{status=\"401\"}",
        )
        .await;
        assert_eq!(rejected, (2 * cases.len()) as f64);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rs256_with_a_public_key_refuses_the_hs256_key_confusion() {
    bounded(async {
        let dir = temp_dir("rs256");
        let pub_path = dir.join("pub.pem");
        std::fs::write(&pub_path, RSA_PUB).unwrap();
        let server = TestServer::start(jwt_config(JwtConfig {
            public_key: Some(pub_path),
            ..JwtConfig::default()
        }))
        .await;
        let rsa = EncodingKey::from_rsa_pem(RSA_KEY.as_bytes()).unwrap();
        assert_accepted(
            &server,
            &sign(Algorithm::RS256, None, &claims("bob"), &rsa),
            "RS256",
        )
        .await;
        // HS256 with the public key's PEM as the HMAC secret (the classic confusion).
        let confused = sign(
            Algorithm::HS256,
            None,
            &claims("bob"),
            &EncodingKey::from_secret(RSA_PUB.as_bytes()),
        );
        assert_refused(&server, &confused, "HS256 signed with the RSA public key").await;
        // RS384 is not in the configured algorithms (RS256 by default).
        let rs384 = sign(Algorithm::RS384, None, &claims("bob"), &rsa);
        assert_refused(&server, &rs384, "RS384 not configured").await;
        server.shutdown().await;
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn es256_keys_from_a_jwks_are_picked_by_kid() {
    bounded(async {
        let dir = temp_dir("jwks");
        // Two P-256 keys generated now; the JWKS holds their public halves.
        let pairs: Vec<rcgen::KeyPair> = (0..2)
            .map(|_| rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap())
            .collect();
        let enc: Vec<EncodingKey> = pairs
            .iter()
            .map(|p| EncodingKey::from_ec_pem(p.serialize_pem().as_bytes()).unwrap())
            .collect();
        let jwks: Vec<Value> = enc
            .iter()
            .zip(["key-one", "key-two"])
            .map(|(k, kid)| {
                let mut jwk = serde_json::to_value(
                    jsonwebtoken::jwk::Jwk::from_encoding_key(k, Algorithm::ES256).unwrap(),
                )
                .unwrap();
                jwk["kid"] = kid.into();
                jwk["use"] = "sig".into();
                jwk
            })
            .collect();
        let path = dir.join("jwks.json");
        std::fs::write(&path, json!({ "keys": jwks }).to_string()).unwrap();
        let server = TestServer::start(jwt_config(JwtConfig {
            jwks: Some(path),
            algorithms: vec![Algorithm::ES256],
            ..JwtConfig::default()
        }))
        .await;
        let es =
            |kid: Option<&str>, i: usize| sign(Algorithm::ES256, kid, &claims("carol"), &enc[i]);
        assert_accepted(&server, &es(Some("key-one"), 0), "kid one").await;
        assert_accepted(&server, &es(Some("key-two"), 1), "kid two").await;
        assert_refused(&server, &es(Some("key-one"), 1), "kid one, signed by two").await;
        assert_refused(&server, &es(Some("key-three"), 0), "unknown kid").await;
        assert_refused(&server, &es(None, 0), "no kid with two keys").await;
        server.shutdown().await;
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn api_keys_keep_working_next_to_jwts_and_quotas_are_per_subject() {
    bounded(async {
        let mut config = hs_server_config();
        config.keys = vec![ApiKey::named(
            "svc",
            "plain-key",
            vl_server::auth::KeyQuota::default(),
        )];
        config.limits.max_sessions_per_key = Some(1);
        let server = TestServer::start(config).await;
        // A plain key as Bearer (OpenAI style) and as api-key still works.
        let mut ws = server
            .connect_with(PATH, &[("authorization", "Bearer plain-key")])
            .await
            .unwrap();
        assert_eq!(recv_json(&mut ws).await["type"], "session.created");
        drop(ws);
        tokio::time::sleep(Duration::from_millis(200)).await;
        // One session per subject: dave's second is 429, erin still gets in.
        let dave = format!("Bearer {}", hs(&claims("dave")));
        let mut first = server
            .connect_with(PATH, &[("authorization", &dave)])
            .await
            .unwrap();
        assert_eq!(recv_json(&mut first).await["type"], "session.created");
        let second = server.connect_with(PATH, &[("authorization", &dave)]).await;
        assert_eq!(http_status(second), 429);
        let erin = format!("Bearer {}", hs(&claims("erin")));
        let mut other = server
            .connect_with(PATH, &[("authorization", &erin)])
            .await
            .unwrap();
        assert_eq!(recv_json(&mut other).await["type"], "session.created");
        // A wrong plain key is still 401.
        let wrong = server.connect_with(PATH, &[("api-key", "nope")]).await;
        assert_eq!(http_status(wrong), 401);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_jwt_flags_configure_the_validator() {
    use clap::Parser as _;
    let dir = temp_dir("flags");
    let pub_path = dir.join("pub.pem");
    std::fs::write(&pub_path, RSA_PUB).unwrap();
    let cli = vl_server::config::Cli::parse_from([
        "vl-server",
        "--jwt-public-key",
        pub_path.to_str().unwrap(),
        "--jwt-algorithms",
        "RS256,PS256",
        "--jwt-audience",
        "https://ai.azure.com,https://cognitiveservices.azure.com",
        "--jwt-issuer",
        ISS,
        "--jwt-leeway",
        "30s",
    ]);
    let c = Config::from_cli(cli).unwrap();
    let jwt = c.jwt.unwrap();
    assert_eq!(jwt.algorithms, vec![Algorithm::RS256, Algorithm::PS256]);
    assert_eq!(jwt.audiences.len(), 2);
    assert_eq!(jwt.issuers, vec![ISS.to_owned()]);
    assert_eq!(jwt.leeway, Duration::from_secs(30));
    // HS256 does not fit an RSA key; a leeway over 60 s and two key sources are refused.
    for bad in [
        vec![
            "--jwt-public-key",
            pub_path.to_str().unwrap(),
            "--jwt-algorithms",
            "HS256",
        ],
        vec!["--jwt-secret", "x", "--jwt-leeway", "5m"],
        vec![
            "--jwt-secret",
            "x",
            "--jwt-public-key",
            pub_path.to_str().unwrap(),
        ],
        vec!["--jwt-secret", "x", "--jwt-algorithms", "none"],
    ] {
        let mut args = vec!["vl-server"];
        args.extend(bad.iter().copied());
        let cli = vl_server::config::Cli::parse_from(args.clone());
        assert!(Config::from_cli(cli).is_err(), "{args:?}");
    }
    // The secret never shows in Debug output.
    let cli = vl_server::config::Cli::parse_from(["vl-server", "--jwt-secret", "zq9-secret"]);
    assert!(!format!("{cli:?}").contains("zq9-secret"));
    let c = Config::from_cli(cli).unwrap();
    assert!(!format!("{c:?}").contains("zq9-secret"));
    std::fs::remove_dir_all(&dir).unwrap();
}
