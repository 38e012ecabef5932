"""Walks a JSON value against the azure-ai-voicelive SDK model that deserialized it.

The SDK models keep the raw JSON and deserialize lazily, so `as_dict()` hands back unknown keys
untouched: comparing `as_dict()` with the input proves nothing about field names. This walker checks
what a user of the SDK actually sees:

* every key of the JSON is a declared field of the SDK class at that level (else the SDK user can
  only reach it with `obj["key"]`: a renamed or unknown field);
* every field the SDK declares as required is present;
* the typed attribute value has the declared type (int, str, bool, list, enum/Literal value,
  datetime, bytes, nested model);
* for a discriminated union (a base class with a `__mapping__`), the SDK picked a specific subclass
  rather than the generic base.
"""

from __future__ import annotations

import datetime
import enum
import typing
from typing import Any

import azure.ai.voicelive.models as models
from azure.ai.voicelive import _unions
from azure.ai.voicelive._utils.model_base import Model, _RestField

_NS = {**vars(models), "_models": models, "_unions": _unions}
_HINTS: dict[tuple[type, str], Any] = {}


def rest_fields(cls: type) -> dict[str, tuple[str, _RestField]]:
    """rest name -> (attribute name, rest field), over the whole MRO."""
    out: dict[str, tuple[str, _RestField]] = {}
    for k in reversed([c for c in cls.__mro__ if isinstance(c, type) and issubclass(c, Model)]):
        for attr, v in k.__dict__.items():
            if isinstance(v, _RestField):
                out[v._rest_name_input or attr] = (attr, v)
    return out


def annotation(cls: type, attr: str) -> Any:
    key = (cls, attr)
    if key not in _HINTS:
        raw = None
        for k in cls.__mro__:
            ann = k.__dict__.get("__annotations__", {})
            if attr in ann:
                raw = ann[attr]
                break
        if isinstance(raw, str):
            raw = eval(raw, _NS)  # noqa: S307 - annotations of the installed SDK
        elif raw is not None:
            raw = typing._eval_type(raw, _NS, None)  # type: ignore[attr-defined]
        _HINTS[key] = raw if raw is not None else Any
    return _HINTS[key]


def is_optional(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Union and type(None) in typing.get_args(tp)


def is_base(cls: type) -> bool:
    """A discriminated base class (has its own subclass mapping)."""
    return "__mapping__" in cls.__dict__ and bool(cls.__dict__["__mapping__"])


def discriminator_of(cls: type) -> str | None:
    for v in cls.__dict__.values():
        if isinstance(v, _RestField) and v._is_discriminator:
            return v._rest_name_input
    return None


def walk(obj: Model, raw: Any, path: str = "$") -> list[str]:
    """Problems found walking `raw` (the JSON) against the SDK model instance `obj`."""
    problems: list[str] = []
    cls = type(obj)
    if not isinstance(raw, dict):
        return [f"{path}: SDK model {cls.__name__} for a non-object {raw!r}"]
    if is_base(cls):
        disc = discriminator_of(cls)
        problems.append(
            f"{path}: SDK has no subclass of {cls.__name__} for {disc}={raw.get(disc)!r} "
            f"(SDK knows {len(cls.__dict__['__mapping__'])} values)"
        )
    fields = rest_fields(cls)
    for key in raw:
        if key not in fields:
            problems.append(f"{path}.{key}: not a field of SDK {cls.__name__}")
    for rest, (attr, _rf) in fields.items():
        tp = annotation(cls, attr)
        if rest not in raw:
            if not is_optional(tp) and tp is not Any:
                problems.append(f"{path}.{rest}: required by SDK {cls.__name__} but missing")
            continue
        try:
            typed = getattr(obj, attr)
        except Exception as e:  # noqa: BLE001 - any SDK failure is a finding
            problems.append(f"{path}.{rest}: SDK attribute access raised {type(e).__name__}: {e}")
            continue
        problems.extend(check(typed, raw[rest], tp, f"{path}.{rest}"))
    return problems


def check(typed: Any, raw: Any, tp: Any, path: str) -> list[str]:
    """Problems with one value: `typed` is what the SDK returns, `raw` the JSON, `tp` the annotation."""
    if tp is Any or tp is object:
        return []
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union:
        if raw is None:
            return [] if type(None) in args else [f"{path}: null not allowed by SDK ({tp})"]
        arms = [a for a in args if a is not type(None)]
        # Prefer model arms when the JSON is an object (the SDK leaves such unions as raw dicts).
        if isinstance(raw, dict):
            arms.sort(key=lambda a: 0 if _is_model_type(a) else 1)
        best: list[str] | None = None
        for a in arms:
            p = check(typed, raw, a, path)
            if not p:
                return []
            if best is None or len(p) < len(best):
                best = p
        return best or [f"{path}: no union arm of {tp} matches {raw!r}"]
    if raw is None:
        return [f"{path}: null where SDK declares {tp}"]
    if origin is typing.Literal:
        values = [a.value if isinstance(a, enum.Enum) else a for a in args]
        return [] if raw in values else [f"{path}: {raw!r} not in SDK Literal{values}"]
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(raw, list):
            return [f"{path}: expected a list, got {raw!r}"]
        (elem,) = args or (Any,)
        items = typed if isinstance(typed, list) and len(typed) == len(raw) else raw
        out: list[str] = []
        for i, (t, r) in enumerate(zip(items, raw)):
            out.extend(check(t, r, elem, f"{path}[{i}]"))
        return out
    if origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(raw, dict):
            return [f"{path}: expected an object, got {raw!r}"]
        vt = args[1] if len(args) == 2 else Any
        out = []
        for k, r in raw.items():
            t = typed.get(k, r) if isinstance(typed, dict) else r
            out.extend(check(t, r, vt, f"{path}.{k}"))
        return out
    if isinstance(tp, type):
        if issubclass(tp, Model):
            if not isinstance(raw, dict):
                return [f"{path}: expected an object for {tp.__name__}, got {raw!r}"]
            inst = typed if isinstance(typed, tp) else None
            if inst is None:
                # Unions with `str` are not deserialized by the SDK: do what it would do for the arm.
                inst = tp._deserialize(raw, []) if is_base(tp) else tp(raw)
            return walk(inst, raw, path)
        if issubclass(tp, enum.Enum):
            values = [m.value for m in tp]
            return [] if raw in values else [f"{path}: {raw!r} not a {tp.__name__} value {values}"]
        if tp is bool:
            return [] if isinstance(raw, bool) else [f"{path}: expected bool, got {raw!r}"]
        if tp is int:
            ok = isinstance(raw, int) and not isinstance(raw, bool)
            return [] if ok else [f"{path}: expected int, got {raw!r}"]
        if tp is float:
            ok = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            return [] if ok else [f"{path}: expected number, got {raw!r}"]
        if tp is str:
            return [] if isinstance(raw, str) else [f"{path}: expected string, got {raw!r}"]
        if tp is bytes:
            return [] if isinstance(typed, bytes) else [f"{path}: SDK did not decode bytes: {raw!r}"]
        if tp is datetime.datetime:
            ok = isinstance(typed, datetime.datetime)
            return [] if ok else [f"{path}: SDK did not parse a datetime from {raw!r}"]
    return [f"{path}: walker does not know SDK type {tp!r}"]


def _is_model_type(a: Any) -> bool:
    return isinstance(a, type) and issubclass(a, Model)
