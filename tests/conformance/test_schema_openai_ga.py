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
CLIENT_ROUNDTRIP_ALLOWED = Allowed({})

# Voice Live server fixtures that have no GA equivalent: the dialect must refuse or drop them.
VL_SERVER_TYPES_WITHOUT_GA: dict[str, str] = {}

# Problems found validating the mapped server events with the openai types.
SERVER_ALLOWED = Allowed({})


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
        return None, [
            f"$.{'.'.join(str(p) for p in err['loc'])}: {err['type']}: {err['msg']}"
            for err in e.errors()
        ]
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
    # The round-tripped event is still a valid openai client event.
    ga_client_wire(GA_RECIPES[case][0], back.json)


# --------------------------------------------------------------------------------------------------
# Server: VL fixtures -> GA -> openai validation

VL_SERVER = load_fixture_dir("server")


@lru_cache(maxsize=1)
def mapped_server() -> dict[str, tuple[dict, Any]]:
    outs = run_schema_check(["vl-to-ga", "server"], [ev for _, ev in VL_SERVER])
    return {case: (ev, o) for (case, ev), o in zip(VL_SERVER, outs)}


@pytest.mark.parametrize("case,event", VL_SERVER, ids=[c for c, _ in VL_SERVER])
def test_vl_server_fixture_maps_to_valid_ga(case, event):
    _, out = mapped_server()[case]
    etype = event.get("type")
    if etype in VL_SERVER_TYPES_WITHOUT_GA:
        assert not (out.ok and out.json is not None), (
            f"{etype} is listed as having no GA equivalent but the dialect mapped it: "
            f"{out.describe()} - update VL_SERVER_TYPES_WITHOUT_GA"
        )
        return
    assert out.ok and out.json is not None, fail_report(
        f"{case}: no GA mapping (list it in VL_SERVER_TYPES_WITHOUT_GA with a reason if intended)",
        [out.describe()],
        event,
    )
    _, problems = validate_ga_server(out.json)
    problems = SERVER_ALLOWED.filter(case, problems)
    assert not problems, fail_report(
        f"{case}: the mapped GA event is not what openai.types.realtime expects",
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


def test_ga_fixtures_exist():
    assert GA_SERVER_FIXTURES and GA_CLIENT_FIXTURES, "no vl-schema GA fixtures found"


def test_zz_allowed_differences_are_all_used():
    for case in GA_RECIPES:
        res = ga_client_results()[case]
        if res["back"] is not None and res["back"].ok:
            CLIENT_ROUNDTRIP_ALLOWED.filter(case, json_diff(res["ga"], res["back"].json))
    for case, (ev, out) in mapped_server().items():
        if out.ok and out.json is not None and ev.get("type") not in VL_SERVER_TYPES_WITHOUT_GA:
            SERVER_ALLOWED.filter(case, validate_ga_server(out.json)[1])
    for case, ev in GA_SERVER_FIXTURES:
        SERVER_ALLOWED.filter(case, validate_ga_server(ev)[1])
    stale = CLIENT_ROUNDTRIP_ALLOWED.unused() + SERVER_ALLOWED.unused()
    assert not stale, fail_report("allowed differences that no longer occur (remove them)", stale)
