//! `session.avatar.connect`: refused without server support, handed to the server with it.

use serde_json::json;
use vl_engine::SessionConfig;

use crate::harness::{Harness, of_type, one};

fn avatar_update() -> serde_json::Value {
    json!({"type": "session.update", "session": {
        "avatar": {"character": "lisa", "style": "casual-sitting",
                   "video": {"resolution": {"width": 640, "height": 480}}},
        "animation": {"outputs": ["viseme_id"]}
    }})
}

fn available() -> Harness {
    let mut config = SessionConfig::new("gpt-4o");
    config.avatar_available = true;
    let mut h = Harness::with_config(config);
    h.take();
    h
}

#[test]
fn connect_without_server_support_is_unsupported() {
    let mut h = Harness::new();
    h.send(avatar_update());
    h.take();
    h.send(json!({"type": "session.avatar.connect", "event_id": "c1", "client_sdp": "eyJ9"}));
    let events = h.take();
    let err = one(&events, "error");
    assert_eq!(err["error"]["code"], "unsupported_feature");
    assert_eq!(err["error"]["event_id"], "c1");
    assert!(h.session.poll_avatar_connect().is_none());
}

#[test]
fn connect_is_handed_to_the_server_with_the_session_avatar() {
    let mut h = available();
    h.send(avatar_update());
    h.take();
    h.send(json!({"type": "session.avatar.connect", "event_id": "c2", "client_sdp": "b2ZmZXI="}));
    let events = h.take();
    assert!(of_type(&events, "error").is_empty(), "{events:?}");
    let connect = h
        .session
        .poll_avatar_connect()
        .expect("handed to the server");
    assert_eq!(connect.client_sdp, "b2ZmZXI=");
    assert_eq!(connect.event_id.as_deref(), Some("c2"));
    assert_eq!(connect.avatar.character, "lisa");
    let res = connect
        .avatar
        .video
        .and_then(|v| v.resolution)
        .expect("resolution");
    assert_eq!((res.width, res.height), (640, 480));
    assert!(h.session.poll_avatar_connect().is_none(), "one per connect");
    // The session stays usable.
    h.send(json!({"type": "session.update", "session": {"instructions": "x"}}));
    assert_eq!(of_type(&h.take(), "session.updated").len(), 1);
}

#[test]
fn connect_needs_an_avatar_and_an_sdp() {
    let mut h = available();
    h.send(json!({"type": "session.avatar.connect", "client_sdp": "b2ZmZXI="}));
    let events = h.take();
    assert_eq!(one(&events, "error")["error"]["param"], "avatar");
    assert!(h.session.poll_avatar_connect().is_none());

    h.send(avatar_update());
    h.take();
    h.send(json!({"type": "session.avatar.connect", "client_sdp": "  "}));
    let events = h.take();
    assert_eq!(one(&events, "error")["error"]["param"], "client_sdp");
    assert!(h.session.poll_avatar_connect().is_none());

    h.send(json!({"type": "session.update", "session": {
        "avatar": {"character": "lisa", "output_protocol": "websocket"}}}));
    h.take();
    h.send(json!({"type": "session.avatar.connect", "client_sdp": "b2ZmZXI="}));
    let events = h.take();
    assert_eq!(
        one(&events, "error")["error"]["code"],
        "unsupported_feature"
    );
    assert!(h.session.poll_avatar_connect().is_none());
}

#[test]
fn a_connected_avatar_gets_visemes_the_client_did_not_ask_for() {
    let mut h = available();
    h.send(json!({"type": "session.update", "session": {
        "avatar": {"character": "lisa", "style": "casual-sitting"}}}));
    h.take();
    assert!(!h.session.client_visemes());
    h.user_text("hello there");
    h.send(json!({"type": "response.create"}));
    let before = h.take();
    assert!(
        of_type(&before, "response.animation_viseme.delta").is_empty(),
        "no visemes without animation.outputs or an avatar"
    );

    h.send(json!({"type": "session.avatar.connect", "client_sdp": "b2ZmZXI="}));
    h.take();
    assert!(h.session.poll_avatar_connect().is_some());
    h.user_text("hello again");
    h.send(json!({"type": "response.create"}));
    let after = h.take();
    let visemes = of_type(&after, "response.animation_viseme.delta");
    assert!(
        visemes.len() > 3,
        "visemes for the avatar: {}",
        visemes.len()
    );
    assert_eq!(of_type(&after, "response.animation_viseme.done").len(), 1);
    assert!(
        !h.session.client_visemes(),
        "the client still did not ask for them"
    );
}

#[test]
fn session_updated_carries_the_server_ice_servers_when_the_client_gave_none() {
    let mut config = SessionConfig::new("gpt-4o");
    config.avatar_available = true;
    config.avatar_ice_servers = vec![
        serde_json::from_value(json!({"urls": ["turn:relay.example:3478"],
            "username": "u", "credential": "c"}))
        .unwrap(),
    ];
    let mut h = Harness::with_config(config);
    h.take();
    h.send(json!({"type": "session.update", "session": {"avatar": {"character": "lisa"}}}));
    let s = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(
        s["avatar"]["ice_servers"],
        json!([{"urls": ["turn:relay.example:3478"], "username": "u", "credential": "c"}])
    );
    // The client's own list is kept.
    h.send(
        json!({"type": "session.update", "session": {"avatar": {"character": "lisa",
        "ice_servers": [{"urls": ["stun:mine.example"]}]}}}),
    );
    let s = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(
        s["avatar"]["ice_servers"],
        json!([{"urls": ["stun:mine.example"]}])
    );

    // A server without avatars adds nothing.
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"avatar": {"character": "lisa"}}}));
    let s = one(&h.take(), "session.updated")["session"].clone();
    assert!(s["avatar"].get("ice_servers").is_none(), "{s}");

    // An avatar server with no ICE servers configured answers [] (host candidates only).
    let mut h = available();
    h.send(json!({"type": "session.update", "session": {"avatar": {"character": "lisa"}}}));
    let s = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(s["avatar"]["ice_servers"], json!([]));
}
