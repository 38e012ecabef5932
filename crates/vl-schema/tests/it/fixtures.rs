//! Golden fixtures: decode → encode → decode keeps every field, for every wire type.

use std::collections::BTreeSet;

use serde_json::Value;
use vl_schema::{
    ClientEvent, ServerEvent, decode_client_event, decode_server_event, encode_client_event,
    encode_server_event,
};

use crate::{fixtures, json};

#[test]
fn every_client_fixture_round_trips_without_loss() {
    for (name, text) in fixtures("client") {
        let event = decode_client_event(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let encoded = encode_client_event(&event);
        assert_eq!(
            json(&encoded),
            json(&text),
            "{name}: a field was lost or changed"
        );
        let again = decode_client_event(&encoded).unwrap();
        assert_eq!(again, event, "{name}");
        // The derived serde impls agree with the peek-first decoder.
        let derived: ClientEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(derived, event, "{name}: derived Deserialize differs");
        let value: Value = serde_json::to_value(&derived).unwrap();
        assert_eq!(value, json(&text), "{name}");
        assert_eq!(
            Some(event.type_name()),
            json(&text)["type"].as_str(),
            "{name}"
        );
        assert_eq!(event.event_id(), json(&text)["event_id"].as_str(), "{name}");
    }
}

#[test]
fn every_server_fixture_round_trips_without_loss() {
    for (name, text) in fixtures("server") {
        let event = decode_server_event(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let encoded = encode_server_event(&event);
        assert_eq!(
            json(&encoded),
            json(&text),
            "{name}: a field was lost or changed"
        );
        assert_eq!(decode_server_event(&encoded).unwrap(), event, "{name}");
        let derived: ServerEvent = serde_json::from_str(&text).unwrap();
        assert_eq!(derived, event, "{name}: derived Deserialize differs");
        assert_eq!(
            Some(event.type_name()),
            json(&text)["type"].as_str(),
            "{name}"
        );
        assert_eq!(event.event_id(), json(&text)["event_id"].as_str(), "{name}");
    }
}

fn fixture_types(sub: &str) -> BTreeSet<String> {
    fixtures(sub)
        .iter()
        .map(|(_, text)| json(text)["type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_client_wire_type_has_a_fixture() {
    let have = fixture_types("client");
    for wire in ClientEvent::TYPES {
        assert!(have.contains(*wire), "no fixture for client event {wire}");
        let path = crate::fixture_dir("client").join(format!("{wire}.json"));
        assert!(path.exists(), "missing {}", path.display());
    }
    assert!(ClientEvent::TYPES.len() >= 21);
}

#[test]
fn every_server_wire_type_has_a_fixture() {
    let have = fixture_types("server");
    for wire in ServerEvent::TYPES {
        assert!(have.contains(*wire), "no fixture for server event {wire}");
        let path = crate::fixture_dir("server").join(format!("{wire}.json"));
        assert!(path.exists(), "missing {}", path.display());
    }
    assert!(ServerEvent::TYPES.len() >= 56);
}

#[test]
fn wire_type_lists_have_no_duplicates() {
    let client: BTreeSet<_> = ClientEvent::TYPES.iter().collect();
    let server: BTreeSet<_> = ServerEvent::TYPES.iter().collect();
    assert_eq!(client.len(), ClientEvent::TYPES.len());
    assert_eq!(server.len(), ServerEvent::TYPES.len());
}

#[test]
fn fixtures_fill_every_field_of_the_main_events() {
    // A fixture that omitted optional fields would let a lost field go unnoticed.
    let text =
        std::fs::read_to_string(crate::fixture_dir("client").join("session.update.json")).unwrap();
    let session = json(&text)["session"].clone();
    for key in [
        "model",
        "modalities",
        "animation",
        "voice",
        "instructions",
        "input_audio_sampling_rate",
        "input_audio_format",
        "output_audio_format",
        "input_audio_noise_reduction",
        "input_audio_echo_cancellation",
        "avatar",
        "input_audio_transcription",
        "output_audio_timestamp_types",
        "tools",
        "tool_choice",
        "temperature",
        "max_response_output_tokens",
        "turn_detection",
        "parallel_tool_calls",
        "reasoning_effort",
        "interim_response",
        "include",
        "metadata",
    ] {
        assert!(
            session.get(key).is_some(),
            "session.update fixture lacks {key}"
        );
    }
}

#[test]
fn sdk_serializations_decode_to_the_expected_values() {
    use vl_schema::item::{RequestContentPart, RequestItem, Role};
    use vl_schema::voice::{OpenAiVoice, Voice};

    let read = |name: &str| {
        std::fs::read_to_string(crate::fixture_dir("client").join(format!("sdk.{name}.json")))
            .unwrap()
    };
    let ClientEvent::SessionUpdate(update) =
        decode_client_event(&read("session.update.voice_string")).unwrap()
    else {
        panic!("not a session.update")
    };
    assert_eq!(update.session.voice, Some(Voice::Name(OpenAiVoice::Alloy)));
    assert_eq!(update.event_id, None);

    let ClientEvent::SessionUpdate(update) =
        decode_client_event(&read("session.update.turn_detection_null")).unwrap()
    else {
        panic!("not a session.update")
    };
    assert_eq!(update.session.turn_detection, Some(None));

    let ClientEvent::ConversationItemCreate(create) =
        decode_client_event(&read("conversation.item.create.input_text")).unwrap()
    else {
        panic!("not a conversation.item.create")
    };
    let RequestItem::Message(message) = create.item else {
        panic!("not a message")
    };
    assert_eq!(message.role, Role::User);
    assert!(matches!(&message.content[..], [RequestContentPart::InputText(t)] if t.text == "hi"));

    assert!(matches!(
        decode_client_event(&read("response.create")).unwrap(),
        ClientEvent::ResponseCreate(r) if r.response.is_none() && r.event_id.is_none()
    ));
    // The SDK omits `event_id`; so does the encoder.
    let encoded = encode_client_event(&decode_client_event(&read("response.cancel")).unwrap());
    assert_eq!(encoded, r#"{"type":"response.cancel"}"#);
}

#[test]
fn integers_stay_integers() {
    let text = std::fs::read_to_string(
        crate::fixture_dir("client").join("conversation.item.truncate.json"),
    )
    .unwrap();
    let encoded = encode_client_event(&decode_client_event(&text).unwrap());
    assert!(encoded.contains(r#""audio_end_ms":1500"#), "{encoded}");
    assert!(!encoded.contains("1500.0"));
}

#[test]
fn server_event_shapes_match_the_protocol() {
    use vl_schema::server::{InputAudioBufferCommitted, ProtocolError};
    // previous_item_id is always sent (null for the first item), error fields as null.
    let committed = ServerEvent::from(InputAudioBufferCommitted {
        event_id: Some("e".into()),
        previous_item_id: None,
        item_id: "item_1".into(),
    });
    assert_eq!(
        json(&encode_server_event(&committed)),
        json(
            r#"{"type":"input_audio_buffer.committed","event_id":"e","previous_item_id":null,"item_id":"item_1"}"#
        )
    );
    let error = ServerEvent::Error(vl_schema::server::ErrorEvent {
        event_id: Some("event_9".into()),
        error: ProtocolError::invalid_request("invalid_json", "bad", None),
    });
    assert_eq!(
        json(&encode_server_event(&error)),
        json(
            r#"{"type":"error","event_id":"event_9","error":{"type":"invalid_request_error","code":"invalid_json","message":"bad","param":null,"event_id":null}}"#
        )
    );
}
