"""vl-schema against the official Python SDK `azure-ai-voicelive` 1.3.1 (Voice Live dialect).

Client side: every SDK client event class is built with fully populated values (sdk_recipes.py),
serialized exactly as `VoiceLiveConnection.send` does (`json.dumps(event.as_dict(),
default=_json_default)`, aio/_patch.py), decoded by vl-schema and re-encoded canonically: the
re-encoding must equal the SDK JSON as a JSON value.

Server side: every vl-schema server fixture is parsed with what `VoiceLiveConnection.recv` uses
(`ServerEvent._deserialize(json.loads(raw), [])`); the SDK must pick the specific subclass, know
every field at every level (sdk_walk.py), find every required field, and `as_dict()` must give the
fixture back. The sets of event types on both sides must match up to the listed differences.

Known differences are listed explicitly below, each with its reason; a listed difference that no
longer occurs fails the suite too, so the lists stay true. Findings against vl-schema go to
SCHEMA_FINDINGS.md.
"""

from __future__ import annotations

import inspect
import json
from functools import lru_cache

import azure.ai.voicelive.models as m
import pytest
from azure.ai.voicelive.aio._patch import _json_default

from schema_check_tools import (
    Allow,
    Allowed,
    fail_report,
    json_diff,
    load_fixture_dir,
    run_schema_check,
    vl_schema_types,
)
from sdk_fixture_allowed import CLIENT_FIXTURE_WALK_ALLOWED, SERVER_WALK_ALLOWED
from sdk_recipes import RECIPES
from sdk_server_gen import EXTRA_CASES, generate
from sdk_walk import walk

# --------------------------------------------------------------------------------------------------
# Known, accepted differences.

# Client events: SDK wire JSON vs vl-schema's canonical re-encoding. Keys are fnmatch patterns over
# case ids; values are fnmatch patterns over json_diff lines.
CLIENT_ALLOWED = Allowed({})  # F1 (voice.style) fixed in vl-schema


# SDK-built (generated) server events: SDK JSON vs vl-schema's canonical re-encoding.
GENERATED_SERVER_ALLOWED = Allowed(
    {
        "conversation.item.created/user-audio": [
            Allow(
                "$.previous_item_id: unexpected in actual (= null)",
                "vl-schema always sends previous_item_id, null for the first item (protocol.md §3 "
                "[T]); the SDK omits None. Same value for an SDK reader.",
            ),
            Allow(
                "$.item.content[0].audio: unexpected in actual (= null)",
                "server user items carry input_audio{audio:null, transcript} (protocol.md §5.2)",
            ),
        ],
    }
)

# Fixture-vs-SDK tables (SDK gaps and open findings) live in sdk_fixture_allowed.py.

# Server event types vl-schema has fixtures for but the SDK has no class for (protocol.md §3).
FIXTURE_TYPES_NOT_IN_SDK: dict[str, str] = {
    "rate_limits.updated": "docs only [D 04-10]; not in the SDK enum or swagger",
    "output_audio_buffer.started": "2026-06-01-preview only",
    "output_audio_buffer.stopped": "2026-06-01-preview only",
    "response.foundry_agent_call.in_progress": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call.completed": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call.failed": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call_arguments.delta": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call_arguments.done": "docs only; removed from SDK 1.2.0",
}
# SDK server event classes vl-schema has no fixture for (should stay empty).
SDK_TYPES_WITHOUT_FIXTURE: dict[str, str] = {}

# Client event types: SDK classes vl-schema has no fixture for / fixtures the SDK has no class for.
SDK_CLIENT_TYPES_WITHOUT_FIXTURE: dict[str, str] = {}
CLIENT_FIXTURE_TYPES_NOT_IN_SDK: dict[str, str] = {
    "mcp_approval_response": "ClientEventType enum value only (protocol.md §2.1)",
    "transcription_session.update": "SDK helper sends a plain dict (protocol.md §2.1)",
}


# --------------------------------------------------------------------------------------------------
# SDK introspection


def sdk_client_classes() -> dict[str, type]:
    return {
        n: c
        for n, c in inspect.getmembers(m, inspect.isclass)
        if issubclass(c, m.ClientEvent) and c is not m.ClientEvent
    }


def sdk_server_classes() -> dict[str, type]:
    return {
        n: c
        for n, c in inspect.getmembers(m, inspect.isclass)
        if issubclass(c, m.ServerEvent) and c is not m.ServerEvent
    }


