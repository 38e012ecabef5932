"""Ports of the azure-ai-voicelive 1.3.1 live tests `test_live_realtime_basic.py`,
`test_live_realtime_lifecycle.py`, `test_live_realtime_transcription.py` and the
`…_wo_turn_detection` case of `test_live_realtime_turn_detection.py`, run against vl-server
with the scripted backend (protocol.md §10.2).

What the cloud tests assert about model content (an answer about lakes, `{"location":"Beijing"}`)
is replaced by the scripted backend's exact contract: the reply is `You said: <transcript>`.
Recorded speech is the asterisk prompt `hello-world.wav` instead of the repository's `4-1.wav` /
`largest_lake.wav`, which are not shipped in the sdist.
"""

from __future__ import annotations

import base64

import pytest
from azure.ai.voicelive.models import (
    AudioInputTranscriptionOptions,
    AzureStandardVoice,
    ContentPart,
    FunctionCallOutputItem,
    FunctionTool,
    InputTextContentPart,
    Modality,
    RequestSession,
    ResponseMessageItem,
    ResponseStatus,
    ServerEventConversationItemRetrieved,
    ServerEventConversationItemTruncated,
    ServerEventType,
    ServerVad,
    ToolChoiceLiteral,
    UserMessageItem,
)

from sdk_live import (
    CASCADED_MODEL,
    append,
    audio_bytes,
    collect_quiet,
    collect_until,
    of_type,
    run,
    session,
    turn_audio,
    types,
    wait_for,
)

VAD_TYPES = {
    ServerEventType.INPUT_AUDIO_BUFFER_COMMITTED,
    ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED,
    ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STOPPED,
}
RESPONSE_OUTPUT = {
    "response.audio.delta",
    "response.audio.done",
    "response.audio_transcript.delta",
    "response.audio_transcript.done",
    "response.created",
}


def test_realtime_service(vl_server):
    """`test_realtime_service`: VAD events after an append, then a non-empty audio delta; here
    also the full order of protocol.md §6 B and the scripted reply to the transcript."""

    async def body():
        async with session(vl_server, model=CASCADED_MODEL) as conn:
            await conn.session.update(session=RequestSession(modalities=[Modality.TEXT, Modality.AUDIO]))
            await wait_for(conn, {ServerEventType.SESSION_CREATED})
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await append(conn, turn_audio(24000))
            events = await collect_until(conn, "response.done")
            order = [t for t in types(events) if not t.endswith(".delta")]
            assert order[:5] == [
                "input_audio_buffer.speech_started",
                "input_audio_buffer.speech_stopped",
                "input_audio_buffer.committed",
                "conversation.item.created",
                "conversation.item.input_audio_transcription.completed",
            ], order
            assert order[5] == "response.created", order
            audio = audio_bytes(events)
            assert len(audio) > 0
            user_id = events[0].item_id
            assert {e.item_id for e in events if e.type in VAD_TYPES} == {user_id}
            transcript = of_type(events, "conversation.item.input_audio_transcription.completed")[0].transcript
            assert transcript, "the recogniser heard nothing in recorded speech"
            spoken = of_type(events, "response.audio_transcript.done")[0].transcript
            assert spoken == f"You said: {transcript}"
            done = events[-1]
            assert done.response.status == ResponseStatus.COMPLETED
            assert done.response.usage.total_tokens > 0

    run(body())


