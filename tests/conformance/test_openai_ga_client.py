"""The `openai` Python package's GA realtime client against vl-server's `/v1/realtime`
(protocol.md §9: GA event names and nested `audio` session shape), scripted backend."""

from __future__ import annotations

import asyncio
import base64

from openai import AsyncOpenAI

import speech
from sdk_live import turn_audio

STEP_TIMEOUT_S = 10.0
MODEL = "gpt-realtime"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


def client(server) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{server.endpoint}/v1", api_key=server.api_key)


async def until(conn, wanted: str) -> list:
    seen = []
    while True:
        event = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
        seen.append(event)
        if event.type == wanted:
            return seen


def of_type(events, kind):
    return [e for e in events if e.type == kind]


def test_ga_text_turn(vl_server):
    async def body():
        async with client(vl_server).realtime.connect(model=MODEL) as conn:
            first = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
            assert first.type == "session.created"
            assert first.session.type == "realtime"
            await conn.session.update(session={"type": "realtime", "output_modalities": ["text"], "instructions": "Be brief."})
            updated = (await until(conn, "session.updated"))[-1]
            assert updated.session.output_modalities == ["text"]
            assert updated.session.instructions == "Be brief."
            await conn.conversation.item.create(
                item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello there"}]}
            )
            added = await until(conn, "conversation.item.added")
            assert added[-1].item.role == "user"
            await conn.response.create()
            events = await until(conn, "response.done")
            kinds = [e.type for e in events]
            assert "response.text.delta" not in kinds, "GA names only on /v1/realtime"
            deltas = "".join(e.delta for e in of_type(events, "response.output_text.delta"))
            assert deltas == "You said: hello there"
            assert of_type(events, "response.output_text.done")[0].text == deltas
            assert events[-1].response.status == "completed"

    run(body())


def test_ga_audio_turn_with_server_vad(vl_server):
    """Recorded speech through `audio.input` (pcm 24 kHz, server VAD) gives the GA audio events
    and a speech-like reply."""

    async def body():
        async with client(vl_server).realtime.connect(model=MODEL) as conn:
            await conn.session.update(
                session={
                    "type": "realtime",
                    "output_modalities": ["audio"],
                    "audio": {
                        "input": {
                            "format": {"type": "audio/pcm", "rate": 24000},
                            "turn_detection": {"type": "server_vad", "silence_duration_ms": 300},
                        },
                        "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
                    },
                }
            )
            updated = (await until(conn, "session.updated"))[-1]
            assert updated.session.audio.input.turn_detection.type == "server_vad"
            audio = turn_audio(24000)
            for i in range(0, len(audio), 9600):
                await conn.input_audio_buffer.append(audio=base64.b64encode(audio[i : i + 9600]).decode())
            events = await until(conn, "response.done")
            kinds = [e.type for e in events]
            for k in ("input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped", "input_audio_buffer.committed"):
                assert k in kinds, kinds
            assert "response.audio.delta" not in kinds
            pcm = b"".join(base64.b64decode(e.delta) for e in of_type(events, "response.output_audio.delta"))
            speech.check_speech_like(pcm, 24000)
            transcript = of_type(events, "response.output_audio_transcript.done")[0].transcript
            assert transcript.startswith("You said: ")

    run(body())


def test_ga_function_call_round_trip(vl_server):
    async def body():
        async with client(vl_server).realtime.connect(model=MODEL) as conn:
            await conn.session.update(
                session={
                    "type": "realtime",
                    "output_modalities": ["text"],
                    "tools": [{"type": "function", "name": "get_weather", "description": "Weather.", "parameters": {"type": "object", "properties": {}}}],
                    "tool_choice": "auto",
                }
            )
            await until(conn, "session.updated")
            await conn.conversation.item.create(
                item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "get_weather please"}]}
            )
            await conn.response.create()
            events = await until(conn, "response.done")
            done = of_type(events, "response.function_call_arguments.done")
            assert len(done) == 1 and done[0].name == "get_weather"
            deltas = of_type(events, "response.function_call_arguments.delta")
            assert "".join(d.delta for d in deltas) == done[0].arguments
            await conn.conversation.item.create(
                item={"type": "function_call_output", "call_id": done[0].call_id, "output": "sunny"}
            )
            await conn.response.create()
            events = await until(conn, "response.done")
            text = of_type(events, "response.output_text.done")[0].text
            assert "sunny" in text

    run(body())


def test_ga_bad_event_gets_an_error_and_the_session_goes_on(vl_server):
    async def body():
        async with client(vl_server).realtime.connect(model=MODEL) as conn:
            await until(conn, "session.created")
            await conn.response.cancel()
            err = (await until(conn, "error"))[-1]
            assert err.error.code == "response_cancel_not_active"
            await conn.session.update(session={"type": "realtime", "instructions": "still here"})
            updated = (await until(conn, "session.updated"))[-1]
            assert updated.session.instructions == "still here"

    run(body())
