"""Fully populated SDK server events, generated from the SDK's own type annotations.

For every `ServerEvent` subclass of azure-ai-voicelive, `generate(cls)` builds an instance with
every declared field set (nested models too; a list of a discriminated base gets one element per
subclass, so `response.done` carries every item kind). Values come from the annotations
(Literal/enum values, ints, strings) with realistic overrides by field name. The JSON is what an
SDK-shaped server would send; vl-schema must decode it and re-encode it unchanged.
"""

from __future__ import annotations

import base64
import datetime
import enum
import typing
from typing import Any

import azure.ai.voicelive.models as m
from azure.ai.voicelive._utils.model_base import Model

from sdk_walk import annotation, discriminator_of, is_base, rest_fields

# Field-name overrides (rest name -> value), checked before the type-driven default.
BY_NAME: dict[str, Any] = {
    "event_id": "event_1",
    "item_id": "item_1",
    "response_id": "resp_1",
    "previous_item_id": "item_0",
    "call_id": "call_1",
    "approval_request_id": "mcpr_1",
    "conversation_id": "conv_1",
    "thread_id": "thread_1",
    "agent_id": "agent_1",
    "turn_id": "turn_1",
    "arguments": '{"city":"Paris"}',
    "name": "get_weather",
    "server_label": "docs",
    "server_url": "https://mcp.example.com/sse",
    "authorization": "Bearer t",
    "transcript": "hello there",
    "text": "hello there",
    "instructions": "Be brief.",
    "message": "Something went wrong.",
    "code": "invalid_value",
    "param": "session.voice",
    "model": "gpt-realtime",
    "server_sdp": base64.b64encode(b'{"type":"answer","sdp":"v=0\\r\\n"}').decode(),
    "codec": "h264",
    "timestamp_type": "word",
    "frames": [[0.0, 0.25, 0.5], [0.1, 0.2, 0.3]],
    "frame_index": 0,
    "viseme_id": 7,
    "audio_offset_ms": 120,
    "audio_duration_ms": 300,
    "audio_start_ms": 1000,
    "audio_end_ms": 1500,
    "output_index": 0,
    "content_index": 0,
    "annotation_index": 0,
    "sequence_number": 1,
    "annotation": {"type": "url_citation", "url": "https://example.com", "title": "Example"},
    "invoke_input": {"query": "weather"},
    "modalities": ["text", "audio"],
    "temperature": 0.8,
    "threshold": 0.5,
    "input_audio_sampling_rate": 24000,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 500,
    "speech_duration_ms": 80,
    "timeout_ms": 1000,
    "latency_threshold_ms": 2000,
    "max_completion_tokens": 50,
    "max_response_output_tokens": 1024,
    "max_output_tokens": 1024,
    "channels": 1,
    "bitrate": 2000000,
    "gop_size": 10,
    "top_left": [0, 0],
    "bottom_right": [1920, 1080],
    "width": 1920,
    "height": 1080,
    "color": "#00FF00FF",
    "image_url": None,  # background: color xor image_url
    "urls": ["turn:relay.example.com:3478"],
    "username": "u",
    "credential": "c",
    "character": "lisa",
    "style": "casual-sitting",
    "language": "en-US",
    "languages": ["en-US"],
    "locale": "en-US",
    "prefer_locales": ["en-US"],
    "phrase_list": ["Contoso"],
    "custom_speech": {"en-US": "00000000-0000-0000-0000-000000000000"},
    "metadata": {"k": "v"},
    "headers": {"x-tenant": "contoso"},
    "allowed_tools": ["search"],
    "require_approval": "never",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "input_schema": {"type": "object", "properties": {}},
    "annotations": {"readOnlyHint": True},
    "custom_lexicon_url": "https://example.com/lexicon.xml",
    "custom_text_normalization_url": "https://example.com/tn.json",
    "endpoint_id": "6f0b7c3e-0000-0000-0000-000000000000",
    "pitch": "+5%",
    "rate": "1.1",
    "volume": "+10%",
    "texts": ["One moment."],
    "triggers": ["latency"],
    "outputs": ["blendshapes"],
    "model_name": "default",
    "output_audio_timestamp_types": ["word"],
    "queries": ["weather paris"],
    "token": "hel",
    "logprob": -0.25,
    "bytes": [104, 101, 108],
    "offset_milliseconds": 0,
    "duration_milliseconds": 480,
    "confidence": 0.93,
    "file_id": "file_1",
    "filename": "notes.txt",
    "score": 0.87,
    "attributes": {"author": "me"},
    "delta_text": "Hel",
    "obfuscation": "xyz",
    "description": "A tool",
    "reason": "approved",
    "zoom": 1.0,
    "position_x": 0.0,
    "position_y": 0.0,
    "rotation_x": 0.0,
    "rotation_y": 0.0,
    "rotation_z": 0.0,
    "amplitude": 0.5,
}