def test_realtime_service_live_session_update(vl_server):
    """`…_live_session_update`: a second `session.update` mid-session adds a tool; the next
    turn calls it (the scripted model calls a tool named in the user's words), and after the
    tool output `response.create` gives a spoken answer containing it."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    instructions="You are a helpful assistant that can answer questions.",
                    voice=AzureStandardVoice(name="en-US-AvaMultilingualNeural"),
                    input_audio_transcription=AudioInputTranscriptionOptions(model="azure-speech"),
                    turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=200),
                )
            )
            await append(conn, turn_audio(24000))
            first = await collect_until(conn, "response.done")
            assert len(of_type(first, "response.audio_transcript.done")) == 1
            assert len(audio_bytes(first)) > 50 * 1000
            heard = of_type(first, "conversation.item.input_audio_transcription.completed")[0].transcript
            tool_name = heard.split()[0]
            await conn.session.update(
                session=RequestSession(
                    instructions="You are a helpful assistant with tools.",
                    tools=[FunctionTool(name=tool_name, description="A tool named after a heard word.")],
                    tool_choice=ToolChoiceLiteral.AUTO,
                )
            )
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert [t.name for t in updated.session.tools] == [tool_name]
            # The same recording again: the transcript is the same, so it names the tool.
            await append(conn, turn_audio(24000))
            call = await wait_for(conn, {ServerEventType.RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE})
            assert call.name == tool_name
            assert call.arguments == "{}"
            await wait_for(conn, {ServerEventType.RESPONSE_DONE})
            await conn.conversation.item.create(item=FunctionCallOutputItem(call_id=call.call_id, output="sunny, 25 C"))
            await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_CREATED})
            await conn.response.create()
            second = await collect_until(conn, "response.done")
            assert len(of_type(second, "response.audio_transcript.done")) == 1
            assert "sunny, 25 C" in of_type(second, "response.audio_transcript.done")[0].transcript
            assert len(audio_bytes(second)) > 50 * 1000

    run(body())


async def _audio_reply(conn):
    """Appends recorded speech with server VAD and returns the events up to `response.done`."""
    await append(conn, turn_audio(24000))
    return await collect_until(conn, "response.done")


def test_realtime_service_retrieve_item(vl_server):
    """`…_retrieve_item`: after `output_item.done`, retrieve gives the assistant message with its
    content; here also the same transcript and the full audio of the reply."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(session=RequestSession(instructions="You are a helpful assistant.", voice="alloy"))
            events = await _audio_reply(conn)
            output = of_type(events, "response.output_item.done")[0]
            await conn.conversation.item.retrieve(item_id=output.item.id)
            retrieved = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_RETRIEVED})
            assert isinstance(retrieved, ServerEventConversationItemRetrieved)
            assert isinstance(retrieved.item, ResponseMessageItem)
            assert retrieved.item.role == "assistant"
            assert retrieved.item.content is not None
            part = retrieved.item.content[0]
            assert isinstance(part, ContentPart)
            assert part.transcript == output.item.content[0].transcript
            user = of_type(events, "input_audio_buffer.committed")[0].item_id
            await conn.conversation.item.retrieve(item_id=user)
            user_item = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_RETRIEVED})
            assert user_item.item.role == "user"

    run(body())


def test_realtime_service_truncate_item(vl_server):
    """`…_truncate_item`: truncate at `audio_end_ms=1000` is acknowledged with the item id; here
    also exactness: a retrieve afterwards holds exactly 1000 ms of audio and the transcript up to
    the last word that starts before 1000 ms (from the word timestamps)."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(instructions="You are a helpful assistant.", output_audio_timestamp_types=["word"])
            )
            events = await _audio_reply(conn)
            output = of_type(events, "response.output_item.done")[0]
            full = output.item.content[0].transcript
            words = of_type(events, "response.audio_timestamp.delta")
            assert len(audio_bytes(events)) > 1000 * 24 * 2, "reply shorter than the truncation point"
            await conn.conversation.item.truncate(item_id=output.item.id, content_index=0, audio_end_ms=1000)
            truncated = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_TRUNCATED})
            assert isinstance(truncated, ServerEventConversationItemTruncated)
            assert truncated.item_id == output.item.id
            assert truncated.audio_end_ms == 1000
            await conn.conversation.item.retrieve(item_id=output.item.id)
            retrieved = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_RETRIEVED})
            part = retrieved.item.content[0]
            heard = [w.text for w in words if w.audio_offset_ms < 1000]
            assert heard and len(heard) < len(words)
            assert [w.strip(",.;:!?") for w in part.transcript.split()] == heard, (part.transcript, heard)
            assert full.startswith(part.transcript.rstrip())
            # The SDK model has no `audio` attribute on this part; the wire field is still there.
            audio = base64.b64decode(part["audio"])
            assert len(audio) == 1000 * 24 * 2, "exactly 1000 ms of pcm16 at 24 kHz"
            assert audio == audio_bytes(events)[: len(audio)], "the kept audio is the start of the reply"

    run(body())


def test_realtime_service_response_cancel(vl_server):
    """`…_response_cancel`: cancel right after `response.created` gives `response.done` cancelled."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    modalities=[Modality.TEXT, Modality.AUDIO],
                    instructions="You are a helpful assistant. Always answer with a long, detailed reply.",
                )
            )
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            # The scripted model answers at once, so the "long reply" is made long by the user's
            # text (it is echoed, one synthesis per sentence), and the cancel follows the create
            # without waiting for `response.created` (the cloud test waits).
            story = " ".join(f"Sentence {i} of a very long story about the ocean." for i in range(60))
            await conn.conversation.item.create(item=UserMessageItem(content=[InputTextContentPart(text=story)]))
            await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_CREATED})
            await conn.response.create()
            await conn.response.cancel()
            events = await collect_until(conn, "response.done")
            assert types(events)[0] == "response.created"
            done = events[-1]
            assert done.response.status == ResponseStatus.CANCELLED
            assert done.response.status_details.reason == "client_cancelled"
            # Nothing active any more: a second cancel is an error and the session goes on.
            await conn.response.cancel()
            err = await wait_for(conn, {ServerEventType.ERROR})
            assert err.error.code == "response_cancel_not_active"

    run(body())


