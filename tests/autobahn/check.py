#!/usr/bin/env python3
"""Diff a kosoku (Autobahn) report against `expected-results.json` (the tungstenite pattern).

Usage:
    check.py REPORT_DIR            # exit 1 on any difference, listing each case
    check.py REPORT_DIR --update   # rewrite expected-results.json from the report

REPORT_DIR holds kosoku's `index.json` (`kosoku -o REPORT_DIR ...`): `{agent: {case: {"behavior",
"behaviorClose", ...}}}`. The expected file keeps `behavior` and `behaviorClose` per case id, for
the agent `vl-server`. Any difference fails the check: a regression, an improvement (then update
the file on purpose, so the better result is kept from then on), a case that went missing or a new
case. The summary line counts the report's verdicts.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent
EXPECTED = HERE / "expected-results.json"
AGENT = "vl-server"

# Lower is better; used only to label a difference as a regression or an improvement.
RANK = {
    "OK": 0,
    "NON-STRICT": 1,
    "INFORMATIONAL": 1,
    "UNIMPLEMENTED": 2,
    "WRONG CODE": 3,
    "UNCLEAN": 3,
    "FAILED BY CLIENT": 3,
    "FAILED": 4,
    "ERROR": 5,
}


def _case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in case_id.split("."))


def load_report(report_dir: pathlib.Path) -> dict[str, dict[str, str]]:
    """The report's cases: `{case id: {"behavior", "behaviorClose"}}` (all agents merged)."""
    index = json.loads((report_dir / "index.json").read_text())
    cases: dict[str, dict[str, str]] = {}
    for agent_cases in index.values():
        for case_id, entry in agent_cases.items():
            cases[case_id] = {
                "behavior": str(entry.get("behavior")),
                "behaviorClose": str(entry.get("behaviorClose")),
            }
    return cases


def load_expected(path: pathlib.Path = EXPECTED) -> dict[str, dict[str, str]]:
    """The expected cases of `path`."""
    return json.loads(path.read_text())[AGENT]


def counts(cases: dict[str, dict[str, str]]) -> Counter:
    """How many cases have each `behavior`."""
    return Counter(c["behavior"] for c in cases.values())


def diff(expected: dict[str, dict[str, str]], got: dict[str, dict[str, str]]) -> list[str]:
    """One line per case whose verdicts differ from `expected` (empty when they all match)."""
    lines = []
    for case_id in sorted(set(expected) | set(got), key=_case_key):
        want, have = expected.get(case_id), got.get(case_id)
        if want == have:
            continue
        if have is None:
            lines.append(f"{case_id}: missing from the report (expected {want})")
            continue
        if want is None:
            lines.append(f"{case_id}: new case {have}")
            continue
        worse = any(RANK.get(have[k], 9) > RANK.get(want[k], 9) for k in ("behavior", "behaviorClose"))
        label = "REGRESSION" if worse else "improvement"
        lines.append(
            f"{case_id}: {label}: behavior {want['behavior']} -> {have['behavior']}, "
            f"behaviorClose {want['behaviorClose']} -> {have['behaviorClose']}"
        )
    return lines


def summary(cases: dict[str, dict[str, str]]) -> str:
    """`N cases: OK a, NON-STRICT b, ...` over the verdicts of `cases`."""
    c = counts(cases)
    order = ["OK", "NON-STRICT", "INFORMATIONAL", "FAILED", "UNIMPLEMENTED"]
    parts = [f"{k} {c.get(k, 0)}" for k in order] + [
        f"{k} {v}" for k, v in sorted(c.items()) if k not in order
    ]
    return f"{len(cases)} cases: " + ", ".join(parts)


def write_expected(got: dict[str, dict[str, str]], path: pathlib.Path = EXPECTED) -> None:
    """Rewrites `path` from the report's cases."""
    # One line per case, so a changed verdict is a one-line diff.
    lines = [
        f"    {json.dumps(k)}: {json.dumps(got[k], sort_keys=True)}"
        for k in sorted(got, key=_case_key)
    ]
    path.write_text("{\n  " + json.dumps(AGENT) + ": {\n" + ",\n".join(lines) + "\n  }\n}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=pathlib.Path)
    parser.add_argument("--update", action="store_true", help="rewrite expected-results.json")
    args = parser.parse_args()
    got = load_report(args.report_dir)
    print(summary(got))
    if args.update:
        write_expected(got)
        print(f"wrote {EXPECTED}")
        return 0
    lines = diff(load_expected(), got)
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
