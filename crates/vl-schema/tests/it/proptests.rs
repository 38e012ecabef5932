//! Property tests: arbitrary events round-trip; arbitrary JSON and bytes never panic the decoder.

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::Value;
use vl_schema::audio_format::{InputAudioFormat, Modality, OutputAudioFormat};
use vl_schema::client::{
    ConversationItemCreate, ConversationItemDelete, ConversationItemRetrieve,
    ConversationItemTruncate, InputAudioBufferAppend, InputAudioBufferClear,
    InputAudioBufferCommit, InputAudioTurnAppend, InputAudioTurnStart, InputTextDelta,
    InputTextDone, ResponseCancel, ResponseCreate, ResponseCreateParams, SessionAvatarConnect,
    SessionUpdate,
};
use vl_schema::item::{
    InputTextPart, ItemStatus, RequestContentPart, RequestFunctionCallOutputItem, RequestItem,
    RequestMessageItem, ResponseAudioPart, ResponseContentPart, ResponseItem, ResponseMessageItem,
    Role, TextPart,
};
use vl_schema::server::{
    ConversationItemCreated, ConversationItemTruncated, ErrorEvent, InputAudioBufferCommitted,
    InputAudioBufferSpeechStarted, InputAudioBufferSpeechStopped, ProtocolError, RateLimit,
    RateLimitsUpdated, ReasonDetails, Response, ResponseAudioDelta, ResponseAudioTranscriptDone,
    ResponseDone, ResponseFunctionCallArgumentsDone, ResponseStatus, ResponseTextDelta,
    StatusDetails, Usage, Warning, WarningEvent,
};
use vl_schema::session::{MaxTokens, NoiseReduction, RequestSession};
use vl_schema::tool::{FunctionTool, Tool, ToolChoice};
use vl_schema::turn_detection::{AzureSemanticVad, ServerVad, TurnDetection};
use vl_schema::voice::{OpenAiVoice, Voice};
use vl_schema::{
    ClientEvent, ServerEvent, decode_client_event, decode_server_event, encode_client_event,
    encode_server_event,
};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.,:!?'\"\\\\/\u{e9}\u{4e2d}\u{1f600}-]{0,24}"
}

fn id() -> impl Strategy<Value = String> {
    "[a-z]{2,5}_[A-Za-z0-9]{1,12}"
}

fn event_id() -> impl Strategy<Value = Option<String>> {
    option::of(id())
}

fn b64() -> impl Strategy<Value = String> {
    "([A-Za-z0-9+/]{4}){0,16}"
}

/// Floats with two decimals, as clients send them.
fn float(lo: i32, hi: i32) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(|x| f64::from(x) / 100.0)
}

fn voice() -> impl Strategy<Value = Voice> {
    prop_oneof![
        Just(Voice::Name(OpenAiVoice::Alloy)),
        Just(Voice::Name(OpenAiVoice::Marin)),
        "custom-[a-z]{1,8}".prop_map(|s| Voice::Name(OpenAiVoice::from(s))),
    ]
}

fn turn_detection() -> impl Strategy<Value = TurnDetection> {
    prop_oneof![
        (
            option::of(float(0, 100)),
            option::of(0u32..5000),
            option::of(0u32..5000),
            option::of(any::<bool>())
        )
            .prop_map(
                |(threshold, prefix, silence, create)| TurnDetection::ServerVad(ServerVad {
                    threshold,
                    prefix_padding_ms: prefix,
                    silence_duration_ms: silence,
                    create_response: create,
                    ..ServerVad::default()
                })
            ),
        (option::of(any::<bool>()), option::of(vec("[a-z]{2}", 0..3))).prop_map(
            |(filler, languages)| TurnDetection::AzureSemanticVadMultilingual(AzureSemanticVad {
                remove_filler_words: filler,
                languages,
                ..AzureSemanticVad::default()
            })
        ),
    ]
}

fn patch<T: std::fmt::Debug + Clone + 'static>(
    inner: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<Option<T>>> {
    option::of(option::of(inner))
}

