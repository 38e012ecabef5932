"""Every value of every azure-ai-voicelive 1.3.1 enum (and Literal set) is accepted by vl-schema
in the field that uses it, and survives the canonical re-encoding.

Each case patches one value into an SDK-serialized recipe (sdk_recipes.py) and decodes it.
`test_every_sdk_enum_is_covered` fails when the SDK gains an enum this table does not place.
"""

from __future__ import annotations

import copy
import enum
import inspect
from functools import lru_cache
from typing import Any, Callable

import azure.ai.voicelive.models as m
import pytest

from schema_check_tools import Allow, Allowed, fail_report, json_diff, run_schema_check
from sdk_recipes import RECIPES
from test_schema_sdk import sdk_wire

BASE = "session.update/voice=azure-standard"


def _base(case: str = BASE) -> dict:
    return sdk_wire(RECIPES[case][1]())


def _set(*path: Any, extra: Callable[[Any, dict], None] | None = None, case: str = BASE):
    """A patcher: value -> wire event with `value` at `path` (and optional extra edits)."""

    def patch(value: Any) -> dict:
        w = _base(case)
        cur = w
        for p in path[:-1]:
            cur = cur[p]
        cur[path[-1]] = value
        if extra:
            extra(value, w)
        return w

    return patch


def _format_rate(value: Any, w: dict) -> None:
    if value.startswith("g711"):
        w["session"]["input_audio_sampling_rate"] = 8000


def _ec_channels(value: Any, w: dict) -> None:
    w["session"]["input_audio_echo_cancellation"]["channels"] = 2 if value == "client" else 1


def _photo(value: Any, w: dict) -> None:
    if value == "photo-avatar":
        w["session"]["avatar"]["model"] = "vasa-1"


# enum or Literal-set name -> (values, patcher)
PLACES: dict[str, tuple[list[Any], Callable[[Any], dict]]] = {
    "AnimationOutputType": ([], lambda v: _set("session", "animation", "outputs")([v])),
    "AudioTimestampType": ([], lambda v: _set("session", "output_audio_timestamp_types")([v])),
    "AvatarConfigTypes": ([], _set("session", "avatar", "type", extra=_photo)),
    "AvatarOutputProtocol": ([], _set("session", "avatar", "output_protocol")),
    "AzureRealtimeNativeVoiceName": (
        [],
        lambda v: _set("session", "voice")({"type": "azure-realtime-native", "name": v}),
    ),
    "EchoCancellationReferenceSource": (
        [],
        _set("session", "input_audio_echo_cancellation", "reference_source", extra=_ec_channels),
    ),
    "EouThresholdLevel": (
        [],
        _set("session", "turn_detection", "end_of_utterance_detection", "threshold_level"),
    ),
    "InputAudioFormat": ([], _set("session", "input_audio_format", extra=_format_rate)),
    "InterimResponseTrigger": ([], lambda v: _set("session", "interim_response", "triggers")([v])),
    "ItemParamStatus": (
        [],
        _set("item", "status", case="conversation.item.create/function-call"),
    ),
    "MCPApprovalType": ([], _set("session", "tools", 1, "require_approval")),
    "Modality": ([], lambda v: _set("session", "modalities")(list(dict.fromkeys(["text", "audio", v])))),
    "OpenAIVoiceName": ([], _set("session", "voice")),
    "OpenAIVoiceName/object": (
        [x.value for x in m.OpenAIVoiceName],
        lambda v: _set("session", "voice")({"type": "openai", "name": v}),
    ),
    "OutputAudioFormat": ([], _set("session", "output_audio_format")),
    "PersonalVoiceModels": (
        [],
        lambda v: _set("session", "voice")({"type": "azure-personal", "name": "spk", "model": v}),
    ),
    "PersonalVoiceModels/avatar-voice-sync": (
        [x.value for x in m.PersonalVoiceModels],
        lambda v: _set("session", "voice")({"type": "avatar-voice-sync", "model": v}),
    ),
    "PhotoAvatarBaseModes": (
        [],
        lambda v: _set("session", "avatar")(
            {"type": "photo-avatar", "character": "anika", "model": v, "customized": False}
        ),
    ),
    "ReasoningEffort": ([], _set("session", "reasoning_effort")),
    "RequestImageContentPartDetail": (
        [],
        _set("item", "content", 2, "detail", case="conversation.item.create/user-message"),
    ),
    "ResponseItemStatus": ([], None),  # server-only (item status in responses): SDK-built server cases
    "ResponseStatus": ([], None),  # server-only: response.done status cases in test_schema_sdk
    "SessionIncludeOption": ([], lambda v: _set("session", "include")([v])),
    "ToolChoiceLiteral": ([], _set("session", "tool_choice")),
    "AudioInputTranscriptionOptions.model": (
        ["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-transcribe-diarize",
         "mai-transcribe-1", "azure-speech"],
        lambda v: _set("session", "input_audio_transcription")({"model": v}),
    ),
    "AudioNoiseReduction.type": (
        ["azure_deep_noise_suppression", "near_field", "far_field"],
        lambda v: _set("session", "input_audio_noise_reduction")({"type": v}),
    ),
    "OutputAudioFormat/legacy": (
        ["pcm16-8000hz", "pcm16-16000hz"],  # protocol.md §4.1: the SDK also accepts these
        _set("session", "output_audio_format"),
    ),
}

# Enums that are wire discriminators or event/item types, covered by the recipe tables.
STRUCTURAL = {
    "AzureVoiceType", "ClientEventType", "ContentPartType", "InterimResponseConfigType",
    "ItemType", "MessageRole", "ServerEventType", "ToolType", "TurnDetectionType",
}

ALLOWED = Allowed(
    {
        "OutputAudioFormat/legacy=pcm16-8000hz": [
            Allow('$.session.output_audio_format: expected "pcm16-8000hz", actual "pcm16_8000hz"',
                  "legacy spelling accepted and normalized to the documented one", optional=True),
        ],
        "OutputAudioFormat/legacy=pcm16-16000hz": [
            Allow('$.session.output_audio_format: expected "pcm16-16000hz", actual "pcm16_16000hz"',
                  "legacy spelling accepted and normalized to the documented one", optional=True),
        ],
    }
)


def _values(name: str) -> list[Any]:
    vals, _ = PLACES[name]
    if vals:
        return vals
    return [x.value for x in getattr(m, name)]


CASES = [
    (f"{name}={v}", PLACES[name][1], v)
    for name in PLACES
    if PLACES[name][1] is not None
    for v in _values(name)
]


def test_every_sdk_enum_is_covered():
    enums = {n for n, c in inspect.getmembers(m, inspect.isclass) if issubclass(c, enum.Enum)}
    placed = {n.split("/")[0] for n in PLACES} | STRUCTURAL
    missing = sorted(enums - placed)
    assert not missing, f"SDK enums without a place in PLACES: {missing}"


@lru_cache(maxsize=1)
def results() -> dict[str, tuple[dict, Any]]:
    wires = [patch(v) for _, patch, v in CASES]
    outs = run_schema_check(["decode-client"], wires)
    return {c[0]: (w, o) for c, w, o in zip(CASES, wires, outs)}


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_sdk_enum_value_accepted(case):
    wire, out = results()[case]
    assert out.ok, fail_report(f"vl-schema rejects SDK enum value {case}", [out.describe()])
    diffs = ALLOWED.filter(case, json_diff(wire, out.json))
    assert not diffs, fail_report(f"{case}: not preserved by vl-schema", diffs)
