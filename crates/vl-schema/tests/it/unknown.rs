//! Unknown fields are ignored by the decoder and listed by `unknown_fields`.

use vl_schema::{decode_client_event, unknown_fields};

fn unknown(json: &str) -> Vec<String> {
    let event = decode_client_event(json).unwrap();
    unknown_fields(json, &event)
}

#[test]
fn unknown_fields_are_accepted_and_listed_with_their_paths() {
    assert_eq!(
        unknown(r#"{"type":"session.update","session":{"foo":1,"voice":"alloy"}}"#),
        ["session.foo"]
    );
    assert_eq!(
        unknown(
            r#"{"type":"session.update","rtc_configuration":{},"session":{"turn_detection":{"type":"server_vad","bar":true},"tools":[{"type":"function","name":"f","baz":"x"}]}}"#
        ),
        [
            "rtc_configuration",
            "session.tools[0].baz",
            "session.turn_detection.bar"
        ]
    );
    assert_eq!(
        unknown(
            r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi","lang":"en"}]}}"#
        ),
        ["item.content[0].lang"]
    );
}

#[test]
fn append_is_scanned_without_parsing_the_audio() {
    assert_eq!(
        unknown(
            r#"{"type":"input_audio_buffer.append","audio":"AAAA","sample_rate":16000,"event_id":"e"}"#
        ),
        ["sample_rate"]
    );
    assert!(unknown(r#"{"type":"input_audio_buffer.append","audio":"AAAA"}"#).is_empty());
}

#[test]
fn aliases_and_free_form_values_are_not_unknown() {
    assert!(unknown(r#"{"type":"session.update","session":{"max_output_tokens":5,"interim-response":{"type":"static-interim-response"}}}"#).is_empty());
    assert!(unknown(r#"{"type":"session.update","session":{"tools":[{"type":"function","name":"f","parameters":{"type":"object","anything":{"goes":1}}}],"tool_choice":{"type":"function","function":{"name":"f"}}}}"#).is_empty());
    assert!(unknown(r#"{"type":"response.create","response":{"max_response_output_tokens":"inf","invoke_input":{"x":[1,2]}}}"#).is_empty());
}

#[test]
fn unknown_fields_with_null_values_are_not_reported() {
    // Documented limitation: a known optional field sent as null is dropped the same way.
    assert!(
        unknown(r#"{"type":"session.update","session":{"foo":null,"instructions":null}}"#)
            .is_empty()
    );
}

#[test]
fn no_fixture_has_unknown_fields() {
    for (name, text) in crate::fixtures("client") {
        assert!(unknown(&text).is_empty(), "{name}: {:?}", unknown(&text));
    }
}