def test_realtime_service_conversation_item_delete(vl_server):
    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(session=RequestSession(instructions="You are a helpful assistant."))
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await conn.conversation.item.create(
                item=UserMessageItem(content=[InputTextContentPart(text="This item will be deleted.")])
            )
            created = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_CREATED})
            await conn.conversation.item.delete(item_id=created.item.id)
            deleted = await wait_for(conn, {ServerEventType.CONVERSATION_ITEM_DELETED})
            assert deleted.item_id == created.item.id
            await conn.conversation.item.retrieve(item_id=created.item.id)
            err = await wait_for(conn, {ServerEventType.ERROR})
            assert err.error.param == "item_id"

    run(body())


def test_realtime_service_input_audio_buffer_clear(vl_server):
    """`…_input_audio_buffer_clear`; here also: a commit after the clear finds the buffer empty."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(session=RequestSession(modalities=[Modality.TEXT, Modality.AUDIO], turn_detection=None))
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await append(conn, turn_audio(24000, tail_ms=500))
            await conn.input_audio_buffer.clear()
            await wait_for(conn, {ServerEventType.INPUT_AUDIO_BUFFER_CLEARED})
            await conn.input_audio_buffer.commit()
            err = await wait_for(conn, {ServerEventType.ERROR})
            assert err.error.code == "input_audio_buffer_commit_empty"

    run(body())


def test_realtime_service_wo_turn_detection(vl_server):
    """`…_wo_turn_detection` (protocol.md §6 C): no output until commit, and after the commit no
    response until `response.create`."""

    async def body():
        async with session(vl_server, model=CASCADED_MODEL) as conn:
            await conn.session.update(session=RequestSession(turn_detection=None))
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await append(conn, turn_audio(24000))
            quiet = await collect_quiet(conn)
            assert types(quiet) == [], "appends without turn detection must not produce events"
            await conn.input_audio_buffer.commit()
            after_commit = await collect_quiet(conn)
            kinds = types(after_commit)
            assert kinds[:2] == ["input_audio_buffer.committed", "conversation.item.created"], kinds
            assert not RESPONSE_OUTPUT & set(kinds), kinds
            assert "input_audio_buffer.speech_started" not in kinds
            await conn.response.create()
            reply = await collect_until(conn, "response.done")
            assert len(of_type(reply, "response.audio.delta")) > 0
            assert len(of_type(reply, "response.audio_transcript.delta")) > 0

    run(body())


@pytest.mark.parametrize(
    "transcription",
    [
        pytest.param(AudioInputTranscriptionOptions(model="whisper-1", language="en-US"), id="whisper-1"),
        pytest.param(AudioInputTranscriptionOptions(model="gpt-4o-mini-transcribe"), id="gpt-4o-mini-transcribe"),
    ],
)
def test_realtime_service_input_audio_transcription(vl_server, transcription):
    """`…_input_audio_transcription`: a configured recogniser gives
    `conversation.item.input_audio_transcription.completed` for the user's speech, and the
    concatenated deltas equal the completed transcript."""

    async def body():
        async with session(vl_server, model="gpt-realtime-mini") as conn:
            await conn.session.update(session=RequestSession(input_audio_transcription=transcription))
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert updated.session.input_audio_transcription.model == transcription.model
            events = await _audio_reply(conn)
            completed = of_type(events, "conversation.item.input_audio_transcription.completed")
            assert len(completed) == 1
            deltas = of_type(events, "conversation.item.input_audio_transcription.delta")
            assert "".join(d.delta for d in deltas) == completed[0].transcript
            assert completed[0].item_id == of_type(events, "input_audio_buffer.committed")[0].item_id

    run(body())


def test_no_transcription_events_unless_configured(vl_server):
    """protocol.md §4.1: `input_audio_transcription` defaults to off for a native audio model, so
    a turn gives no transcription events (the reply still comes)."""

    async def body():
        async with session(vl_server, model="gpt-realtime") as conn:
            await conn.session.update(session=RequestSession(instructions="Be brief."))
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert updated.session.input_audio_transcription is None
            events = await _audio_reply(conn)
            kinds = types(events)
            assert not [k for k in kinds if "input_audio_transcription" in k], kinds
            assert "response.audio.delta" in kinds

    run(body())
