"""vl-schema's OpenAI GA dialect against the `openai` Python package (`openai.types.realtime`).

Client side: every member of the `RealtimeClientEvent` union gets at least one fully populated
recipe (ga_recipes.py), serialized as `RealtimeConnection.send` does; vl-schema maps it GA ->
Voice Live, decodes it, and maps the canonical result back to GA, which must equal the original
(lossless where the dialect claims it; every loss is listed below with its reason).

Server side: every Voice Live server fixture with a GA equivalent is mapped VL -> GA and validated
with `TypeAdapter(RealtimeServerEvent)` (missing required fields and wrong types fail; fields the
`openai` types do not declare are reported, since its models silently allow extras), and the
re-dump must equal the mapped JSON. The GA fixtures of vl-schema are checked the same way.
"""

from __future__ import annotations

import json
import typing
from functools import lru_cache
from typing import Any

import pytest
from openai._models import construct_type_unchecked
from openai.types import realtime as r
from pydantic import BaseModel, TypeAdapter, ValidationError

from ga_recipes import GA_RECIPES
from schema_check_tools import (
    Allow,
    Allowed,
    fail_report,
    json_diff,
    load_fixture_dir,
    run_schema_check,
)

CLIENT_ADAPTER = TypeAdapter(r.RealtimeClientEvent)


def union_members(u: Any) -> list[type]:
    args = typing.get_args(u)
    if typing.get_origin(u) is typing.Annotated:
        return union_members(args[0])
    return list(args)


def wire_type(cls: type) -> str:
    (t,) = typing.get_args(cls.model_fields["type"].annotation)
    return t


GA_CLIENT_CLASSES = {wire_type(c): c for c in union_members(r.RealtimeClientEvent)}
GA_SERVER_CLASSES = {wire_type(c): c for c in union_members(r.RealtimeServerEvent)}

# --------------------------------------------------------------------------------------------------
# Known, accepted differences (each with its reason).

# GA -> VL -> GA round trip of the client recipes.
CLIENT_ROUNDTRIP_ALLOWED = Allowed(
    {
        # GA-only session fields: Voice Live has no place for them; they reach vl-schema as unknown
        # fields (a warning names each, decisions.md) and are not echoed (dialect.rs "lossy").
        "session.update/ga-only-fields": [
            Allow("$.session.audio.output.speed: missing in actual*", "GA-only, dropped by the dialect"),
            Allow("$.session.audio.input.turn_detection.idle_timeout_ms: missing in actual*",
                  "GA-only server_vad idle timeout; no Voice Live field"),
            Allow("$.session.prompt: missing in actual*", "GA-only prompt templates"),
            Allow("$.session.tracing: missing in actual*", "GA-only tracing"),
            Allow("$.session.truncation: missing in actual*", "GA-only truncation"),
        ],
        # F3 fixed one way (GA -> transcription_session.update); the reverse client mapping is
        # not done, which only matters for this round trip (the server never maps client events
        # to GA): SCHEMA_FINDINGS.md F3.
        "session.update/transcription-session": [
            Allow('$.type: expected "session.update", actual "transcription_session.update"', "F3"),
            Allow('$.session.type: missing in actual (expected "transcription")', "F3"),
            Allow("$.session.audio: missing in actual*", "F3"),
            Allow("$.session.input_audio_format: unexpected in actual*", "F3"),
            Allow("$.session.input_audio_sampling_rate: unexpected in actual*", "F3"),
            Allow("$.session.input_audio_transcription: unexpected in actual*", "F3"),
            Allow("$.session.turn_detection: unexpected in actual*", "F3"),
        ],
    }
)