fn tool() -> impl Strategy<Value = Tool> {
    ("[a-z_]{1,12}", option::of(text())).prop_map(|(name, description)| {
        Tool::Function(FunctionTool {
            name,
            description,
            parameters: Some(serde_json::json!({"type": "object"})),
        })
    })
}

fn tool_choice() -> impl Strategy<Value = ToolChoice> {
    prop_oneof![
        Just(ToolChoice::Auto),
        Just(ToolChoice::None),
        Just(ToolChoice::Required),
        "[a-z_]{1,10}".prop_map(|name| ToolChoice::Function { name }),
    ]
}

fn max_tokens() -> impl Strategy<Value = MaxTokens> {
    prop_oneof![
        Just(MaxTokens::Inf),
        (1u32..=4096).prop_map(MaxTokens::Limit)
    ]
}

fn request_session() -> impl Strategy<Value = RequestSession> {
    (
        (
            option::of(text()),
            option::of(float(60, 120)),
            option::of(voice()),
            option::of(prop_oneof![
                Just(vec![Modality::Text]),
                Just(vec![Modality::Text, Modality::Audio])
            ]),
            option::of(prop::sample::select(vec![
                InputAudioFormat::Pcm16,
                InputAudioFormat::G711Ulaw,
            ])),
            option::of(prop::sample::select(OutputAudioFormat::ALL.to_vec())),
        ),
        (
            patch(turn_detection()),
            patch(Just(NoiseReduction {
                kind: "azure_deep_noise_suppression".into(),
            })),
            option::of(vec(tool(), 0..3)),
            option::of(tool_choice()),
            option::of(max_tokens()),
            option::of(btree_map("[a-z]{1,5}", text(), 0..3)),
        ),
    )
        .prop_map(
            |(
                (instructions, temperature, voice, modalities, input_format, output_format),
                (turn_detection, noise, tools, tool_choice, max, metadata),
            )| RequestSession {
                instructions,
                temperature,
                voice,
                modalities,
                input_audio_format: input_format,
                output_audio_format: output_format,
                turn_detection,
                input_audio_noise_reduction: noise,
                tools,
                tool_choice,
                max_response_output_tokens: max,
                metadata,
                ..RequestSession::default()
            },
        )
}

fn request_item() -> impl Strategy<Value = RequestItem> {
    prop_oneof![
        (option::of(id()), vec(text(), 0..3)).prop_map(|(id, texts)| RequestItem::Message(
            RequestMessageItem {
                id,
                role: Role::User,
                content: texts
                    .into_iter()
                    .map(|text| RequestContentPart::InputText(InputTextPart { text }))
                    .collect(),
                status: None,
            }
        )),
        (option::of(id()), text()).prop_map(|(id, text)| RequestItem::Message(
            RequestMessageItem {
                id,
                role: Role::Assistant,
                content: vec![RequestContentPart::Text(TextPart { text })],
                status: Some(ItemStatus::Completed),
            }
        )),
        (id(), text()).prop_map(|(call_id, output)| RequestItem::FunctionCallOutput(
            RequestFunctionCallOutputItem {
                id: None,
                call_id,
                output,
                status: None,
            }
        )),
    ]
}

