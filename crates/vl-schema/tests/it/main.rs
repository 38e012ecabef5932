//! Integration tests of vl-schema: one binary, one module per topic.

mod smoke {
    use vl_schema::{ClientEvent, decode_client_event, encode_client_event};

    #[test]
    fn sdk_serializations_decode() {
        for json in [
            r#"{"type":"response.create"}"#,
            r#"{"type":"response.cancel"}"#,
            r#"{"session":{"voice":"alloy"},"type":"session.update"}"#,
            r#"{"session":{"turn_detection":null},"type":"session.update"}"#,
            r#"{"item":{"content":[{"text":"hi","type":"input_text"}],"type":"message","role":"user"},"type":"conversation.item.create"}"#,
        ] {
            let event = decode_client_event(json).unwrap();
            let again: ClientEvent = serde_json::from_str(&encode_client_event(&event)).unwrap();
            assert_eq!(event, again);
            let a: serde_json::Value = serde_json::from_str(json).unwrap();
            let b: serde_json::Value = serde_json::from_str(&encode_client_event(&event)).unwrap();
            assert_eq!(a, b);
        }
    }
}