# Voice Live server events with no GA equivalent: the dialect passes them through unchanged
# (dialect.rs module docs, "as the Voice Live v1 label does with its Azure extensions"); openai's
# recv() hands them on without a typed class. Checked: they really pass through unchanged.
_AZURE_ONLY = "Azure-only event (protocol.md §9.5), passed through with its Voice Live name"
VL_SERVER_TYPES_WITHOUT_GA: dict[str, str] = {
    t: _AZURE_ONLY
    for t in (
        "warning",
        "session.avatar.connecting",
        "session.avatar.switch_to_speaking",
        "session.avatar.switch_to_idle",
        "response.animation_blendshapes.delta",
        "response.animation_blendshapes.done",
        "response.animation_viseme.delta",
        "response.animation_viseme.done",
        "response.audio_timestamp.delta",
        "response.audio_timestamp.done",
        "response.audio_transcript.annotation.added",
        "response.video.delta",
        "response.invocation.delta",
        "response.web_search_call.searching",
        "response.web_search_call.in_progress",
        "response.web_search_call.completed",
        "response.file_search_call.searching",
        "response.file_search_call.in_progress",
        "response.file_search_call.completed",
        "response.foundry_agent_call.in_progress",
        "response.foundry_agent_call.completed",
        "response.foundry_agent_call.failed",
        "response.foundry_agent_call_arguments.delta",
        "response.foundry_agent_call_arguments.done",
    )
}


def _azure(pattern: str, reason: str) -> Allow:
    # optional: which Azure extensions appear depends on the fixtures of the moment.
    return Allow(pattern, reason, optional=True)


# Problems found validating the mapped server events with the openai types. Azure extensions in
# GA-named events are passed through by design (dialect.rs); openai.types.realtime rejects them in
# strict validation, but RealtimeConnection.recv() does not validate, so GA clients still work.
SERVER_ALLOWED = Allowed(
    {
        "*": [
            _azure("*$.session.audio.output.voice.*", "Azure voice object (§4.2); GA voice is a "
                   "name or {id} - see SCHEMA_FINDINGS.md G4"),
            _azure("*$.response.audio.output.voice.*", "same, in a response object"),
            _azure("*.format.rate: literal_error: Input should be 24000*",
                   "Voice Live rates 8/16 kHz (input_audio_sampling_rate, pcm16_*hz); GA only 24 kHz"),
            _azure("*$.session.include.*: literal_error*",
                   "Azure include values (phrases, file_search_call.results); GA knows logprobs only"),
            _azure("*$.session.audio.input.noise_reduction.type: literal_error*",
                   "azure_deep_noise_suppression (§4.1)"),
            _azure("*$.session.audio.input.turn_detection: type='azure_semantic_vad*",
                   "Azure semantic VAD kinds (§4.4)"),
            _azure("*$.session.audio.input.turn_detection: type='none' matches*",
                   "{type:none} sent by the JS live tests (§4.4 [T]); echoed back"),
            _azure("*$.session.reasoning.effort: literal_error*", "reasoning_effort 'none' (§4.1)"),
            _azure("*: type='web_search_call' matches no openai union member",
                   "Azure-only item kind (§5.2)"),
            _azure("*: type='file_search_call' matches no openai union member",
                   "Azure-only item kind (§5.2)"),
            _azure("*$.response.temperature: not a field of openai RealtimeResponse",
                   "Voice Live response field (§5.4); GA has no temperature"),
            _azure("*.output_token_details.reasoning_tokens: not a field*",
                   "Voice Live usage detail (§5.4)"),
            _azure("*$.error.event_id: not a field of openai Error",
                   "transcription.failed error carries event_id in Voice Live (§3)"),
        ],
        "ga/server/session.*": [
            Allow("$.session.id: not a field of openai RealtimeSessionCreateRequest",
                  "openai 3.57 types session.created/updated.session as the create-request shape "
                  "without id/object/expires_at, which the real GA API sends"),
            Allow("$.session.object: not a field of openai RealtimeSessionCreateRequest", "same"),
            Allow("$.session.expires_at: not a field of openai RealtimeSessionCreateRequest", "same"),
        ],
        # Open findings (SCHEMA_FINDINGS.md), tolerated so new differences still fail.
        "sdk:*": [
            Allow("*conversation.item.input_audio_transcription.completed: $.usage: missing: Field required",
                  "SCHEMA_FINDINGS.md G1"),
            Allow("*output_audio_buffer.cleared: $.response_id: missing: Field required",
                  "SCHEMA_FINDINGS.md G2"),
        ],
        "server/*": [
            Allow("*conversation.item.input_audio_transcription.completed: $.usage: missing: Field required",
                  "SCHEMA_FINDINGS.md G1"),
            Allow("*output_audio_buffer.cleared: $.response_id: missing: Field required",
                  "SCHEMA_FINDINGS.md G2", optional=True),
        ],
        "server/error.minimal.json": [
            Allow("*error: $.event_id: missing: Field required", "SCHEMA_FINDINGS.md G3"),
        ],
    }
)