fn client_event() -> impl Strategy<Value = ClientEvent> {
    prop_oneof![
        (event_id(), request_session()).prop_map(|(event_id, session)| SessionUpdate {
            event_id,
            session
        }
        .into()),
        (event_id(), b64()).prop_map(|(event_id, audio)| InputAudioBufferAppend {
            event_id,
            audio
        }
        .into()),
        event_id().prop_map(|event_id| InputAudioBufferCommit { event_id }.into()),
        event_id().prop_map(|event_id| InputAudioBufferClear { event_id }.into()),
        (event_id(), id(), text(), option::of(0u32..4)).prop_map(
            |(event_id, id, delta, content_index)| InputTextDelta {
                event_id,
                id,
                delta,
                content_index
            }
            .into()
        ),
        (event_id(), id()).prop_map(|(event_id, id)| InputTextDone {
            event_id,
            id,
            content_index: None
        }
        .into()),
        (event_id(), option::of(id()), request_item()).prop_map(
            |(event_id, previous_item_id, item)| ConversationItemCreate {
                event_id,
                previous_item_id,
                item
            }
            .into()
        ),
        (event_id(), id()).prop_map(|(event_id, item_id)| ConversationItemRetrieve {
            event_id,
            item_id
        }
        .into()),
        (event_id(), id(), any::<u32>()).prop_map(|(event_id, item_id, audio_end_ms)| {
            ConversationItemTruncate {
                event_id,
                item_id,
                content_index: 0,
                audio_end_ms,
            }
            .into()
        }),
        (event_id(), id()).prop_map(|(event_id, item_id)| ConversationItemDelete {
            event_id,
            item_id
        }
        .into()),
        (
            event_id(),
            option::of((
                option::of(float(60, 120)),
                option::of(max_tokens()),
                option::of(text()),
                option::of(vec(request_item(), 0..2))
            )),
            option::of(text())
        )
            .prop_map(
                |(event_id, params, additional_instructions)| ResponseCreate {
                    event_id,
                    response: params.map(
                        |(temperature, max_output_tokens, instructions, input_items)| {
                            ResponseCreateParams {
                                temperature,
                                max_output_tokens,
                                instructions,
                                input_items,
                                ..ResponseCreateParams::default()
                            }
                        }
                    ),
                    additional_instructions,
                }
                .into()
            ),
        (event_id(), option::of(id())).prop_map(|(event_id, response_id)| ResponseCancel {
            event_id,
            response_id
        }
        .into()),
        (event_id(), b64()).prop_map(|(event_id, client_sdp)| SessionAvatarConnect {
            event_id,
            client_sdp
        }
        .into()),
        (event_id(), id()).prop_map(|(event_id, turn_id)| InputAudioTurnStart {
            event_id,
            turn_id
        }
        .into()),
        (event_id(), id(), b64()).prop_map(|(event_id, turn_id, audio)| InputAudioTurnAppend {
            event_id,
            turn_id,
            audio
        }
        .into()),
    ]
}

fn response_item() -> impl Strategy<Value = ResponseItem> {
    (
        id(),
        text(),
        prop::sample::select(vec![
            ItemStatus::InProgress,
            ItemStatus::Completed,
            ItemStatus::Incomplete,
        ]),
    )
        .prop_map(|(id, transcript, status)| {
            ResponseItem::Message(ResponseMessageItem {
                id: Some(id),
                object: Some("realtime.item".into()),
                role: Role::Assistant,
                content: vec![ResponseContentPart::Audio(ResponseAudioPart {
                    audio: None,
                    transcript: Some(transcript),
                })],
                status: Some(status),
            })
        })
}

