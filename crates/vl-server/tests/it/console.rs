//! The browser console at `/` (src/console.rs): the page and its assets with their content
//! types and exact bytes, the other routes untouched, and `--no-console`.

use clap::Parser as _;

use super::*;

/// Status line, lower-cased headers and body of a plain GET.
async fn get_parts(addr: SocketAddr, path: &str) -> (String, Vec<(String, String)>, String) {
    let response = http_get(addr, path).await;
    let (head, body) = response.split_once("\r\n\r\n").expect("no header end");
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_their_content_types() {
    bounded(async {
        let server = TestServer::default().await;
        let want = [
            ("/", "text/html; charset=utf-8", "console/dist/index.html"),
            (
                "/assets/console.js",
                "text/javascript; charset=utf-8",
                "console/dist/assets/console.js",
            ),
            (
                "/assets/worklet.js",
                "text/javascript; charset=utf-8",
                "console/dist/assets/worklet.js",
            ),
            (
                "/assets/console.css",
                "text/css; charset=utf-8",
                "console/dist/assets/console.css",
            ),
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for (path, content_type, file) in want {
            let (status, headers, body) = get_parts(server.addr, path).await;
            assert!(status.starts_with("HTTP/1.1 200"), "{path}: {status}");
            assert_eq!(
                header(&headers, "content-type"),
                Some(content_type),
                "{path}"
            );
            assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
            let on_disk = std::fs::read_to_string(root.join(file)).unwrap();
            assert_eq!(body, on_disk, "{path} is not {file}");
        }
        let (_, headers, body) = get_parts(server.addr, "/").await;
        assert!(body.contains("<title>vl-server console</title>"));
        let csp = header(&headers, "content-security-policy").unwrap();
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        // The other routes are untouched.
        let (status, _, _) = get_parts(server.addr, "/healthz").await;
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        for path in ["/assets/nope.js", "/index.html", "/console"] {
            let (status, _, _) = get_parts(server.addr, path).await;
            assert!(status.starts_with("HTTP/1.1 404"), "{path}: {status}");
        }
        for path in ["/voice-live/realtime", "/assets/voice-live/realtime"] {
            let (status, _, _) = get_parts(server.addr, &format!("{path}?{QUERY}")).await;
            assert!(status.starts_with("HTTP/1.1 426"), "{path}: {status}");
        }
        let _ws = server.open().await;
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn no_console_turns_the_routes_off() {
    bounded(async {
        let cli = vl_server::config::Cli::try_parse_from(["vl-server", "--no-console"]).unwrap();
        let config = Config::from_cli(cli).unwrap();
        assert!(!config.console);
        let server = TestServer::start(config).await;
        for path in ["/", "/assets/console.js"] {
            let (status, _, _) = get_parts(server.addr, path).await;
            assert!(status.starts_with("HTTP/1.1 404"), "{path}: {status}");
        }
        let (status, _, _) = get_parts(server.addr, "/healthz").await;
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        server.shutdown().await;
    })
    .await;
}

#[test]
fn the_console_is_on_by_default() {
    assert!(Config::default().console);
    let cli = vl_server::config::Cli::try_parse_from(["vl-server"]).unwrap();
    assert!(Config::from_cli(cli).unwrap().console);
    let cli =
        vl_server::config::Cli::try_parse_from(["vl-server", "--no-console", "false"]).unwrap();
    assert!(Config::from_cli(cli).unwrap().console);
}