# --------------------------------------------------------------------------------------------------
# Helpers


def extras(model: Any, path: str = "$") -> list[str]:
    """Fields the openai models do not declare (they accept and keep unknown keys)."""
    out: list[str] = []
    if isinstance(model, BaseModel):
        for k in (model.model_extra or {}):
            out.append(f"{path}.{k}: not a field of openai {type(model).__name__}")
        for name, field in type(model).model_fields.items():
            key = field.alias or name
            out.extend(extras(getattr(model, name), f"{path}.{key}"))
    elif isinstance(model, list):
        for i, v in enumerate(model):
            out.extend(extras(v, f"{path}[{i}]"))
    elif isinstance(model, dict):
        for k, v in model.items():
            out.extend(extras(v, f"{path}.{k}"))
    return out


def condense_union_errors(errors: list[dict]) -> list[str]:
    """Pydantic reports every arm of a non-discriminated union; keep the arms whose `type` /
    `role` literal matched (the arm the JSON meant), or all arms when none matched."""

    def is_arm(seg: Any) -> bool:
        return isinstance(seg, str) and seg[:1].isupper()

    wrong: set[tuple] = set()
    arms: dict[tuple, set[tuple]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        for i, seg in enumerate(loc):
            if is_arm(seg):
                arms.setdefault(loc[:i], set()).add(loc[: i + 1])
                rest = loc[i + 1 :]
                if err["type"] == "literal_error" and rest in (("type",), ("role",)):
                    wrong.add(loc[: i + 1])
    out: list[str] = []
    no_arm: dict[tuple, str] = {}  # union location -> the type value no arm accepts
    for err in errors:
        loc = tuple(err["loc"])
        drop = False
        for i, seg in enumerate(loc):
            if is_arm(seg):
                arm = loc[: i + 1]
                siblings = arms.get(loc[:i], set())
                if arm in wrong and siblings - wrong:
                    drop = True  # another arm matched the type: this one is noise
                    break
                if siblings and siblings <= wrong:
                    drop = True  # no arm matched the type: one line for the whole union
                    if loc[i + 1 :] == ("type",) and err["type"] == "literal_error":
                        no_arm[loc[:i]] = repr(err.get("input"))
                    break
        if not drop:
            path = ".".join(str(p) for p in loc if not is_arm(p))
            arm_names = "/".join(str(p) for p in loc if is_arm(p))
            out.append(
                f"$.{path}: {err['type']}: {err['msg']}" + (f" (as {arm_names})" if arm_names else "")
            )
    for loc, value in no_arm.items():
        path = ".".join(str(p) for p in loc if not is_arm(p))
        out.append(f"$.{path}: type={value} matches no openai union member")
    return out


def ga_client_wire(cls: type, value: Any) -> dict:
    ev = CLIENT_ADAPTER.validate_python(value, strict=True)
    assert type(ev) is cls, f"recipe validated as {type(ev).__name__}, not {cls.__name__}"
    problems = extras(ev)
    assert not problems, fail_report("recipe uses fields openai does not declare", problems)
    return json.loads(ev.to_json(use_api_names=True, exclude_unset=True))


def validate_ga_server(value: Any) -> tuple[Any, list[str]]:
    """Validates a GA server event against the openai class of its `type`; (model, problems).

    The `RealtimeServerEvent` union's discriminator is openai-specific metadata that pydantic does
    not use, so validating against the union reports every arm; the class is chosen by `type` the
    way `RealtimeConnection.recv()` (construct_type_unchecked) chooses it, and both must agree.
    """
    cls = GA_SERVER_CLASSES.get(value.get("type")) if isinstance(value, dict) else None
    if cls is None:
        return None, [f"$.type: {value.get('type')!r} is not an openai GA server event type"]
    try:
        ev = cls.model_validate(value, strict=True)
    except ValidationError as e:
        return None, condense_union_errors(e.errors())
    problems = extras(ev)
    # What RealtimeConnection.recv() does (no validation): must give the same class.
    lax = construct_type_unchecked(value=value, type_=typing.cast(Any, r.RealtimeServerEvent))
    if type(lax) is not cls:
        problems.append(f"$: recv() would build {type(lax).__name__}, not {cls.__name__}")
    dumped = json.loads(ev.to_json(use_api_names=True, exclude_unset=True))
    problems += [f"re-dump: {d}" for d in json_diff(value, dumped)]
    return ev, problems


# --------------------------------------------------------------------------------------------------
# Client: GA -> VL -> decode -> VL canonical -> GA


def test_every_ga_client_event_has_a_recipe():
    covered = {wire_type(cls) for cls, _ in GA_RECIPES.values()}
    missing = sorted(set(GA_CLIENT_CLASSES) - covered)
    assert not missing, f"GA client events without a recipe in ga_recipes.py: {missing}"


@lru_cache(maxsize=1)
def ga_client_results() -> dict[str, dict]:
    cases = list(GA_RECIPES)
    wires = [ga_client_wire(*GA_RECIPES[c]) for c in cases]
    to_vl = run_schema_check(["ga-to-vl", "client"], wires)
    ok_idx = [i for i, o in enumerate(to_vl) if o.ok]
    decoded = run_schema_check(["decode-client"], [to_vl[i].json for i in ok_idx])
    dec_by_i = dict(zip(ok_idx, decoded))
    ok2 = [i for i in ok_idx if dec_by_i[i].ok]
    back = run_schema_check(["vl-to-ga", "client"], [dec_by_i[i].json for i in ok2])
    back_by_i = dict(zip(ok2, back))
    return {
        c: {"ga": wires[i], "vl": to_vl[i], "decoded": dec_by_i.get(i), "back": back_by_i.get(i)}
        for i, c in enumerate(cases)
    }


@pytest.mark.parametrize("case", list(GA_RECIPES))
def test_ga_client_event_round_trips(case):
    res = ga_client_results()[case]
    ga, vl, dec, back = res["ga"], res["vl"], res["decoded"], res["back"]
    assert vl.ok, fail_report(f"{case}: GA -> Voice Live mapping failed", [vl.describe()], ga)
    assert dec.ok, fail_report(f"{case}: vl-schema rejects the mapped event", [dec.describe()], vl.json)
    assert back.ok, fail_report(f"{case}: Voice Live -> GA mapping failed", [back.describe()], dec.json)
    diffs = CLIENT_ROUNDTRIP_ALLOWED.filter(case, json_diff(ga, back.json))
    assert not diffs, fail_report(f"{case}: GA -> VL -> GA is not lossless (expected = original GA)", diffs, {"ga": ga, "vl": vl.json})
    # The round-tripped event is still a valid openai client event (except F3's known gap).
    if case != "session.update/transcription-session":
        ga_client_wire(GA_RECIPES[case][0], back.json)


# --------------------------------------------------------------------------------------------------
# Server: VL fixtures -> GA -> openai validation

VL_SERVER_FIXTURES = load_fixture_dir("server")


def _sdk_shaped_server_events() -> list[tuple[str, dict]]:
    """The SDK-shaped server events of test_schema_sdk, as vl-schema re-encodes them (what our
    server sends): every SDK server class plus variants, independent of the fixtures."""
    from test_schema_sdk import generated_server_results

    return [
        (f"sdk:{name}", out.json)
        for name, (_, out) in generated_server_results().items()
        if out.ok
    ]


VL_SERVER = VL_SERVER_FIXTURES + _sdk_shaped_server_events()


@lru_cache(maxsize=1)
def mapped_server() -> dict[str, tuple[dict, Any]]:
    outs = run_schema_check(["vl-to-ga", "server"], [ev for _, ev in VL_SERVER])
    return {case: (ev, o) for (case, ev), o in zip(VL_SERVER, outs)}


def mapped_ga_problems(case: str, event: dict, out: Any) -> list[str]:
    """Problems of the GA events the dialect produced for one Voice Live server event."""
    etype = event.get("type")
    if not out.ok or not isinstance(out.json, list) or not out.json:
        return [f"no GA mapping: {out.describe()}"]
    if etype in VL_SERVER_TYPES_WITHOUT_GA:
        # Voice Live-only events pass through unchanged (dialect.rs module docs).
        if out.json != [event]:
            return [f"{etype}: expected to pass through unchanged, got {out.json}"]
        return []
    problems = []
    for i, ga in enumerate(out.json):
        _, p = validate_ga_server(ga)
        problems += [f"[{i}] {ga.get('type')}: {x}" for x in p]
    return problems


@pytest.mark.parametrize("case,event", VL_SERVER, ids=[c for c, _ in VL_SERVER])
def test_vl_server_fixture_maps_to_valid_ga(case, event):
    _, out = mapped_server()[case]
    problems = SERVER_ALLOWED.filter(case, mapped_ga_problems(case, event, out))
    assert not problems, fail_report(
        f"{case}: the mapped GA event(s) are not what openai.types.realtime expects",
        problems,
        {"vl": event, "ga": out.json},
    )


GA_SERVER_FIXTURES = load_fixture_dir("ga/server")
GA_CLIENT_FIXTURES = load_fixture_dir("ga/client")


@pytest.mark.parametrize("case,event", GA_SERVER_FIXTURES, ids=[c for c, _ in GA_SERVER_FIXTURES])
def test_ga_server_fixture_is_valid_openai(case, event):
    _, problems = validate_ga_server(event)
    problems = SERVER_ALLOWED.filter(case, problems)
    assert not problems, fail_report(f"{case}: not a valid openai GA server event", problems, event)


@pytest.mark.parametrize("case,event", GA_CLIENT_FIXTURES, ids=[c for c, _ in GA_CLIENT_FIXTURES])
def test_ga_client_fixture_is_valid_openai(case, event):
    cls = GA_CLIENT_CLASSES.get(event.get("type"))
    assert cls is not None, f"{case}: {event.get('type')!r} is not an openai GA client event"
    wire = ga_client_wire(cls, event)
    diffs = json_diff(event, wire)
    assert not diffs, fail_report(f"{case}: openai re-serialization differs", diffs, event)


# GA server event types a Voice Live server never produces (protocol.md §9); every other openai GA
# server type must be produced by mapping some vl-schema server fixture, or have a GA fixture.
GA_TYPES_NOT_FROM_VOICE_LIVE: dict[str, str] = {
    "conversation.created": "OpenAI beta leftover; Voice Live omits it (protocol.md §3, §9)",
    "input_audio_buffer.timeout_triggered": "GA-only idle timeout; not in Voice Live (§3)",
    "input_audio_buffer.dtmf_event_received": "GA-only SIP DTMF; not in Voice Live (§9)",
    "conversation.item.input_audio_transcription.segment": "GA-only diarization segments (§9)",
    "conversation.item.created": "the GA dialect sends conversation.item.added (+ .done) "
    "instead (dialect.rs); openai keeps the beta name in its union",
}


def test_ga_server_type_coverage():
    produced = {
        ga.get("type")
        for _, (ev, out) in mapped_server().items()
        if out.ok and isinstance(out.json, list) and ev.get("type") not in VL_SERVER_TYPES_WITHOUT_GA
        for ga in out.json
    } | {ev.get("type") for _, ev in GA_SERVER_FIXTURES}
    problems = []
    for t in sorted(set(GA_SERVER_CLASSES) - produced - set(GA_TYPES_NOT_FROM_VOICE_LIVE)):
        problems.append(f"openai GA server type {t!r} is produced by no fixture or mapping")
    for t in sorted(produced - set(GA_SERVER_CLASSES)):
        problems.append(f"the dialect produces {t!r}, which openai.types.realtime does not know")
    for t in GA_TYPES_NOT_FROM_VOICE_LIVE:
        if t in produced:
            problems.append(f"stale GA_TYPES_NOT_FROM_VOICE_LIVE entry {t!r}: it is produced")
    assert not problems, fail_report("GA server type coverage", problems)


@lru_cache(maxsize=1)
def ga_fixture_round_trips() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for side, fixtures in (("client", GA_CLIENT_FIXTURES), ("server", GA_SERVER_FIXTURES)):
        docs = [ev for _, ev in fixtures]
        to_vl = run_schema_check(["ga-to-vl", side], docs)
        ok = [i for i, o in enumerate(to_vl) if o.ok and o.json is not None]
        dec = dict(zip(ok, run_schema_check([f"decode-{side}"], [to_vl[i].json for i in ok])))
        ok2 = [i for i in ok if dec[i].ok]
        back = dict(zip(ok2, run_schema_check(["vl-to-ga", side], [dec[i].json for i in ok2])))
        for i, (case, ev) in enumerate(fixtures):
            out[case] = {
                "side": side,
                "ga": ev,
                "vl": to_vl[i],
                "decoded": dec.get(i),
                "back": back.get(i),
            }
    return out


def _back_ga(res: dict) -> Any:
    """The GA event that came back (server: the first of the list, the others are follow-ups)."""
    back = res["back"].json
    if res["side"] == "server":
        return back[0] if isinstance(back, list) and back else back
    return back


# GA server events the dialect drops on the way to Voice Live (dialect.rs GA_ONLY).
GA_DROPPED: dict[str, str] = {
    "conversation.item.done": "its item is already in conversation.item.created / "
    "response.output_item.done (dialect.rs)",
    "conversation.created": "GA/beta only (protocol.md §9)",
    "input_audio_buffer.timeout_triggered": "GA only",
    "input_audio_buffer.dtmf_event_received": "GA only",
    "conversation.item.input_audio_transcription.segment": "GA only",
}

GA_FIXTURE_ROUNDTRIP_ALLOWED = Allowed(
    {
        "ga/server/session.*": [
            Allow("$.session.audio.input.echo_cancellation: unexpected in actual (= null)",
                  "SCHEMA_FINDINGS.md F2: decoding a server session fills absent fields"),
            Allow("$.session.parallel_tool_calls: unexpected in actual (= true)", "F2"),
            Allow("$.session.temperature: unexpected in actual (= 0.8)", "F2"),
        ],
    }
)


@pytest.mark.parametrize(
    "case", [c for c, _ in GA_CLIENT_FIXTURES + GA_SERVER_FIXTURES]
)
def test_ga_fixture_round_trips_through_voice_live(case):
    res = ga_fixture_round_trips()[case]
    ga, vl, dec, back = res["ga"], res["vl"], res["decoded"], res["back"]
    assert vl.ok, fail_report(f"{case}: GA -> Voice Live mapping failed", [vl.describe()], ga)
    if res["side"] == "server" and ga.get("type") in GA_DROPPED:
        assert vl.json is None, f"{case}: listed in GA_DROPPED but mapped to {vl.json}"
        return
    assert vl.json is not None, f"{case}: dropped by the dialect (list it in GA_DROPPED?)"
    assert dec.ok, fail_report(f"{case}: vl-schema rejects the mapped event", [dec.describe()], vl.json)
    assert back.ok, fail_report(f"{case}: Voice Live -> GA mapping failed", [back.describe()], dec.json)
    diffs = GA_FIXTURE_ROUNDTRIP_ALLOWED.filter(case, json_diff(ga, _back_ga(res)))
    assert not diffs, fail_report(f"{case}: GA -> VL -> GA differs", diffs, {"ga": ga, "vl": vl.json})


def test_ga_fixtures_exist():
    assert GA_SERVER_FIXTURES and GA_CLIENT_FIXTURES, "no vl-schema GA fixtures found"


def test_zz_allowed_differences_are_all_used():
    for case in GA_RECIPES:
        res = ga_client_results()[case]
        if res["back"] is not None and res["back"].ok:
            CLIENT_ROUNDTRIP_ALLOWED.filter(case, json_diff(res["ga"], res["back"].json))
    for case, (ev, out) in mapped_server().items():
        SERVER_ALLOWED.filter(case, mapped_ga_problems(case, ev, out))
    for case, ev in GA_SERVER_FIXTURES:
        SERVER_ALLOWED.filter(case, validate_ga_server(ev)[1])
    for case, res in ga_fixture_round_trips().items():
        if res["back"] is not None and res["back"].ok:
            GA_FIXTURE_ROUNDTRIP_ALLOWED.filter(case, json_diff(res["ga"], _back_ga(res)))
    stale = (
        CLIENT_ROUNDTRIP_ALLOWED.unused()
        + SERVER_ALLOWED.unused()
        + GA_FIXTURE_ROUNDTRIP_ALLOWED.unused()
    )
    assert not stale, fail_report("allowed differences that no longer occur (remove them)", stale)
