//! The browser console at `/`: a small page that talks to this server over the same realtime
//! WebSocket protocol as any client (sources and rebuild steps in `console/README.md`).
//!
//! The built bundle in `console/dist/` is committed and embedded with `include_bytes!`, so
//! building the server needs no Node. Only `/` and the page's own files under `/assets/` are
//! routed; every other path (the realtime endpoints, `/healthz`, `/metrics`) is untouched.
//! `--no-console` (env `VL_NO_CONSOLE`, config key `no_console`) turns the routes off; the
//! console is on by default.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: its URL path, `Content-Type` and bytes.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// URL path the file is served at.
    pub path: &'static str,
    /// Its `Content-Type` header.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
}

/// The console's files, as served.
pub const ASSETS: [Asset; 4] = [
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../../../console/dist/index.html"),
    },
    Asset {
        path: "/assets/console.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../console/dist/assets/console.js"),
    },
    Asset {
        path: "/assets/worklet.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../console/dist/assets/worklet.js"),
    },
    Asset {
        path: "/assets/console.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../console/dist/assets/console.css"),
    },
];

/// The page may load only its own files and connect only to this origin (the realtime
/// WebSocket); media elements play WebRTC streams and nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; media-src 'self' blob:; img-src 'self' data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The console's routes when `enabled`, else an empty router (every path then falls through to
/// the server's other routes, so `/` answers 404 as before).
pub fn router<S: Clone + Send + Sync + 'static>(enabled: bool) -> Router<S> {
    let mut router = Router::new();
    if enabled {
        for asset in ASSETS {
            router = router.route(asset.path, get(move || async move { serve(asset) }));
        }
    }
    router
}

fn serve(asset: Asset) -> Response {
    let mut r = asset.body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.path == "/" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_references_exactly_the_embedded_assets() {
        let page = std::str::from_utf8(ASSETS[0].body).unwrap();
        for asset in &ASSETS[1..] {
            if asset.path == "/assets/worklet.js" {
                // Loaded by the script through audioWorklet.addModule, not by the page.
                let js = std::str::from_utf8(ASSETS[1].body).unwrap();
                assert!(
                    js.contains(asset.path),
                    "console.js does not load {}",
                    asset.path
                );
            } else {
                assert!(
                    page.contains(asset.path),
                    "page does not reference {}",
                    asset.path
                );
            }
        }
        assert!(!page.contains("sourceMappingURL"));
    }

    #[test]
    fn no_route_shadows_a_server_path() {
        for asset in ASSETS {
            assert!(!asset.path.ends_with("/realtime"), "{}", asset.path);
            assert!(!["/healthz", "/metrics"].contains(&asset.path));
        }
    }
}
