//! Malformed input: each case asserts the exact error kind, wire code, param path and echoed
//! `event_id`.

use vl_schema::{DecodeErrorKind, FieldProblem, decode_client_event, decode_server_event};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Syntax,
    NotAnObject,
    MissingType,
    TypeField,
    Unknown,
    Field(FieldProblem),
}

use FieldProblem::{InvalidValue, Missing, WrongType};
use Kind::{Field, MissingType, NotAnObject, Syntax, TypeField, Unknown};

fn check_error(
    err: &vl_schema::DecodeError,
    input: &str,
    kind: Kind,
    code: &str,
    param: Option<&str>,
    event_id: Option<&str>,
) {
    let ok = match (kind, err.kind()) {
        (Syntax, DecodeErrorKind::Syntax)
        | (NotAnObject, DecodeErrorKind::NotAnObject)
        | (MissingType, DecodeErrorKind::MissingType)
        | (TypeField, DecodeErrorKind::InvalidTypeField)
        | (Unknown, DecodeErrorKind::UnknownType { .. }) => true,
        (Field(want), DecodeErrorKind::InvalidField { problem, path }) => {
            *problem == want && Some(path.as_str()) == param
        }
        _ => false,
    };
    assert!(ok, "{input}: kind {:?}, expected {kind:?}", err.kind());
    assert_eq!(err.code(), code, "{input}: code ({})", err.message());
    assert_eq!(err.param(), param, "{input}: param");
    assert_eq!(err.event_id(), event_id, "{input}: event_id");
    assert!(!err.message().is_empty());
    assert!(
        err.message().chars().count() <= 256,
        "{input}: message too long"
    );
    let wire = err.to_protocol_error();
    assert_eq!(wire.code.as_deref(), Some(code));
    assert_eq!(wire.param.as_deref(), param);
    assert_eq!(wire.event_id.as_deref(), event_id);
    assert_eq!(wire.kind.as_str(), "invalid_request_error");
}

fn case(input: &str, kind: Kind, code: &str, param: Option<&str>, event_id: Option<&str>) {
    let err = decode_client_event(input).expect_err(input);
    check_error(&err, input, kind, code, param, event_id);
}

