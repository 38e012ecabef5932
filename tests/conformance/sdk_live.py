"""Helpers shared by the ported azure-ai-voicelive live tests (`test_sdk_live_*.py`).

They mirror `tests/live/_live_helpers.py` of the azure-ai-voicelive 1.3.1 sdist (MIT licence),
with shorter waits: the scripted backend answers in milliseconds, so a quiet period of
`QUIET_S` is long enough to prove that nothing more is coming.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from typing import Any, Callable, Iterable

from azure.ai.voicelive.aio import connect
from azure.core.credentials import AzureKeyCredential

import speech

STEP_TIMEOUT_S = 10.0
QUIET_S = 0.6
MODEL = "gpt-realtime"
CASCADED_MODEL = "gpt-4.1"
# The SDK tests append whole files; 10 KB chunks (their `_iter_audio_b64_chunks`) keep each
# message small.
CHUNK_BYTES = 10_240


def run(coro, timeout_s: float = 60.0):
    return asyncio.run(asyncio.wait_for(coro, timeout=timeout_s))


@contextlib.asynccontextmanager
async def session(server, model: str = MODEL, **kwargs):
    async with connect(
        endpoint=server.endpoint,
        credential=AzureKeyCredential(server.api_key),
        model=model,
        **kwargs,
    ) as conn:
        yield conn


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


async def append(conn, data: bytes) -> None:
    """Appends raw wire-format audio in 10 KB messages."""
    for i in range(0, len(data), CHUNK_BYTES):
        await conn.input_audio_buffer.append(audio=b64(data[i : i + CHUNK_BYTES]))


async def wait_for(conn, types: Iterable[str], timeout_s: float = STEP_TIMEOUT_S, seen: list | None = None):
    """The first event whose type is in `types` (like the SDK's `_wait_for_event`); every event
    read on the way is appended to `seen`."""
    wanted = {name(t) for t in types}
    log = seen if seen is not None else []

    async def _next():
        while True:
            evt = await conn.recv()
            log.append(evt)
            if name(evt.type) in wanted:
                return evt

    try:
        return await asyncio.wait_for(_next(), timeout=timeout_s)
    except asyncio.TimeoutError:
        raise AssertionError(f"no {sorted(wanted)} within {timeout_s} s; got {_brief(log)}") from None


def _brief(events: list) -> list[str]:
    out = []
    for e in events[-40:]:
        if e.type == "error":
            out.append(f"error({e.error.code}: {e.error.message})")
        else:
            out.append(name(e.type))
    return out


async def wait_match(conn, predicate: Callable[[Any], bool], timeout_s: float = STEP_TIMEOUT_S):
    async def _next():
        while True:
            evt = await conn.recv()
            if predicate(evt):
                return evt

    return await asyncio.wait_for(_next(), timeout=timeout_s)


async def collect_until(conn, last: str, timeout_s: float = STEP_TIMEOUT_S) -> list:
    """Events up to and including the first of type `last`."""
    seen: list = []
    await wait_for(conn, {last}, timeout_s, seen)
    return seen


async def collect_quiet(conn, quiet_s: float = QUIET_S, limit_s: float = STEP_TIMEOUT_S) -> list:
    """Events until none arrives for `quiet_s` (at most `limit_s` in all)."""
    seen: list = []
    loop = asyncio.get_running_loop()
    end = loop.time() + limit_s
    while loop.time() < end:
        try:
            seen.append(await asyncio.wait_for(conn.recv(), timeout=quiet_s))
        except asyncio.TimeoutError:
            break
    return seen


def of_type(events: list, kind: str) -> list:
    return [e for e in events if e.type == kind]


def name(kind) -> str:
    """An event type as its wire string (the SDK's enums are `str` subclasses)."""
    return str(getattr(kind, "value", kind))


def types(events: list) -> list[str]:
    return [name(e.type) for e in events]


def audio_bytes(events: list) -> bytes:
    return b"".join(e.delta for e in events if e.type == "response.audio.delta")


def turn_audio(rate_hz: int, prompt: str = "hello-world.wav", lead_ms: int = 0, tail_ms: int = 2000) -> bytes:
    """A recorded prompt resampled to `rate_hz`, with `lead_ms` of silence before and `tail_ms`
    after it (the SDK tests append 2 s of trailing silence)."""
    voice = speech.resample(speech.prompt(prompt), 8000, rate_hz)
    return speech.silence(rate_hz, lead_ms) + voice + speech.silence(rate_hz, tail_ms)
