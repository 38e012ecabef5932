"""Ports of the azure-ai-voicelive 1.3.1 live tests `test_live_realtime_audio.py` and
`test_live_realtime_avatar.py` (formats, sampling rates, enhancements, word timestamps, visemes,
voice properties), run against vl-server with the scripted backend and recorded speech (asterisk
`hello-world.wav` / `vm-goodbye.wav`, 8 kHz, resampled or G.711-encoded with `audioop`).

The cloud tests only check that "enough" audio comes back; with a deterministic voice these
tests also check that every output format carries the same reply duration, that G.711 output
decodes to speech-like audio, and that VAD timings do not depend on the input rate.
"""

from __future__ import annotations

import pytest
from azure.ai.voicelive.models import (
    Animation,
    AnimationOutputType,
    AudioEchoCancellation,
    AudioNoiseReduction,
    AudioTimestampType,
    AzureSemanticVad,
    AzureStandardVoice,
    InputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)

import speech
from sdk_live import (
    MODEL,
    append,
    audio_bytes,
    collect_until,
    of_type,
    run,
    session,
    turn_audio,
    wait_for,
)

# Output formats and their (sample rate Hz, bytes per sample), protocol.md §4.1.
OUTPUT_FORMATS = {
    "pcm16": (24000, 2),
    "pcm16_8000hz": (8000, 2),
    "pcm16_16000hz": (16000, 2),
    "pcm16_22050hz": (22050, 2),
    "pcm16_24000hz": (24000, 2),
    "pcm16_44100hz": (44100, 2),
    "pcm16_48000hz": (48000, 2),
    "g711_ulaw": (8000, 1),
    "g711_alaw": (8000, 1),
}


def test_realtime_service_with_audio_enhancements(vl_server):
    """`…_with_audio_enhancements`: noise suppression + echo cancellation configured, two
    utterances separated by silence give exactly two `speech_started` (the cloud test counts 2
    segments in `4-1.wav`)."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    input_audio_noise_reduction=AudioNoiseReduction(type="azure_deep_noise_suppression"),
                    input_audio_echo_cancellation=AudioEchoCancellation(),
                    modalities=["text"],
                )
            )
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert updated.session.input_audio_noise_reduction.type == "azure_deep_noise_suppression"
            assert updated.session.input_audio_echo_cancellation is not None
            audio = turn_audio(24000, "hello-world.wav", lead_ms=300, tail_ms=1500) + turn_audio(
                24000, "vm-goodbye.wav", tail_ms=1500
            )
            await append(conn, audio)
            events = await collect_until(conn, "response.done")
            events += await collect_until(conn, "response.done")
            assert len(of_type(events, "input_audio_buffer.speech_started")) == 2
            assert len(of_type(events, "input_audio_buffer.speech_stopped")) == 2

    run(body())


@pytest.mark.parametrize(
    ("audio_format", "turn_detection"),
    [
        pytest.param(InputAudioFormat.G711_ULAW, AzureSemanticVad(), id="g711_ulaw_azure_semantic_vad"),
        pytest.param(InputAudioFormat.G711_ULAW, ServerVad(), id="g711_ulaw_server_vad"),
        pytest.param(InputAudioFormat.G711_ALAW, AzureSemanticVad(), id="g711_alaw_azure_semantic_vad"),
        pytest.param(InputAudioFormat.G711_ALAW, ServerVad(), id="g711_alaw_server_vad"),
    ],
)
def test_realtime_service_with_input_audio_format(vl_server, audio_format, turn_detection):
    """`…_with_input_audio_format`: G.711 input; `session.updated` echoes the format and rate
    8000; the turn is detected and answered with more than 50 kB of audio; and the transcript
    equals the one of the same speech sent as PCM16 (the codec loses nothing the recogniser uses)."""
    encode = speech.to_ulaw if audio_format == InputAudioFormat.G711_ULAW else speech.to_alaw

    async def transcript_of(conn):
        events = await collect_until(conn, "response.done")
        assert of_type(events, "input_audio_buffer.speech_started"), "no VAD turn"
        return events, of_type(events, "response.audio_transcript.done")[0].transcript

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    input_audio_format=audio_format,
                    voice=AzureStandardVoice(name="en-US-AriaNeural"),
                    instructions="You are a helpful assistant. Please respond briefly to the user's question.",
                    turn_detection=turn_detection,
                )
            )
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert updated.session.input_audio_format == audio_format
            assert updated.session.input_audio_sampling_rate == 8000
            await append(conn, encode(turn_audio(8000)))
            events, g711_text = await transcript_of(conn)
            assert len(audio_bytes(events)) > 50 * 1000
        async with session(vl_server) as conn:
            await conn.session.update(session=RequestSession(input_audio_sampling_rate=8000, turn_detection=turn_detection))
            await append(conn, turn_audio(8000))
            _, pcm_text = await transcript_of(conn)
        assert g711_text == pcm_text

    run(body())


@pytest.mark.parametrize("sampling_rate", [8000, 16000, 24000])
def test_realtime_service_with_input_audio_sampling_rate(vl_server, sampling_rate):
    """`…_with_input_audio_sampling_rate`: the rate is echoed; speech at the start of the buffer
    gives `audio_start_ms == 0`; `audio_end_ms` lies after the end of the recorded speech and
    within `silence_duration_ms` (200) + one VAD hangover of it; the reply has audio."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    voice=AzureStandardVoice(name="en-US-AriaNeural"),
                    input_audio_sampling_rate=sampling_rate,
                    instructions="You are a helpful assistant. Please respond briefly to the user's question about lakes.",
                    turn_detection=ServerVad(silence_duration_ms=200),
                )
            )
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert updated.session.input_audio_sampling_rate == sampling_rate
            await append(conn, turn_audio(sampling_rate))
            started = await wait_for(conn, {ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED})
            assert started.audio_start_ms == 0
            stopped = await wait_for(conn, {ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STOPPED})
            _, speech_end = speech.speech_span_ms(speech.prompt("hello-world.wav"), 8000)
            assert speech_end - 100 <= stopped.audio_end_ms <= speech_end + 200 + 300, (
                stopped.audio_end_ms,
                speech_end,
            )
            events = await collect_until(conn, "response.done")
            assert len(audio_bytes(events)) > 50 * 1000
            return stopped.audio_end_ms

    run(body())