def sdk_wire(event: m.ClientEvent) -> dict:
    """Exactly what VoiceLiveConnection.send puts in the text frame, parsed back."""
    payload = event.as_dict()
    return json.loads(json.dumps(payload, default=_json_default))


# --------------------------------------------------------------------------------------------------
# Client events: SDK -> vl-schema


@lru_cache(maxsize=1)
def client_results() -> dict[str, tuple[dict, object]]:
    cases = list(RECIPES)
    wires = [sdk_wire(RECIPES[c][1]()) for c in cases]
    outs = run_schema_check(["decode-client"], wires)
    return {c: (w, o) for c, w, o in zip(cases, wires, outs)}


def test_every_sdk_client_event_class_has_a_recipe():
    classes = sdk_client_classes()
    covered = {cls.__name__ for cls, _ in RECIPES.values()}
    missing = sorted(set(classes) - covered)
    assert not missing, f"SDK client event classes without a recipe in sdk_recipes.py: {missing}"
    # Every recipe really builds its class and the class's wire type.
    wire_type = {c: t for t, c in m.ClientEvent.__mapping__.items()}
    for case, (cls, factory) in RECIPES.items():
        ev = factory()
        assert type(ev) is cls, case
        assert sdk_wire(ev)["type"] == wire_type[cls], case
    assert set(wire_type) == set(classes.values()), "SDK ClientEvent mapping vs classes"


@pytest.mark.parametrize("case", list(RECIPES))
def test_sdk_client_event_decodes_losslessly(case):
    wire, out = client_results()[case]
    assert out.ok, fail_report(f"vl-schema rejected the SDK's {case}", [out.describe()], wire)
    assert out.type == wire["type"], f"{case}: decoded as {out.type}, wire type {wire['type']}"
    diffs = CLIENT_ALLOWED.filter(case, json_diff(wire, out.json))
    ignored = [f"vl-schema ignored (unknown_fields): {p}" for p in out.unknown_fields or []]
    assert not diffs, fail_report(
        f"{case}: vl-schema canonical re-encoding differs from the SDK JSON (expected = SDK)",
        diffs + ignored,
        wire,
    )


# Event types vl-schema does not know (ClientEvent::TYPES / ServerEvent::TYPES) although the SDK
# has a class for them, and types vl-schema knows that the SDK lacks.
SDK_TYPES_UNKNOWN_TO_VL_SCHEMA: dict[str, str] = {}
VL_SCHEMA_TYPES_NOT_IN_SDK: dict[str, str] = {
    # client (protocol.md §2.1)
    "mcp_approval_response": "ClientEventType enum value only; no SDK class (approvals travel as "
    "conversation.item.create with an mcp_approval_response item)",
    "transcription_session.update": "sent by the SDK's transcription_session.update() helper as a "
    "plain dict; no model class",
    # server (protocol.md §3)
    "rate_limits.updated": "docs only [D 04-10]; not in the SDK enum or swagger",
    "output_audio_buffer.started": "2026-06-01-preview only",
    "output_audio_buffer.stopped": "2026-06-01-preview only",
    "response.foundry_agent_call.in_progress": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call.completed": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call.failed": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call_arguments.delta": "docs only; removed from SDK 1.2.0",
    "response.foundry_agent_call_arguments.done": "docs only; removed from SDK 1.2.0",
}


def test_vl_schema_knows_every_sdk_event_type():
    vl = vl_schema_types()
    problems = []
    for side, sdk_types in (
        ("client", set(m.ClientEvent.__mapping__)),
        ("server", set(m.ServerEvent.__mapping__)),
    ):
        ours = set(vl[side])
        for t in sorted(sdk_types - ours):
            if t not in SDK_TYPES_UNKNOWN_TO_VL_SCHEMA:
                problems.append(f"{side}: SDK type {t!r} missing from vl-schema's TYPES")
        for t in sorted(ours - sdk_types):
            if t not in VL_SCHEMA_TYPES_NOT_IN_SDK:
                problems.append(f"{side}: vl-schema type {t!r} has no SDK class (list it with a reason)")
    all_vl = set(vl["client"]) | set(vl["server"])
    for t in VL_SCHEMA_TYPES_NOT_IN_SDK:
        if t not in all_vl:
            problems.append(f"stale VL_SCHEMA_TYPES_NOT_IN_SDK entry {t!r}")
    assert not problems, fail_report("event type sets differ (SDK vs vl-schema)", problems)


