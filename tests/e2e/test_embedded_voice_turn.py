"""One spoken turn through the real binaries with the embedded models, with the official
azure-ai-voicelive SDK as the client.

Piper speaks a question (vl-tts `say`), the question goes to vl-server as 24 kHz PCM16 at
real-time pace with server VAD, whisper (in the server) transcribes it while it is spoken and at
its end, SmolLM2-135M (the vl-llm-worker child process) answers, Piper (in the server) speaks the
answer with word timestamps and visemes, and whisper (the vl-asr binary, outside the server)
transcribes the spoken answer back to check that it is speech carrying the answer's words.
"""

from __future__ import annotations

import asyncio
import base64
import wave

from azure.ai.voicelive.models import (
    Animation,
    AnimationOutputType,
    AudioInputTranscriptionOptions,
    AudioTimestampType,
    InputAudioFormat,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)

import e2e_tools
import speech
from e2e_tools import recall, words
from sdk_live import run, session, wait_for

RATE_HZ = 24000
CHUNK_MS = 40
LEAD_MS = 300
TAIL_MS = 1500
SILENCE_MS = 500
TURN_TIMEOUT_S = 180.0
QUESTION = "Can you tell me what the capital of France is?"
INSTRUCTIONS = "You are a helpful assistant. Answer in one short sentence."


def _session() -> RequestSession:
    return RequestSession(
        modalities=[Modality.TEXT, Modality.AUDIO],
        instructions=INSTRUCTIONS,
        input_audio_format=InputAudioFormat.PCM16,
        input_audio_sampling_rate=RATE_HZ,
        output_audio_format=OutputAudioFormat.PCM16,
        input_audio_transcription=AudioInputTranscriptionOptions(model="whisper-1"),
        turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=SILENCE_MS),
        animation=Animation(outputs=[AnimationOutputType.VISEME_ID]),
        output_audio_timestamp_types=[AudioTimestampType.WORD],
    )


async def _speak_and_listen(server, pcm24: bytes) -> list:
    """Streams `pcm24` in real time (lead and tail silence around it) while collecting every
    server event up to the turn's `response.done`."""
    async with session(server) as conn:
        await conn.session.update(session=_session())
        await wait_for(conn, {ServerEventType.SESSION_UPDATED})
        audio = speech.silence(RATE_HZ, LEAD_MS) + pcm24 + speech.silence(RATE_HZ, TAIL_MS)
        chunk = RATE_HZ * CHUNK_MS // 1000 * 2

        async def send():
            for i in range(0, len(audio), chunk):
                piece = base64.b64encode(audio[i : i + chunk]).decode("ascii")
                await conn.input_audio_buffer.append(audio=piece)
                await asyncio.sleep(CHUNK_MS / 1000)

        sender = asyncio.create_task(send())
        events: list = []
        try:
            await wait_for(conn, {ServerEventType.RESPONSE_DONE}, timeout_s=TURN_TIMEOUT_S, seen=events)
        finally:
            sender.cancel()
        return events


def _of(events: list, kind: str) -> list:
    return [e for e in events if e.type == kind]


def _index(events: list, kind: str) -> int:
    kinds = [e.type for e in events]
    assert kind in kinds, f"no {kind}; got {sorted(set(kinds))}"
    return kinds.index(kind)


def test_a_spoken_question_gets_a_spoken_answer(embedded_server, bins, tmp_path):
    pcm, rate = e2e_tools.say(bins, QUESTION, tmp_path / "question.wav")
    assert rate == 22050
    events = run(_speak_and_listen(embedded_server, speech.resample(pcm, rate, RATE_HZ)), TURN_TIMEOUT_S + 30)
    errors = [e.error.message for e in _of(events, "error")]
    assert not errors, errors

    # The user's turn: one VAD turn, partial transcripts (streamed by whisper), then the final one.
    assert len(_of(events, "input_audio_buffer.committed")) == 1
    failed = _of(events, "conversation.item.input_audio_transcription.failed")
    assert not failed, [f.error.message for f in failed]
    completed_at = _index(events, "conversation.item.input_audio_transcription.completed")
    deltas = _of(events[:completed_at], "conversation.item.input_audio_transcription.delta")
    completed = _of(events, "conversation.item.input_audio_transcription.completed")
    assert len(completed) == 1, completed
    heard = words(completed[0].transcript)
    assert recall(words(QUESTION), heard) >= 0.8, (QUESTION, completed[0].transcript)
    assert {"capital", "france"} <= set(heard), completed[0].transcript
    assert deltas, "no input_audio_transcription.delta before the completed transcript"
    partial = words("".join(d.delta for d in deltas))
    assert partial and recall(partial, heard) >= 0.5, (partial, heard)

    # The reply: completed, with audio, its transcript, word timestamps and visemes.
    done = _of(events, "response.done")[-1]
    assert done.response.status == "completed", done.response
    audio = b"".join(e.delta for e in _of(events, "response.audio.delta"))
    audio_ms = len(audio) / 2 / (RATE_HZ / 1000)
    assert audio_ms > 500, f"only {audio_ms:.0f} ms of reply audio"
    speech.check_speech_like(audio, RATE_HZ)
    transcript = " ".join(e.transcript for e in _of(events, "response.audio_transcript.done"))
    said = words(transcript)
    assert len(said) >= 2, transcript

    stamps = _of(events, "response.audio_timestamp.delta")
    assert stamps, "no response.audio_timestamp.delta"
    assert all(s.timestamp_type == "word" for s in stamps)
    assert words(" ".join(s.text for s in stamps)) == said, ([s.text for s in stamps], transcript)
    offsets = [s.audio_offset_ms for s in stamps]
    assert offsets == sorted(offsets), offsets
    zero = [(s.text, s.audio_offset_ms) for s in stamps if s.audio_duration_ms <= 0]
    assert not zero, (zero, transcript)
    assert offsets[-1] + stamps[-1].audio_duration_ms <= audio_ms + 1, (offsets, audio_ms)
    assert _of(events, "response.audio_timestamp.done")

    visemes = _of(events, "response.animation_viseme.delta")
    assert visemes, "no response.animation_viseme.delta"
    assert all(0 <= v.viseme_id <= 21 for v in visemes)
    v_offsets = [v.audio_offset_ms for v in visemes]
    assert v_offsets == sorted(v_offsets) and v_offsets[-1] <= audio_ms, (v_offsets, audio_ms)
    assert len({v.viseme_id for v in visemes}) > 3, "visemes should follow the spoken text"
    assert _of(events, "response.animation_viseme.done")

    # The reply audio is speech that says the reply's words (whisper tiny.en, outside the server).
    reply_wav = tmp_path / "reply.wav"
    with wave.open(str(reply_wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(audio)
    back = words(e2e_tools.transcribe(bins, reply_wav))
    assert recall(said, back) >= 0.6, (transcript, back)

    # A sensible answer from SmolLM2-135M to this question names Paris.
    assert "paris" in said, f"not a sensible answer: {transcript!r}"