fn server_event() -> impl Strategy<Value = ServerEvent> {
    let ids = || (event_id(), id(), id(), 0u32..4, 0u32..4);
    prop_oneof![
        (ids(), b64()).prop_map(
            |((event_id, response_id, item_id, output_index, content_index), delta)| {
                ResponseAudioDelta {
                    event_id,
                    response_id,
                    item_id,
                    output_index,
                    content_index,
                    delta,
                }
                .into()
            }
        ),
        (ids(), text()).prop_map(
            |((event_id, response_id, item_id, output_index, content_index), delta)| {
                ResponseTextDelta {
                    event_id,
                    response_id,
                    item_id,
                    output_index,
                    content_index,
                    delta,
                }
                .into()
            }
        ),
        (ids(), text()).prop_map(
            |((event_id, response_id, item_id, output_index, content_index), transcript)| {
                ResponseAudioTranscriptDone {
                    event_id,
                    response_id,
                    item_id,
                    output_index,
                    content_index,
                    transcript,
                }
                .into()
            }
        ),
        (event_id(), any::<u32>(), id()).prop_map(|(event_id, audio_start_ms, item_id)| {
            InputAudioBufferSpeechStarted {
                event_id,
                audio_start_ms,
                item_id,
            }
            .into()
        }),
        (event_id(), any::<u32>(), id()).prop_map(|(event_id, audio_end_ms, item_id)| {
            InputAudioBufferSpeechStopped {
                event_id,
                audio_end_ms,
                item_id,
            }
            .into()
        }),
        (event_id(), option::of(id()), id()).prop_map(|(event_id, previous_item_id, item_id)| {
            InputAudioBufferCommitted {
                event_id,
                previous_item_id,
                item_id,
            }
            .into()
        }),
        (event_id(), option::of(id()), response_item()).prop_map(
            |(event_id, previous_item_id, item)| ConversationItemCreated {
                event_id,
                previous_item_id,
                item
            }
            .into()
        ),
        (event_id(), id(), any::<u32>()).prop_map(|(event_id, item_id, audio_end_ms)| {
            ConversationItemTruncated {
                event_id,
                item_id,
                content_index: 0,
                audio_end_ms,
            }
            .into()
        }),
        (
            event_id(),
            option::of(text()),
            text(),
            option::of(text()),
            option::of(id())
        )
            .prop_map(|(event_id, code, message, param, client_id)| ErrorEvent {
                event_id,
                error: ProtocolError {
                    kind: "invalid_request_error".into(),
                    code,
                    message,
                    param,
                    event_id: client_id
                },
            }
            .into()),
        (event_id(), text(), option::of(text())).prop_map(|(event_id, message, code)| {
            WarningEvent {
                event_id,
                warning: Warning {
                    message,
                    code,
                    param: None,
                },
            }
            .into()
        }),
        (
            event_id(),
            id(),
            id(),
            0u32..3,
            id(),
            "[a-z_]{1,10}",
            text()
        )
            .prop_map(
                |(event_id, response_id, item_id, output_index, call_id, name, arguments)| {
                    ResponseFunctionCallArgumentsDone {
                        event_id,
                        response_id,
                        item_id,
                        output_index,
                        call_id,
                        name,
                        arguments,
                    }
                    .into()
                }
            ),
        (
            event_id(),
            vec(
                ("[a-z]{1,8}", any::<u32>(), any::<u32>(), float(0, 6000)),
                0..3
            )
        )
            .prop_map(|(event_id, limits)| RateLimitsUpdated {
                event_id,
                rate_limits: limits
                    .into_iter()
                    .map(|(name, limit, remaining, reset_seconds)| RateLimit {
                        name,
                        limit: limit.into(),
                        remaining: remaining.into(),
                        reset_seconds
                    })
                    .collect(),
            }
            .into()),
        (
            event_id(),
            id(),
            vec(response_item(), 0..3),
            option::of((0u64..1000, 0u64..1000)),
            option::of(id()),
            option::of(max_tokens())
        )
            .prop_map(
                |(event_id, id, output, usage, conversation_id, max_output_tokens)| ResponseDone {
                    event_id,
                    response: Response {
                        id,
                        object: Some("realtime.response".into()),
                        status: ResponseStatus::Cancelled,
                        status_details: Some(StatusDetails::Cancelled(ReasonDetails {
                            reason: Some("turn_detected".into())
                        })),
                        output,
                        usage: usage.map(|(input, out)| Usage {
                            total_tokens: input + out,
                            input_tokens: input,
                            output_tokens: out,
                            ..Usage::default()
                        }),
                        conversation_id,
                        voice: None,
                        modalities: None,
                        output_audio_format: None,
                        temperature: None,
                        max_output_tokens,
                        metadata: None,
                    },
                }
                .into()
            ),
    ]
}

/// Arbitrary JSON values (bounded depth and size).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("session".to_owned()),
                    Just("audio".to_owned()),
                    Just("item".to_owned()),
                    Just("turn_detection".to_owned()),
                    Just("tools".to_owned()),
                    Just("voice".to_owned()),
                    "[a-z_]{1,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn known_type() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        ClientEvent::TYPES
            .iter()
            .chain(ServerEvent::TYPES)
            .copied()
            .collect::<Vec<_>>(),
    )
}

