"""SDK-required fields are required by vl-schema too.

For every client recipe (sdk_recipes.py) and every field at any depth that azure-ai-voicelive 1.3.1
declares required (a non-Optional annotation: deleting it makes the SDK model incomplete, as
sdk_walk reports), the SDK's wire JSON without that field must be rejected by vl-schema with
`missing_required_parameter` and `param` = the field's JSON path. Deliberate leniencies are
listed with their reasons.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

import azure.ai.voicelive.models as m
import pytest

from schema_check_tools import fail_report, run_schema_check
from sdk_recipes import RECIPES
from sdk_walk import walk
from test_schema_sdk import sdk_wire

# JSON paths (with [n] indices) that the SDK requires but vl-schema accepts when absent, by the
# field's path suffix; reason required.
LENIENT: dict[str, str] = {
    "avatar.customized": "avatar.md §1.1: the samples omit `customized`; vl-schema defaults it to false",
    "end_of_utterance_detection.model": "the SDK fills model=semantic_detection_v1 itself "
    "(protocol.md §4.4 [V]); a hand-written client may omit it and get the same default",
}


def _keys(value: Any, path: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append(path + (k,))
            out.extend(_keys(v, path + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_keys(v, path + (i,)))
    return out


def _dotted(path: tuple) -> str:
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else p)
    return s


def _delete(value: Any, path: tuple) -> Any:
    v = copy.deepcopy(value)
    cur = v
    for p in path[:-1]:
        cur = cur[p]
    del cur[path[-1]]
    return v


@lru_cache(maxsize=1)
def required_cases() -> list[tuple[str, str, dict]]:
    """(case id, dotted path, wire JSON without that field) for every SDK-required field."""
    cases = []
    seen = set()
    for case, (_cls, factory) in RECIPES.items():
        wire = sdk_wire(factory())
        for path in _keys(wire):
            if path[-1] == "type":
                continue  # discriminators: a missing `type` is a different error
            dotted = _dotted(path)
            key = (wire["type"], dotted)
            if key in seen:
                continue
            seen.add(key)  # each (event type, path) is probed once
            mutated = _delete(wire, path)
            sdk = m.ClientEvent._deserialize(json.loads(json.dumps(mutated)), [])
            marker = f"$.{dotted}: required by SDK"
            if any(p.startswith(marker) for p in walk(sdk, mutated)):
                cases.append((f"{case}:{dotted}", dotted, mutated))
    return cases


@lru_cache(maxsize=1)
def outcomes() -> dict[str, Any]:
    cases = required_cases()
    outs = run_schema_check(["decode-client"], [c[2] for c in cases])
    return {c[0]: (c[1], o) for c, o in zip(cases, outs)}


def test_required_cases_found():
    # Sanity: the SDK requires at least these, so the derivation works.
    ids = {c[1] for c in required_cases()}
    for p in ("audio", "item_id", "audio_end_ms", "client_sdp", "session.tools[0].name"):
        assert p in ids, f"derivation lost {p}: {sorted(ids)[:50]}"


def test_sdk_required_fields_are_required_by_vl_schema():
    problems = []
    lenient_used = set()
    for case, (dotted, out) in outcomes().items():
        lenient = next((k for k in LENIENT if dotted.endswith(k)), None)
        if lenient:
            lenient_used.add(lenient)
            if not out.ok:
                problems.append(f"{case}: listed as lenient but rejected ({out.describe()})")
            continue
        if out.ok:
            problems.append(f"{case}: vl-schema accepts the event without {dotted}")
            continue
        code, param = out.error.get("code"), out.error.get("param")
        if code != "missing_required_parameter" or param != dotted:
            problems.append(
                f"{case}: expected missing_required_parameter param={dotted}, "
                f"got code={code} param={param}"
            )
    problems += [f"stale LENIENT entry {k}" for k in LENIENT if k not in lenient_used]
    assert not problems, fail_report(
        f"{len(problems)} SDK-required field(s) not required by vl-schema as expected", problems
    )
