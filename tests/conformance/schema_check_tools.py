"""Shared helpers for the schema cross-checks against the official clients.

* `SchemaCheck` builds and drives `crates/vl-schema/examples/schema_check.rs`, the small CLI that
  exposes vl-schema's decoder, canonical encoder and dialect mapping to these tests.
* `json_diff` lists the differing JSON paths of two values so that a failing test says exactly
  which field was lost, added or changed.
* `Allowed` is an explicit, commented list of tolerated differences: a test passes only when every
  difference it finds is listed, and it also fails when a listed difference no longer occurs (so the
  list cannot rot).
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "crates" / "vl-schema" / "tests" / "fixtures"


# --------------------------------------------------------------------------------------------------
# JSON comparison


_MISSING = object()


def json_diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Differences between two JSON values, one line per differing path.

    Numbers compare by value (1 == 1.0) but a bool is never equal to a number.
    """
    out: list[str] = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected:
            if k not in actual:
                out.append(f"{path}.{k}: missing in actual (expected {_short(expected[k])})")
            else:
                out.extend(json_diff(expected[k], actual[k], f"{path}.{k}"))
        for k in actual:
            if k not in expected:
                out.append(f"{path}.{k}: unexpected in actual (= {_short(actual[k])})")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: list length {len(expected)} expected, {len(actual)} actual")
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(json_diff(e, a, f"{path}[{i}]"))
        return out
    if _scalar_equal(expected, actual):
        return out
    out.append(f"{path}: expected {_short(expected)}, actual {_short(actual)}")
    return out


def _scalar_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _short(v: Any, limit: int = 120) -> str:
    s = json.dumps(v, sort_keys=True, default=str)
    return s if len(s) <= limit else s[: limit - 3] + "..."


@dataclass(frozen=True)
class Allow:
    """One tolerated difference: `pattern` matches `json_diff` lines, `*` being the only wildcard."""

    pattern: str
    reason: str
    # True for a gap that only some inputs hit (e.g. an SDK gap that depends on which fixtures
    # exist): not reported as stale when unused.
    optional: bool = False


class Allowed:
    """Applies a list of `Allow` entries keyed by case id and reports unused entries."""

    def __init__(self, entries: dict[str, list[Allow]]):
        self.entries = entries
        self.used: set[tuple[str, str]] = set()

    def filter(self, case: str, diffs: Iterable[str]) -> list[str]:
        remaining = []
        for d in diffs:
            hit = None
            for key, allows in self.entries.items():
                if not fnmatch.fnmatchcase(case, key.replace("[", "[[]")):
                    continue
                for a in allows:
                    # `*` is the only wildcard; `[` is literal (JSON paths have `[0]`).
                    if fnmatch.fnmatchcase(d, a.pattern.replace("[", "[[]")):
                        hit = (key, a.pattern)
                        break
                if hit:
                    break
            if hit:
                self.used.add(hit)
            else:
                remaining.append(d)
        return remaining

    def unused(self) -> list[str]:
        return [
            f"{key}: {a.pattern}  ({a.reason})"
            for key, allows in self.entries.items()
            for a in allows
            if (key, a.pattern) not in self.used and not a.optional
        ]


def fail_report(title: str, lines: list[str], context: Any = None) -> str:
    msg = [title] + [f"  - {line}" for line in lines]
    if context is not None:
        msg.append("  context: " + _short(context, 4000))
    return "\n".join(msg)


# --------------------------------------------------------------------------------------------------
# The Rust side: crates/vl-schema/examples/schema_check.rs


def _target_dir() -> Path:
    t = os.environ.get("CARGO_TARGET_DIR")
    if not t:
        return REPO / "target"
    p = Path(t)
    return p if p.is_absolute() else REPO / p


@lru_cache(maxsize=1)
def schema_check_binary() -> Path:
    """Builds the example once per test session and returns its path."""
    cargo = os.environ.get("CARGO", "cargo")
    proc = subprocess.run(
        [cargo, "build", "-q", "-p", "vl-schema", "--example", "schema_check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            "cannot build the vl-schema example schema_check:\n" + proc.stderr[-8000:]
        )
    exe = _target_dir() / "debug" / "examples" / "schema_check"
    if not exe.exists():
        raise RuntimeError(f"schema_check built but not found at {exe}")
    return exe


@dataclass
class Outcome:
    """One result of schema_check: `ok` with `json` (and `type`), or an `error` object."""

    ok: bool
    json: Any = None
    type: str | None = None
    error: dict | None = None
    unknown_fields: list[str] | None = None  # decode-client: input fields vl-schema ignored

    def describe(self) -> str:
        return f"ok: {_short(self.json)}" if self.ok else f"error: {self.error}"


def run_schema_check(mode: list[str], docs: list[Any] | list[str]) -> list[Outcome]:
    """Runs `schema_check <mode...> FILE...` over `docs` (JSON values, or raw strings sent verbatim)."""
    exe = schema_check_binary()
    with tempfile.TemporaryDirectory(prefix="schema_check_") as tmp:
        files = []
        for i, d in enumerate(docs):
            f = Path(tmp) / f"{i:04}.json"
            f.write_text(d if isinstance(d, str) else json.dumps(d), encoding="utf-8")
            files.append(str(f))
        proc = subprocess.run(
            [str(exe), *mode, *files], capture_output=True, text=True, cwd=REPO
        )
    if proc.returncode != 0:
        raise RuntimeError(
            f"schema_check {' '.join(mode)} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
        )
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and len(results) == len(docs), proc.stdout[:2000]
    return [
        Outcome(
            ok=r["ok"],
            json=r.get("json"),
            type=r.get("type"),
            error=r.get("error"),
            unknown_fields=r.get("unknown_fields"),
        )
        for r in results
    ]


@lru_cache(maxsize=1)
def vl_schema_types() -> dict[str, list[str]]:
    """vl-schema's `ClientEvent::TYPES` and `ServerEvent::TYPES`."""
    proc = subprocess.run(
        [str(schema_check_binary()), "types"], capture_output=True, text=True, cwd=REPO
    )
    if proc.returncode != 0:
        raise RuntimeError(f"schema_check types exited {proc.returncode}: {proc.stderr}")
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------------------------------
# Fixtures written by the schema crate


def load_fixture_dir(sub: str) -> list[tuple[str, Any]]:
    """(case id, event JSON) for every fixture under tests/fixtures/<sub>/.

    A fixture file holds one event object, or a JSON array of event objects (variants).
    """
    d = FIXTURES / sub
    out: list[tuple[str, Any]] = []
    if not d.is_dir():
        return out
    for f in sorted(d.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(data, list):
            for i, ev in enumerate(data):
                out.append((f"{sub}/{f.name}[{i}]", ev))
        else:
            out.append((f"{sub}/{f.name}", data))
    return out