const CODES: &[&str] = &[
    "invalid_json",
    "invalid_event",
    "invalid_type",
    "invalid_value",
    "missing_required_parameter",
    "unknown_event_type",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn client_events_round_trip(event in client_event()) {
        let json = encode_client_event(&event);
        let decoded = decode_client_event(&json).unwrap();
        prop_assert_eq!(&decoded, &event);
        let via_serde: ClientEvent = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&via_serde, &event);
        let value: Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), value);
        prop_assert!(vl_schema::unknown_fields(&json, &decoded).is_empty());
    }

    #[test]
    fn server_events_round_trip(event in server_event()) {
        let json = encode_server_event(&event);
        let decoded = decode_server_event(&json).unwrap();
        prop_assert_eq!(&decoded, &event);
        let via_serde: ServerEvent = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&via_serde, &event);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let text = value.to_string();
        for result in [decode_client_event(&text).err(), decode_server_event(&text).err()].into_iter().flatten() {
            prop_assert!(CODES.contains(&result.code()), "{}", result.code());
            prop_assert!(!result.message().is_empty());
        }
    }

    #[test]
    fn arbitrary_fields_under_a_known_type_never_panic(ty in known_type(), mut value in json_value()) {
        if let Value::Object(map) = &mut value {
            map.insert("type".into(), Value::String(ty.into()));
            map.insert("event_id".into(), Value::String("evt_p".into()));
        }
        let text = value.to_string();
        match decode_client_event(&text) {
            Ok(event) => {
                let again = decode_client_event(&encode_client_event(&event)).unwrap();
                prop_assert_eq!(again, event);
            }
            Err(err) => {
                prop_assert!(CODES.contains(&err.code()));
                if value.is_object() {
                    prop_assert_eq!(err.event_id(), Some("evt_p"));
                }
            }
        }
        if let Ok(event) = decode_server_event(&text) {
            prop_assert_eq!(decode_server_event(&encode_server_event(&event)).unwrap(), event);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = decode_client_event(&text);
        let _ = decode_server_event(&text);
        let _ = vl_schema::parse_append_ref(&text);
    }

    #[test]
    fn append_fast_path_matches_the_typed_path(event_id in event_id(), audio in b64(), extra in option::of(text())) {
        let mut value = serde_json::json!({"type": "input_audio_buffer.append", "audio": audio});
        if let Some(id) = &event_id { value["event_id"] = Value::String(id.clone()); }
        if let Some(extra) = &extra { value["extra"] = Value::String(extra.clone()); }
        let text = value.to_string();
        let fast = decode_client_event(&text).unwrap();
        let typed: ClientEvent = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&fast, &typed);
        let borrowed = vl_schema::parse_append_ref(&text).unwrap();
        prop_assert_eq!(borrowed.event_id, event_id.as_deref());
        prop_assert!(matches!(borrowed.audio, std::borrow::Cow::Borrowed(_)));
        prop_assert_eq!(ClientEvent::from(borrowed.to_owned_event()), fast);
    }
}

#[test]
fn escaped_append_audio_is_unescaped() {
    let text = r#"{"type":"input_audio_buffer.append","audio":"AA\/A"}"#;
    let borrowed = vl_schema::parse_append_ref(text).unwrap();
    assert_eq!(borrowed.audio, "AA/A");
    assert!(matches!(borrowed.audio, std::borrow::Cow::Owned(_)));
    let ClientEvent::InputAudioBufferAppend(owned) = decode_client_event(text).unwrap() else {
        panic!()
    };
    assert_eq!(owned.audio, "AA/A");
    let err = vl_schema::parse_append_ref(r#"{"type":"input_audio_buffer.commit"}"#).unwrap_err();
    assert_eq!(err.param(), Some("type"));
    let err = vl_schema::parse_append_ref(r#"{"type":"input_audio_buffer.append"}"#).unwrap_err();
    assert_eq!(err.code(), "missing_required_parameter");
}

/// Found by `arbitrary_fields_under_a_known_type_never_panic` in CI (2026-12-03): a session given
/// as an array lost the client's `event_id` in its error.
#[test]
fn a_session_given_as_an_array_keeps_the_event_id() {
    for ty in ["transcription_session.update", "session.update"] {
        let text = format!(r#"{{"session":[false],"type":"{ty}","event_id":"evt_p"}}"#);
        let err = decode_client_event(&text).expect_err(&text);
        assert!(CODES.contains(&err.code()), "{ty}: {}", err.code());
        assert_eq!(err.event_id(), Some("evt_p"), "{ty}: {}", err.message());
    }
}