async def _reply_in_format(server, audio_output_format, voice=None):
    async with session(server) as conn:
        await conn.session.update(
            session=RequestSession(
                output_audio_format=audio_output_format,
                instructions="You are a helpful assistant.",
                turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=200),
                **({"voice": voice} if voice else {}),
            )
        )
        updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
        assert updated.session.output_audio_format == audio_output_format
        await append(conn, turn_audio(24000))
        return await collect_until(conn, "response.done")


@pytest.mark.parametrize("audio_output_format", list(OUTPUT_FORMATS))
def test_output_formats_with_azure_voice(vl_server, audio_output_format):
    """`test_output_formats_with_azure_voice`: every output format is echoed and gives one
    `response.audio.done` and more than 10 KiB of audio; here also the audio is exactly as long
    as the pcm16 reply to the same speech (within one sample at the format's rate) and decodes to
    speech-like audio."""

    async def body():
        reference = await _reply_in_format(vl_server, "pcm16")
        events = await _reply_in_format(vl_server, audio_output_format)
        assert len(of_type(events, "response.audio.done")) == 1
        audio = audio_bytes(events)
        assert len(audio) > 10 * 1024
        rate, width = OUTPUT_FORMATS[audio_output_format]
        ref_ms = len(audio_bytes(reference)) / 2 / 24000 * 1000
        got_ms = len(audio) / width / rate * 1000
        # Within 1 ms: the resampler to 22.05 / 44.1 kHz rounds each chunk to whole samples.
        assert abs(got_ms - ref_ms) <= 1.0, (got_ms, ref_ms)
        if audio_output_format == "g711_ulaw":
            pcm = speech.from_ulaw(audio)
        elif audio_output_format == "g711_alaw":
            pcm = speech.from_alaw(audio)
        else:
            pcm = audio
        speech.check_speech_like(pcm, rate)

    run(body())


@pytest.mark.parametrize("audio_output_format", ["pcm16", "g711_ulaw", "g711_alaw"])
def test_output_formats_with_openai_voice(vl_server, audio_output_format):
    """`test_output_formats_with_openai_voice`: one `output_item.done`, > 10 KiB of audio."""

    async def body():
        events = await _reply_in_format(vl_server, audio_output_format, voice="alloy")
        assert len(of_type(events, "response.output_item.done")) == 1
        assert len(audio_bytes(events)) > 10 * 1024

    run(body())