def test_client_event_types_match_vl_schema_fixtures():
    sdk_types = set(m.ClientEvent.__mapping__)
    fixture_types = {ev.get("type") for _, ev in load_fixture_dir("client")}
    assert fixture_types, "no vl-schema client fixtures found"
    problems = []
    for t in sorted(sdk_types - fixture_types):
        if t not in SDK_CLIENT_TYPES_WITHOUT_FIXTURE:
            problems.append(f"SDK client event {t!r} has no vl-schema fixture")
    for t in sorted(fixture_types - sdk_types):
        if t not in CLIENT_FIXTURE_TYPES_NOT_IN_SDK:
            problems.append(f"vl-schema client fixture {t!r} has no SDK class")
    for t in SDK_CLIENT_TYPES_WITHOUT_FIXTURE:
        if t in fixture_types:
            problems.append(f"stale SDK_CLIENT_TYPES_WITHOUT_FIXTURE entry {t!r}")
    for t in CLIENT_FIXTURE_TYPES_NOT_IN_SDK:
        if t in sdk_types:  # the SDK gained a class: the entry is wrong now
            problems.append(f"stale CLIENT_FIXTURE_TYPES_NOT_IN_SDK entry {t!r}")
    assert not problems, fail_report("client event type sets differ", problems)


CLIENT_FIXTURES = load_fixture_dir("client")


@pytest.mark.parametrize("case,event", CLIENT_FIXTURES, ids=[c for c, _ in CLIENT_FIXTURES])
def test_vl_schema_client_fixture_parses_with_sdk(case, event):
    """The schema crate's client fixtures use the SDK's names (the SDK is the field-name authority)."""
    sdk = m.ClientEvent._deserialize(json.loads(json.dumps(event)), [])
    problems = walk(sdk, event)
    problems = CLIENT_FIXTURE_WALK_ALLOWED.filter(case, problems)
    if event.get("type") in CLIENT_FIXTURE_TYPES_NOT_IN_SDK:
        pytest.skip(f"{event.get('type')}: {CLIENT_FIXTURE_TYPES_NOT_IN_SDK[event.get('type')]}")
    assert not problems, fail_report(f"{case}: SDK sees problems", problems, event)
    diffs = json_diff(event, sdk_wire(sdk))
    assert not diffs, fail_report(f"{case}: SDK re-serialization differs", diffs, event)


# --------------------------------------------------------------------------------------------------
# Server events: vl-schema fixtures -> SDK

SERVER_FIXTURES = load_fixture_dir("server")


@pytest.mark.parametrize("case,event", SERVER_FIXTURES, ids=[c for c, _ in SERVER_FIXTURES])
def test_vl_schema_server_fixture_parses_with_sdk(case, event):
    raw = json.dumps(event)
    sdk = m.ServerEvent._deserialize(json.loads(raw), [])
    etype = event.get("type")
    if etype in FIXTURE_TYPES_NOT_IN_SDK:
        assert type(sdk) is m.ServerEvent, f"{etype} now has an SDK class: update the list"
        pytest.skip(f"{etype}: {FIXTURE_TYPES_NOT_IN_SDK[etype]}")
    assert type(sdk) is not m.ServerEvent, f"{case}: SDK fell back to the generic ServerEvent"
    assert sdk.type == etype
    problems = SERVER_WALK_ALLOWED.filter(case, walk(sdk, event))
    assert not problems, fail_report(
        f"{case}: the SDK does not see the fixture's fields as declared", problems, event
    )
    diffs = json_diff(event, json.loads(json.dumps(sdk.as_dict(), default=_json_default)))
    diffs = SERVER_WALK_ALLOWED.filter(case, diffs)
    assert not diffs, fail_report(f"{case}: SDK as_dict() differs from the fixture", diffs, event)


def test_server_fixtures_round_trip_through_vl_schema():
    """The same fixtures decode with vl-schema and re-encode to themselves (the SDK sees that JSON)."""
    outs = run_schema_check(["decode-server"], [ev for _, ev in SERVER_FIXTURES])
    problems = []
    for (case, ev), out in zip(SERVER_FIXTURES, outs):
        if not out.ok:
            problems.append(f"{case}: {out.describe()}")
            continue
        problems.extend(f"{case}: {d}" for d in json_diff(ev, out.json))
    assert SERVER_FIXTURES, "no vl-schema server fixtures found"
    assert not problems, fail_report("server fixtures do not round-trip in vl-schema", problems)


