"""The official azure-ai-voicelive SDK against the real vl-server binary (protocol.md §10.1)."""

from __future__ import annotations

import asyncio

import pytest
from azure.ai.voicelive.aio import ConnectionError as VoiceLiveConnectionError
from azure.ai.voicelive.aio import connect
from azure.ai.voicelive.models import (
    InputTextContentPart,
    RequestSession,
    UserMessageItem,
)
from azure.core.credentials import AzureKeyCredential


STEP_TIMEOUT_S = 10.0
MODEL = "gpt-realtime"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def recv_until(conn, wanted: str, limit: int = 200):
    """Events up to and including the first of type `wanted`."""
    seen = []
    for _ in range(limit):
        event = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
        seen.append(event)
        if event.type == wanted:
            return seen
    raise AssertionError(f"no {wanted} in {[e.type for e in seen]}")


def test_connect_gets_session_created_first(vl_server):
    async def body():
        async with connect(
            endpoint=vl_server.endpoint,
            credential=AzureKeyCredential(vl_server.api_key),
            model=MODEL,
        ) as conn:
            first = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
            assert first.type == "session.created"
            assert first.session.id.startswith("sess_")
            assert first.session.model == MODEL

    run(body())


def test_endpoint_path_prefix_is_kept_and_served(vl_server):
    async def body():
        async with connect(
            endpoint=vl_server.endpoint + "/base/",
            credential=AzureKeyCredential(vl_server.api_key),
            model=MODEL,
        ) as conn:
            first = await asyncio.wait_for(conn.recv(), timeout=STEP_TIMEOUT_S)
            assert first.type == "session.created"

    run(body())


def test_session_update_is_echoed(vl_server):
    async def body():
        async with connect(
            endpoint=vl_server.endpoint,
            credential=AzureKeyCredential(vl_server.api_key),
            model=MODEL,
        ) as conn:
            await recv_until(conn, "session.created")
            await conn.session.update(
                session=RequestSession(instructions="Answer in one short sentence.", modalities=["text"])
            )
            events = await recv_until(conn, "session.updated")
            updated = events[-1]
            assert updated.session.instructions == "Answer in one short sentence."
            assert list(updated.session.modalities) == ["text"]

    run(body())


def test_text_conversation_gets_the_scripted_reply(vl_server):
    async def body():
        async with connect(
            endpoint=vl_server.endpoint,
            credential=AzureKeyCredential(vl_server.api_key),
            model=MODEL,
        ) as conn:
            await recv_until(conn, "session.created")
            await conn.session.update(session=RequestSession(modalities=["text"]))
            await recv_until(conn, "session.updated")
            await conn.conversation.item.create(
                item=UserMessageItem(content=[InputTextContentPart(text="hello there")])
            )
            await recv_until(conn, "conversation.item.created")
            await conn.response.create()
            events = await recv_until(conn, "response.done")
            done = events[-1]
            assert done.response.status == "completed"
            texts = [
                part.text
                for item in done.response.output
                for part in (getattr(item, "content", None) or [])
                if getattr(part, "text", None)
            ]
            assert texts == ["You said: hello there"], [e.type for e in events]
            deltas = "".join(e.delta for e in events if e.type == "response.text.delta")
            assert deltas == "You said: hello there"

    run(body())


def test_a_wrong_key_is_refused_with_401(vl_server):
    async def body():
        with pytest.raises(VoiceLiveConnectionError) as info:
            async with connect(
                endpoint=vl_server.endpoint,
                credential=AzureKeyCredential("not-the-key"),
                model=MODEL,
            ):
                pass
        assert "401" in str(info.value)

    run(body())