def test_realtime_service_with_echo_cancellation(vl_server):
    """`…_with_echo_cancellation`: server-referenced EC; two utterances give more than one
    segment and the replies have audio."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    input_audio_echo_cancellation=AudioEchoCancellation(reference_source="server", channels=1),
                )
            )
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await append(conn, turn_audio(24000, tail_ms=1500))
            events = await collect_until(conn, "response.done")
            await append(conn, turn_audio(24000, "vm-goodbye.wav", tail_ms=1500))
            events += await collect_until(conn, "response.done")
            assert len(of_type(events, "input_audio_buffer.speech_started")) > 1
            assert len(audio_bytes(events)) > 0

    run(body())


def test_realtime_service_with_audio_timestamp_viseme(vl_server):
    """`…_with_audio_timestamp_viseme`: word timestamps and viseme ids come with the audio; here
    also: the timestamped words are the spoken transcript, in order, inside the audio."""

    async def body():
        async with session(vl_server) as conn:
            await conn.session.update(
                session=RequestSession(
                    voice=AzureStandardVoice(name="en-US-NancyNeural"),
                    animation=Animation(outputs=[AnimationOutputType.VISEME_ID]),
                    output_audio_timestamp_types=[AudioTimestampType.WORD],
                )
            )
            await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            await append(conn, turn_audio(24000))
            events = await collect_until(conn, "response.done")
            words = of_type(events, "response.audio_timestamp.delta")
            visemes = of_type(events, "response.animation_viseme.delta")
            audio = audio_bytes(events)
            assert len(audio) > 0 and words and visemes
            audio_ms = len(audio) / 2 / 24
            transcript = of_type(events, "response.audio_transcript.done")[0].transcript
            assert [w.text.strip() for w in words] == [t.strip(",.;:!?") for t in transcript.split()]
            offsets = [w.audio_offset_ms for w in words]
            assert offsets == sorted(offsets) and offsets[-1] + words[-1].audio_duration_ms <= audio_ms + 1
            assert all(w.timestamp_type == "word" for w in words)
            assert all(0 <= v.viseme_id <= 21 for v in visemes)
            assert all(v.audio_offset_ms <= audio_ms for v in visemes)
            assert len({v.viseme_id for v in visemes}) > 3, "visemes should follow the text"
            assert of_type(events, "response.audio_timestamp.done")
            assert of_type(events, "response.animation_viseme.done")

    run(body())


def test_no_timestamps_or_visemes_unless_asked(vl_server):
    async def body():
        async with session(vl_server) as conn:
            await append(conn, turn_audio(24000))
            events = await collect_until(conn, "response.done")
            kinds = {e.type for e in events}
            assert "response.audio.delta" in kinds
            assert not {k for k in kinds if "timestamp" in k or "animation" in k}, kinds

    run(body())


def test_realtime_service_with_voice_properties(vl_server):
    """`…_with_voice_properties`: an Azure HD voice with temperature, rate and locales is
    accepted and echoed; one `content_part.added`; `response.done` after audio."""

    async def body():
        async with session(vl_server) as conn:
            voice = AzureStandardVoice(
                name="en-us-emma:DragonHDLatestNeural", temperature=0.7, rate="1.2", prefer_locales=["en-IN"]
            )
            await conn.session.update(session=RequestSession(voice=voice))
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            echoed = dict(updated.session.voice)  # the SDK leaves this union member a mapping
            assert echoed["type"] == "azure-standard"
            assert echoed["name"] == "en-us-emma:DragonHDLatestNeural"
            assert echoed["temperature"] == pytest.approx(0.7)
            assert echoed["rate"] == "1.2"
            assert echoed["prefer_locales"] == ["en-IN"]
            await append(conn, turn_audio(24000))
            events = await collect_until(conn, "response.done")
            assert len(of_type(events, "response.content_part.added")) == 1
            assert len(audio_bytes(events)) > 0

    run(body())


def test_session_update_is_echoed_with_the_full_effective_session(vl_server):
    """The JS live test's session checks: created/updated share id and model, the default turn
    detection is server_vad, and instructions are echoed."""

    async def body():
        async with session(vl_server) as conn:
            created = await wait_for(conn, {ServerEventType.SESSION_CREATED})
            assert created.session.turn_detection.type == "server_vad"
            await conn.session.update(session=RequestSession(instructions="Be brief.", voice="alloy"))
            updated = await wait_for(conn, {ServerEventType.SESSION_UPDATED})
            assert (updated.session.id, updated.session.model) == (created.session.id, MODEL)
            assert updated.session.instructions == "Be brief."
            assert updated.session.turn_detection.type == "server_vad"

    run(body())