/// (input, kind, code, param, echoed event_id).
type Case = (
    &'static str,
    Kind,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    // C1: truncated / not JSON.
    (r#"{"type":"#, Syntax, "invalid_json", None, None),
    ("", Syntax, "invalid_json", None, None),
    (
        "{'type':'response.create'}",
        Syntax,
        "invalid_json",
        None,
        None,
    ),
    (
        r#"{"type":"response.create"} x"#,
        Syntax,
        "invalid_json",
        None,
        None,
    ),
    // C2: not an object.
    ("[]", NotAnObject, "invalid_event", None, None),
    (r#""x""#, NotAnObject, "invalid_event", None, None),
    ("42", NotAnObject, "invalid_event", None, None),
    ("null", NotAnObject, "invalid_event", None, None),
    (
        r#"["input_audio_buffer.append","AAAA"]"#,
        NotAnObject,
        "invalid_event",
        None,
        None,
    ),
    // C3: no type.
    ("{}", MissingType, "invalid_event", None, None),
    (
        r#"{"event_id":"e1"}"#,
        MissingType,
        "invalid_event",
        None,
        Some("e1"),
    ),
    // C4: type not a string.
    (
        r#"{"type":42,"event_id":"e2"}"#,
        TypeField,
        "invalid_type",
        Some("type"),
        Some("e2"),
    ),
    (
        r#"{"type":null}"#,
        TypeField,
        "invalid_type",
        Some("type"),
        None,
    ),
    (
        r#"{"type":["session.update"]}"#,
        TypeField,
        "invalid_type",
        Some("type"),
        None,
    ),
    // C5: unknown type, or a server-only type sent by the client.
    (
        r#"{"type":"foo.bar","event_id":"e3"}"#,
        Unknown,
        "unknown_event_type",
        Some("type"),
        Some("e3"),
    ),
    (
        r#"{"type":"session.created"}"#,
        Unknown,
        "unknown_event_type",
        Some("type"),
        None,
    ),
    (
        r#"{"type":"error"}"#,
        Unknown,
        "unknown_event_type",
        Some("type"),
        None,
    ),
    // C9: required field missing.
    (
        r#"{"type":"input_audio_buffer.append","event_id":"e4"}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("audio"),
        Some("e4"),
    ),
    (
        r#"{"type":"session.update"}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("session"),
        None,
    ),
    (
        r#"{"type":"conversation.item.create","item":{"type":"function_call_output","output":"x"}}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("item.call_id"),
        None,
    ),
    (
        r#"{"type":"conversation.item.truncate","item_id":"i","audio_end_ms":5}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("content_index"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"threshold":0.5}}}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("session.turn_detection.type"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"tools":[{"type":"function","name":"a"},{"type":"function"}]}}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("session.tools[1].name"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"voice":{"type":"azure-custom","name":"v"}}}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("session.voice.endpoint_id"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"tool_choice":{"type":"function"}}}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("session.tool_choice.name"),
        None,
    ),
    (
        r#"{"type":"input_text.delta","id":"item_1"}"#,
        Field(Missing),
        "missing_required_parameter",
        Some("delta"),
        None,
    ),
    // C7: wrong JSON type (null where not allowed included).
    (
        r#"{"type":"input_audio_buffer.append","audio":42}"#,
        Field(WrongType),
        "invalid_type",
        Some("audio"),
        None,
    ),
    (
        r#"{"type":"input_audio_buffer.append","audio":null,"event_id":"e5"}"#,
        Field(WrongType),
        "invalid_type",
        Some("audio"),
        Some("e5"),
    ),
    (
        r#"{"type":"input_audio_buffer.append","audio":"AAAA","event_id":7}"#,
        Field(WrongType),
        "invalid_type",
        Some("event_id"),
        None,
    ),
    (
        r#"{"type":"input_audio_buffer.commit","event_id":{"a":1}}"#,
        Field(WrongType),
        "invalid_type",
        Some("event_id"),
        None,
    ),
    (
        r#"{"type":"session.update","session":null}"#,
        Field(WrongType),
        "invalid_type",
        Some("session"),
        None,
    ),
    // An array where an object belongs: serde's derived struct decoding would take the fields
    // in order (`[false]` as `commit: false`); the wire only has objects.
    (
        r#"{"type":"response.create","response":[false],"event_id":"e6"}"#,
        Field(WrongType),
        "invalid_type",
        Some("response"),
        Some("e6"),
    ),
    (
        r#"{"type":"session.update","session":["hi"]}"#,
        Field(WrongType),
        "invalid_type",
        Some("session"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"type":"server_vad","threshold":0.5},"input_audio_noise_reduction":["azure_deep_noise_suppression"]}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.input_audio_noise_reduction"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"temperature":"hot"}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.temperature"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"type":"server_vad","threshold":"high"}}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.turn_detection.threshold"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"input_audio_sampling_rate":1.5}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.input_audio_sampling_rate"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"voice":42}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.voice"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"modalities":"text"}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.modalities"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"tool_choice":42}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.tool_choice"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"type":"server_vad","end_of_utterance_detection":{"timeout_ms":"soon"}}}}"#,
        Field(WrongType),
        "invalid_type",
        Some("session.turn_detection.end_of_utterance_detection.timeout_ms"),
        None,
    ),
    (
        r#"{"type":"input_text.delta","id":"item_1","delta":null}"#,
        Field(WrongType),
        "invalid_type",
        Some("delta"),
        None,
    ),
    (
        r#"{"type":"response.create","response":{"voice":{"type":"azure-standard","name":7}}}"#,
        Field(WrongType),
        "invalid_type",
        Some("response.voice.name"),
        None,
    ),
    // C8: bad enum value or out of range for the integer type.
    (
        r#"{"type":"session.update","session":{"input_audio_format":"mp3"}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.input_audio_format"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"output_audio_format":"pcm16_96000hz"}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.output_audio_format"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"type":"magic_vad"}}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.turn_detection.type"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"input_audio_sampling_rate":-1}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.input_audio_sampling_rate"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"turn_detection":{"type":"server_vad","silence_duration_ms":5000000000}}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.turn_detection.silence_duration_ms"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"tools":[{"type":"browser"}]}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.tools[0].type"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"modalities":["text","video"]}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.modalities[1]"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"max_response_output_tokens":"lots"}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.max_response_output_tokens"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"input_audio_echo_cancellation":{"reference_source":"both"}}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.input_audio_echo_cancellation.reference_source"),
        None,
    ),
    (
        r#"{"type":"session.update","session":{"interim_response":{"type":"dynamic_interim_response"}}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("session.interim_response.type"),
        None,
    ),
    (
        r#"{"type":"conversation.item.create","item":{"type":"message","role":"robot","content":[]}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("item.role"),
        None,
    ),
    (
        r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_video","url":"x"}]}}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("item.content[0].type"),
        None,
    ),
    (
        r#"{"type":"conversation.item.truncate","item_id":"i","content_index":0,"audio_end_ms":-5}"#,
        Field(InvalidValue),
        "invalid_value",
        Some("audio_end_ms"),
        None,
    ),
    // C10: duplicate keys, nesting beyond serde_json's limit.
    (
        r#"{"type":"response.create","type":"response.cancel"}"#,
        Syntax,
        "invalid_json",
        None,
        None,
    ),
    (
        r#"{"type":"input_audio_buffer.append","audio":"AAAA","audio":"BBBB"}"#,
        Syntax,
        "invalid_json",
        None,
        None,
    ),
    (
        r#"{"type":"input_text.done","id":"a","id":"b"}"#,
        Syntax,
        "invalid_json",
        None,
        None,
    ),
];