# (class name, rest name) overrides, for names whose meaning depends on the class.
BY_CLASS: dict[tuple[str, str], Any] = {
    ("ResponseSession", "id"): "sess_1",
    ("Response", "id"): "resp_1",
    ("ResponseSession", "expires_at"): datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc),
    ("ResponseSession", "voice"): "alloy",
    ("Response", "voice"): "alloy",
    ("ServerEventErrorDetails", "type"): "invalid_request_error",
    ("ServerEventErrorDetails", "event_id"): "event_client_1",
    ("VoiceLiveErrorDetails", "type"): "server_error",
    ("VoiceLiveErrorDetails", "event_id"): None,
    ("ServerEventResponseInvocationDelta", "delta"): {"kind": "progress", "value": 0.5},
    ("ServerEventResponseVideoDelta", "delta"): base64.b64encode(b"\x00\x00\x00\x01\x67").decode(),
    ("ServerEventResponseAudioDelta", "delta"): bytes(range(16)),
    ("ServerEventResponseMcpCallArgumentsDelta", "delta"): '{"q":',
    ("ServerEventResponseFunctionCallArgumentsDelta", "delta"): '{"city":',
    ("ResponseFailedDetails", "error"): {"type": "server_error", "code": "internal_error"},
    ("ResponseMCPCallItem", "error"): {"type": "http_error", "code": 502, "message": "Bad gateway"},
    ("ServerEventResponseContentPartAdded", "part"): {"type": "text", "text": ""},
    ("ServerEventResponseContentPartDone", "part"): {"type": "text", "text": "Sunny, 21 C."},
    ("AgentConfig", "name"): "my-agent",
    ("AgentConfig", "description"): "An agent",
    ("AudioInputTranscriptionOptions", "model"): "azure-speech",
    ("AvatarConfig", "model"): None,
    ("AvatarConfig", "avatar_type"): "video-avatar",
    ("Background", "image_url"): None,
    ("LlmInterimResponseConfig", "model"): "gpt-4.1-mini",
    ("ResponseMessageItem", "role"): "assistant",
    ("ResponseMessageItem", "content"): [
        {"type": "text", "text": "Sunny, 21 C."},
        {"type": "audio", "transcript": "Sunny, 21 C."},
    ],
    ("ResponseFunctionCallOutputItem", "output"): '{"temp_c":21}',
    ("ResponseMCPCallItem", "output"): "3 results",
    ("ResponseCancelledDetails", "reason"): "turn_detected",
    ("ResponseIncompleteDetails", "reason"): "max_output_tokens",
}

_UNSET = object()


def _pick(cls_name: str, rest: str) -> Any:
    if rest == "id" and cls_name.startswith("Response") and cls_name.endswith("Item"):
        return "item_1"
    if (cls_name, rest) in BY_CLASS:
        return BY_CLASS[(cls_name, rest)]
    if rest in BY_NAME:
        return BY_NAME[rest]
    return _UNSET


def _subclasses(base: type) -> list[type]:
    return list(dict.fromkeys(base.__dict__["__mapping__"].values()))


def _leaf(cls: type, depth: int = 0) -> type:
    while is_base(cls):
        cls = _subclasses(cls)[0]
    return cls


def gen_model(cls: type, depth: int = 0) -> Model:
    cls = _leaf(cls)
    kwargs: dict[str, Any] = {}
    for rest, (attr, rf) in rest_fields(cls).items():
        if rf._is_discriminator:
            continue  # set by the class
        v = _pick(cls.__name__, rest)
        if v is _UNSET:
            v = gen_type(annotation(cls, attr), rest, depth + 1)
        if v is not None:
            kwargs[attr] = v
    return cls(**kwargs)


