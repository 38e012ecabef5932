//! `schema_decode`: client events from arbitrary bytes.
//!
//! Decoding must never panic; whatever decodes must re-encode to JSON that decodes to an equal
//! event. The same bytes also go through the server decoder, the borrowed append parser, the
//! unknown-field scan, validation and the GA dialect mapping, none of which may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vl_schema::{
    decode_client_event, decode_server_event, dialect, encode_client_event, encode_server_event,
    parse_append_ref, unknown_fields, validate,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode_client_event(text) {
        Ok(event) => {
            let encoded = encode_client_event(&event);
            let again = decode_client_event(&encoded)
                .unwrap_or_else(|e| panic!("re-decoding {encoded} failed: {e}"));
            assert_eq!(again, event, "round trip changed the event: {encoded}");
            let _ = unknown_fields(text, &event);
            let _ = validate::validate_client_event(&event);
            let _ = dialect::decode_client_event_in(&encoded, dialect::Dialect::OpenAiGa);
        }
        Err(error) => {
            // Every error maps to a wire error object.
            let wire = error.to_protocol_error();
            assert!(!wire.message.is_empty());
            assert!(wire.message.chars().count() <= 256);
        }
    }
    if let Ok(event) = decode_server_event(text) {
        let encoded = encode_server_event(&event);
        let again = decode_server_event(&encoded)
            .unwrap_or_else(|e| panic!("re-decoding {encoded} failed: {e}"));
        assert_eq!(
            again, event,
            "round trip changed the server event: {encoded}"
        );
        let _ = dialect::encode_server_event_in(&event, dialect::Dialect::OpenAiGa);
    }
    let _ = parse_append_ref(text);
    let _ = dialect::decode_client_event_in(text, dialect::Dialect::OpenAiGa);
});