def test_server_event_types_match_vl_schema_fixtures():
    sdk_types = set(m.ServerEvent.__mapping__)
    fixture_types = {ev.get("type") for _, ev in SERVER_FIXTURES}
    assert fixture_types, "no vl-schema server fixtures found"
    problems = []
    for t in sorted(sdk_types - fixture_types):
        if t not in SDK_TYPES_WITHOUT_FIXTURE:
            problems.append(f"SDK server event {t!r} has no vl-schema fixture")
    for t in sorted(fixture_types - sdk_types):
        if t not in FIXTURE_TYPES_NOT_IN_SDK:
            problems.append(f"vl-schema server fixture {t!r} has no SDK class")
    for t in SDK_TYPES_WITHOUT_FIXTURE:
        if t in fixture_types:
            problems.append(f"stale SDK_TYPES_WITHOUT_FIXTURE entry {t!r}")
    for t in FIXTURE_TYPES_NOT_IN_SDK:
        if t in sdk_types:  # the SDK gained a class: the entry is wrong now
            problems.append(f"stale FIXTURE_TYPES_NOT_IN_SDK entry {t!r}")
    assert not problems, fail_report("server event type sets differ", problems)


SDK_SERVER_CLASS_NAMES = sorted(sdk_server_classes()) + sorted(EXTRA_CASES)


@lru_cache(maxsize=1)
def generated_server_results() -> dict[str, tuple[dict, object]]:
    classes = sdk_server_classes()
    wires = [
        sdk_wire(EXTRA_CASES[n]() if n in EXTRA_CASES else generate(classes[n]))
        for n in SDK_SERVER_CLASS_NAMES
    ]
    outs = run_schema_check(["decode-server"], wires)
    return {n: (w, o) for n, w, o in zip(SDK_SERVER_CLASS_NAMES, wires, outs)}


@pytest.mark.parametrize("name", SDK_SERVER_CLASS_NAMES)
def test_sdk_built_server_event_decodes_losslessly(name):
    """Every SDK server event class, fully populated from its annotations (sdk_server_gen.py),
    plus variants (every voice and turn-detection kind in session.updated, every status_details)."""
    wire, out = generated_server_results()[name]
    assert out.ok, fail_report(f"vl-schema rejects the SDK-shaped {name}", [out.describe()], wire)
    assert out.type == wire["type"]
    diffs = GENERATED_SERVER_ALLOWED.filter(name, json_diff(wire, out.json))
    assert not diffs, fail_report(
        f"{name}: vl-schema re-encoding differs from the SDK-shaped JSON (expected = SDK)",
        diffs,
        wire,
    )


def test_sdk_server_mapping_is_complete():
    """Every SDK ServerEvent subclass is reachable from the discriminator (what recv() relies on)."""
    reachable = {c.__name__ for c in m.ServerEvent.__mapping__.values()}
    assert reachable == set(sdk_server_classes())


# --------------------------------------------------------------------------------------------------
# Allowed lists must not rot. Runs last in this module (pytest keeps definition order).


def test_zz_allowed_differences_are_all_used():
    # Make sure the producing tests ran in this process (they fill the `used` sets).
    for case in RECIPES:
        wire, out = client_results()[case]
        if out.ok:
            CLIENT_ALLOWED.filter(case, json_diff(wire, out.json))
    for case, ev in CLIENT_FIXTURES:
        sdk = m.ClientEvent._deserialize(json.loads(json.dumps(ev)), [])
        CLIENT_FIXTURE_WALK_ALLOWED.filter(case, walk(sdk, ev))
    for case, ev in SERVER_FIXTURES:
        sdk = m.ServerEvent._deserialize(json.loads(json.dumps(ev)), [])
        SERVER_WALK_ALLOWED.filter(case, walk(sdk, ev))
    for name in SDK_SERVER_CLASS_NAMES:
        wire, out = generated_server_results()[name]
        if out.ok:
            GENERATED_SERVER_ALLOWED.filter(name, json_diff(wire, out.json))
    stale = GENERATED_SERVER_ALLOWED.unused() + CLIENT_ALLOWED.unused() + CLIENT_FIXTURE_WALK_ALLOWED.unused() + SERVER_WALK_ALLOWED.unused()
    assert not stale, fail_report("allowed differences that no longer occur (remove them)", stale)
