//! TLS termination (reliability.md §3) through the real server: a self-signed certificate made
//! with rcgen at test time, a rustls client that trusts only it, a full session over wss://.

use super::*;
use std::sync::Arc;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use vl_server::tls::TlsConfig;

struct Pki {
    dir: std::path::PathBuf,
    cert_der: rustls::pki_types::CertificateDer<'static>,
    tls: TlsConfig,
}

fn self_signed(name: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("vl-tls-it-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let tls = TlsConfig {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&tls.cert, ck.cert.pem()).unwrap();
    std::fs::write(&tls.key, ck.signing_key.serialize_pem()).unwrap();
    Pki {
        dir,
        cert_der: ck.cert.der().clone(),
        tls,
    }
}

fn client(trusted: &rustls::pki_types::CertificateDer<'static>) -> tokio_rustls::TlsConnector {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

type TlsWs = WebSocketStream<tokio_rustls::client::TlsStream<TcpStream>>;

async fn connect_wss(
    addr: SocketAddr,
    connector: &tokio_rustls::TlsConnector,
    key: &str,
) -> Result<TlsWs, String> {
    let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = tokio::time::timeout(STEP, connector.connect(name, tcp))
        .await
        .map_err(|_| "TLS handshake timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]), "ALPN");
    let url = format!(
        "wss://localhost:{}/voice-live/realtime?{QUERY}",
        addr.port()
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("api-key", key.parse().unwrap());
    tokio::time::timeout(STEP, tokio_tungstenite::client_async(request, tls))
        .await
        .map_err(|_| "upgrade timed out".to_owned())?
        .map(|(ws, _)| ws)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_session_runs_over_wss_with_a_self_signed_certificate() {
    bounded(async {
        let pki = self_signed("ok");
        let config = Config {
            tls: Some(pki.tls.clone()),
            ..with_key("tls-k3y")
        };
        let server = TestServer::start(config).await;
        let connector = client(&pki.cert_der);

        let mut ws = connect_wss(server.addr, &connector, "tls-k3y")
            .await
            .unwrap();
        let created = recv_json(&mut ws).await;
        assert_eq!(created["type"], "session.created", "{created}");
        ws.send(Message::Text(
            json!({"type": "session.update", "session": {"instructions": "over tls"}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        let updated = recv_json(&mut ws).await;
        assert_eq!(updated["type"], "session.updated", "{updated}");
        assert_eq!(updated["session"]["instructions"], "over tls");

        // Auth still runs behind TLS.
        let refused = connect_wss(server.addr, &connector, "wrong").await;
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("401")),
            "{:?}",
            refused.map(|_| ())
        );
        // A plain-text WebSocket client on the TLS port gets no session, and a client that
        // does not trust the certificate fails its handshake; neither disturbs the live session.
        let plain = tokio::time::timeout(
            STEP,
            tokio_tungstenite::connect_async(format!(
                "ws://{}/voice-live/realtime?{QUERY}",
                server.addr
            )),
        )
        .await
        .expect("a plain client on the TLS port hung");
        assert!(plain.is_err());
        let other = self_signed("other");
        let untrusted = connect_wss(server.addr, &client(&other.cert_der), "tls-k3y").await;
        assert!(untrusted.is_err());
        ws.send(Message::Text(
            json!({"type": "session.update", "session": {"instructions": "still"}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        assert_eq!(recv_json(&mut ws).await["type"], "session.updated");

        server.shutdown().await;
        std::fs::remove_dir_all(&pki.dir).unwrap();
        std::fs::remove_dir_all(&other.dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_missing_or_mismatched_key_fails_at_startup() {
    bounded(async {
        let pki = self_signed("bad");
        let other = self_signed("bad-other");
        for tls in [
            TlsConfig {
                cert: pki.tls.cert.clone(),
                key: pki.dir.join("missing.pem"),
            },
            TlsConfig {
                cert: pki.tls.cert.clone(),
                key: other.tls.key.clone(),
            },
        ] {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let config = Config {
                tls: Some(tls.clone()),
                ..Config::default()
            };
            let res = tokio::time::timeout(
                STEP,
                vl_server::server::run(listener, config, std::future::pending()),
            )
            .await
            .expect("run did not fail fast");
            assert!(res.is_err(), "{tls:?}");
        }
        std::fs::remove_dir_all(&pki.dir).unwrap();
        std::fs::remove_dir_all(&other.dir).unwrap();
    })
    .await;
}