def gen_type(tp: Any, rest: str, depth: int) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return {"k": "v"}
    if origin is typing.Union:
        arms = [a for a in args if a is not type(None)]
        models = [a for a in arms if isinstance(a, type) and issubclass(a, Model)]
        if models and depth < 8:
            return gen_model(models[0], depth)
        for a in arms:
            if a is not str:
                return gen_type(a, rest, depth)
        return gen_type(arms[0], rest, depth)
    if origin is typing.Literal:
        a = args[0]
        return a.value if isinstance(a, enum.Enum) else a
    if origin is list:
        (elem,) = args
        if isinstance(elem, type) and issubclass(elem, Model) and is_base(elem):
            # Plain dicts: SDK 1.3.1 stores a generator when given a list of discriminated models.
            return [gen_model(sub, depth).as_dict() for sub in _all_leaves(elem)]
        item = gen_type(elem, rest, depth)
        return [item.as_dict() if isinstance(item, Model) else item]
    if origin is dict:
        return {"k": gen_type(args[1], rest, depth)}
    if isinstance(tp, type):
        if issubclass(tp, Model):
            return gen_model(tp, depth)
        if issubclass(tp, enum.Enum):
            return next(iter(tp)).value
        if tp is bool:
            return True
        if tp is int:
            return 1
        if tp is float:
            return 0.5
        if tp is str:
            return f"{rest}_1"
        if tp is bytes:
            return b"\x00\x01\x02\x03"
        if tp is datetime.datetime:
            return datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc)
    raise TypeError(f"cannot generate a value for {tp!r} ({rest})")


def _all_leaves(base: type) -> list[type]:
    out: list[type] = []
    for sub in _subclasses(base):
        if is_base(sub):
            out.extend(_all_leaves(sub))
        else:
            out.append(sub)
    return list(dict.fromkeys(out))


def generate(cls: type) -> Model:
    return gen_model(cls)


__all__ = ["generate", "discriminator_of"]


def _session_from_request(req: Model) -> Model:
    """A ResponseSession (server view) carrying every field of a full RequestSession."""
    nullable = {  # null = "off" (protocol.md §2 session.update); other nulls are just absent
        "turn_detection",
        "input_audio_noise_reduction",
        "input_audio_echo_cancellation",
        "input_audio_transcription",
    }
    data = {k: v for k, v in req.as_dict().items() if v is not None or k in nullable}
    data["id"] = "sess_1"
    data["expires_at"] = 1796115600
    return m.ResponseSession(data)


def _extra_cases() -> dict[str, Any]:
    from sdk_recipes import TURN_DETECTIONS, VOICES, full_session

    cases: dict[str, Any] = {}
    for v in VOICES:
        cases[f"session.updated/voice={v}"] = lambda v=v: m.ServerEventSessionUpdated(
            event_id="event_2", session=_session_from_request(full_session(voice=v))
        )
    for t in TURN_DETECTIONS:
        cases[f"session.created/turn_detection={t}"] = lambda t=t: m.ServerEventSessionCreated(
            event_id="event_1", session=_session_from_request(full_session(turn=t))
        )
    cases["session.updated/features-off"] = lambda: m.ServerEventSessionUpdated(
        event_id="event_3",
        session=_session_from_request(
            full_session(
                turn="null",
                input_audio_noise_reduction=None,
                input_audio_echo_cancellation=None,
                input_audio_transcription=None,
                avatar=None,
                interim_response=None,
            )
        ),
    )
    for details in (
        {"type": "cancelled", "reason": "client_cancelled"},
        {"type": "incomplete", "reason": "content_filter"},
        {"type": "failed", "error": {"type": "server_error", "code": "internal_error"}},
    ):
        cases[f"response.done/status={details['type']}"] = lambda d=details: m.ServerEventResponseDone(
            event_id="event_4",
            response=m.Response(
                {
                    "id": "resp_1",
                    "object": "realtime.response",
                    "status": d["type"],
                    "status_details": d,
                    "output": [],
                    "conversation_id": "conv_1",
                }
            ),
        )
    cases["conversation.item.created/user-audio"] = lambda: m.ServerEventConversationItemCreated(
        event_id="event_5",
        previous_item_id=None,
        item=m.ResponseMessageItem(
            {
                "id": "item_1",
                "object": "realtime.item",
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": [
                    {"type": "input_audio", "transcript": None},
                    {"type": "input_text", "text": "and in Rome?"},
                ],
            }
        ),
    )
    cases["response.content_part.added/empty-audio"] = lambda: m.ServerEventResponseContentPartAdded(
        event_id="event_6",
        response_id="resp_1",
        item_id="item_2",
        output_index=0,
        content_index=0,
        part=m.ResponseAudioContentPart(transcript=""),
    )
    cases["response.animation_blendshapes.delta/string-frames"] = (
        lambda: m.ServerEventResponseAnimationBlendshapeDelta(
            event_id="event_7",
            response_id="resp_1",
            item_id="item_2",
            output_index=0,
            content_index=0,
            frame_index=3,
            frames="AAAAAA==",
        )
    )
    return cases


EXTRA_CASES = _extra_cases()