#[test]
fn malformed_client_events_give_exact_errors() {
    assert!(CASES.len() >= 30);
    for (input, kind, code, param, event_id) in CASES {
        case(input, *kind, code, *param, *event_id);
    }
}

#[test]
fn deep_nesting_is_invalid_json_without_overflow() {
    let deep = format!(
        r#"{{"type":"input_audio_buffer.commit","x":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    case(&deep, Syntax, "invalid_json", None, None);
    let deep_in_session = format!(
        r#"{{"type":"session.update","session":{{"tools":[{{"type":"function","name":"f","parameters":{}1{}}}]}}}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    case(&deep_in_session, Syntax, "invalid_json", None, None);
}

#[test]
fn huge_number_literal_does_not_panic() {
    let input = format!(
        r#"{{"type":"session.update","session":{{"temperature":{}}}}}"#,
        "9".repeat(1_000_000)
    );
    let err = decode_client_event(&input).expect_err("a 1 MB number is not a temperature");
    assert!(
        matches!(err.code(), "invalid_json" | "invalid_value"),
        "{}",
        err.code()
    );
    assert!(err.message().len() <= 1024);
}

#[test]
fn oversize_strings_are_bounded_in_errors() {
    let long_type = "x".repeat(10_000);
    let err = decode_client_event(&format!(r#"{{"type":"{long_type}"}}"#)).unwrap_err();
    let DecodeErrorKind::UnknownType { type_name } = err.kind() else {
        panic!("{:?}", err.kind())
    };
    assert_eq!(type_name.len(), 128);
    assert!(err.message().chars().count() <= 256);

    let long_id = "e".repeat(5_000);
    let err =
        decode_client_event(&format!(r#"{{"type":"nope","event_id":"{long_id}"}}"#)).unwrap_err();
    assert_eq!(err.event_id().map(str::len), Some(512));

    // A wrong-type value is never echoed back.
    let secret = "s3cr3t".repeat(1000);
    let err = decode_client_event(&format!(
        r#"{{"type":"session.update","session":{{"temperature":"{secret}"}}}}"#
    ))
    .unwrap_err();
    assert!(!err.message().contains("s3cr3t"), "{}", err.message());
}

#[test]
fn malformed_server_events_give_exact_errors() {
    let err = decode_server_event(
        r#"{"type":"error","event_id":"event_1","error":{"type":"server_error"}}"#,
    )
    .unwrap_err();
    check_error(
        &err,
        "error without message",
        Field(Missing),
        "missing_required_parameter",
        Some("error.message"),
        Some("event_1"),
    );
    let err = decode_server_event(r#"{"type":"response.audio.delta","response_id":"r","item_id":"i","output_index":"0","content_index":0,"delta":""}"#)
        .unwrap_err();
    check_error(
        &err,
        "output_index string",
        Field(WrongType),
        "invalid_type",
        Some("output_index"),
        None,
    );
    let err = decode_server_event(r#"{"type":"session.created","session":{"turn_detection":{"type":"server_vad","threshold":[]}}}"#)
        .unwrap_err();
    check_error(
        &err,
        "threshold array",
        Field(WrongType),
        "invalid_type",
        Some("session.turn_detection.threshold"),
        None,
    );
    let err = decode_server_event(
        r#"{"type":"response.done","response":{"id":"r","status":"exploded"}}"#,
    )
    .unwrap_err();
    check_error(
        &err,
        "status",
        Field(InvalidValue),
        "invalid_value",
        Some("response.status"),
        None,
    );
    let err =
        decode_server_event(r#"{"type":"input_audio_buffer.append","audio":""}"#).unwrap_err();
    check_error(
        &err,
        "client type as server",
        Unknown,
        "unknown_event_type",
        Some("type"),
        None,
    );
}

#[test]
fn valid_event_after_errors_still_decodes() {
    // Errors leave no state behind: the decoder is a pure function.
    for (input, ..) in CASES {
        let _ = decode_client_event(input);
    }
    assert!(decode_client_event(r#"{"type":"input_audio_buffer.commit"}"#).is_ok());
}
