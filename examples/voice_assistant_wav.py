"""The azure-ai-voicelive SDK's basic voice assistant, with a WAV file instead of a microphone.

Modelled on `samples/basic_voice_assistant_async.py` of azure-ai-voicelive 1.3.1 (MIT licence,
Copyright (c) Microsoft Corporation): the same session (text + audio, server VAD 0.5 / 300 / 500 ms,
echo cancellation, deep noise suppression, pcm16 in and out) and the same event handling (stop
playback on `speech_started`, queue `response.audio.delta`, log `response.done` and errors). Only the
audio devices change: the "microphone" streams a WAV file in 50 ms chunks at real-time pace
(`--speed` to go faster), then one second of silence so that server VAD ends the turn; the
"speaker" collects the reply and writes it to a WAV file (PCM16, 24 kHz, mono) when the reply is
done.

    python examples/voice_assistant_wav.py --endpoint http://127.0.0.1:8080 --api-key KEY \\
        --input question.wav --output reply.wav

Needs only `pip install "azure-ai-voicelive[aiohttp]"` (no PyAudio). The input may be any PCM16
WAV, mono or stereo, at any rate: 8, 16 and 24 kHz are sent as they are (the session's
`input_audio_sampling_rate`), other rates are resampled to 24 kHz.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import struct
import sys
import wave
from typing import Optional

from azure.ai.voicelive.aio import connect
from azure.ai.voicelive.models import (
    AudioEchoCancellation,
    AudioNoiseReduction,
    AzureStandardVoice,
    InputAudioFormat,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)
from azure.core.credentials import AzureKeyCredential

logging.basicConfig(format="%(asctime)s:%(name)s:%(levelname)s:%(message)s", level=logging.INFO)
logger = logging.getLogger("voice_assistant_wav")

OUTPUT_RATE_HZ = 24000
NATIVE_INPUT_RATES_HZ = (8000, 16000, 24000)
CHUNK_MS = 50
TRAILING_SILENCE_MS = 1000
POLL_S = 0.25
IDLE_S = 1.0


def read_wav(path: str) -> tuple[bytes, int]:
    """Mono PCM16 samples of a WAV file and the rate they are sent at (Hz)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SystemExit(f"{path}: only 16-bit PCM WAV files are supported")
        rate, channels = w.getframerate(), w.getnchannels()
        frames = w.readframes(w.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    if channels > 1:
        samples = tuple(sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels))
    if rate not in NATIVE_INPUT_RATES_HZ:
        # Linear interpolation to 24 kHz: good enough for speech going into a recogniser.
        n = int(len(samples) * OUTPUT_RATE_HZ / rate)
        step = rate / OUTPUT_RATE_HZ
        out = []
        for i in range(n):
            pos = i * step
            j = int(pos)
            frac = pos - j
            a = samples[j] if j < len(samples) else 0
            b = samples[j + 1] if j + 1 < len(samples) else a
            out.append(int(a + (b - a) * frac))
        samples, rate = tuple(out), OUTPUT_RATE_HZ
    return struct.pack(f"<{len(samples)}h", *samples), rate


class WavAudioProcessor:
    """The sample's AudioProcessor with a WAV file as microphone and a WAV file as speaker."""

    def __init__(self, connection, input_pcm: bytes, input_rate_hz: int, speed: float):
        self.connection = connection
        self.input_pcm = input_pcm
        self.input_rate_hz = input_rate_hz
        self.speed = speed
        self.capture_task: Optional[asyncio.Task] = None
        self.capture_done = asyncio.Event()
        self.playback: list[bytes] = []
        self.replies: list[bytes] = []

    def start_capture(self):
        """Streams the WAV, then trailing silence, as `input_audio_buffer.append` events."""
        if self.capture_task is None:
            self.capture_task = asyncio.create_task(self._capture())

    async def _capture(self):
        chunk = self.input_rate_hz * CHUNK_MS // 1000 * 2
        audio = self.input_pcm + bytes(self.input_rate_hz * TRAILING_SILENCE_MS // 1000 * 2)
        for i in range(0, len(audio), chunk):
            await self.connection.input_audio_buffer.append(audio=base64.b64encode(audio[i : i + chunk]).decode("utf-8"))
            await asyncio.sleep(CHUNK_MS / 1000 / self.speed)
        logger.info("Finished streaming the input WAV")
        self.capture_done.set()

    def queue_audio(self, audio_data: bytes) -> None:
        self.playback.append(audio_data)

    def skip_pending_audio(self):
        """Barge-in: what was not "played" yet is dropped, as the sample does."""
        self.playback.clear()

    def finish_reply(self):
        self.replies.append(b"".join(self.playback))
        self.playback.clear()

    def shutdown(self):
        if self.capture_task is not None and not self.capture_task.done():
            self.capture_task.cancel()


class BasicVoiceAssistant:
    """The sample's assistant: one session, event loop until the reply is complete."""

    def __init__(self, endpoint, credential, model, voice, instructions, input_path, output_path, speed):
        self.endpoint = endpoint
        self.credential = credential
        self.model = model
        self.voice = voice
        self.instructions = instructions
        self.input_path = input_path
        self.output_path = output_path
        self.speed = speed
        self.connection = None
        self.audio_processor: Optional[WavAudioProcessor] = None
        self.transcript = ""
        self.responding = False

    async def start(self):
        pcm, rate = read_wav(self.input_path)
        logger.info("Connecting to VoiceLive API with model %s", self.model)
        async with connect(endpoint=self.endpoint, credential=self.credential, model=self.model) as connection:
            self.connection = connection
            self.audio_processor = WavAudioProcessor(connection, pcm, rate, self.speed)
            try:
                await self._setup_session(rate)
                await self._process_events()
            finally:
                self.audio_processor.shutdown()
        reply = b"".join(self.audio_processor.replies)
        with wave.open(self.output_path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(OUTPUT_RATE_HZ)
            w.writeframes(reply)
        print(f"assistant said: {self.transcript}")
        print(f"wrote {len(reply) / 2 / OUTPUT_RATE_HZ:.2f} s of audio to {self.output_path}")

    async def _setup_session(self, input_rate_hz: int):
        voice_config = AzureStandardVoice(name=self.voice) if "-" in self.voice else self.voice
        session_config = RequestSession(
            modalities=[Modality.TEXT, Modality.AUDIO],
            instructions=self.instructions,
            voice=voice_config,
            input_audio_format=InputAudioFormat.PCM16,
            input_audio_sampling_rate=input_rate_hz,
            output_audio_format=OutputAudioFormat.PCM16,
            turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500),
            input_audio_echo_cancellation=AudioEchoCancellation(),
            input_audio_noise_reduction=AudioNoiseReduction(type="azure_deep_noise_suppression"),
        )
        await self.connection.session.update(session=session_config)
        logger.info("Session configuration sent")

    async def _process_events(self):
        """The sample's event loop, ending once the whole WAV was streamed and the assistant has
        been quiet (no response in progress) for `IDLE_S`."""
        idle = 0.0
        while True:
            try:
                event = await asyncio.wait_for(self.connection.recv(), timeout=POLL_S)
            except asyncio.TimeoutError:
                ap = self.audio_processor
                if ap.capture_done.is_set() and not self.responding and ap.replies:
                    idle += POLL_S
                    if idle >= IDLE_S:
                        return
                continue
            idle = 0.0
            self._handle_event(event)

    def _handle_event(self, event) -> None:
        """The sample's event handler."""
        ap = self.audio_processor
        if event.type == ServerEventType.SESSION_UPDATED:
            logger.info("Session ready: %s", event.session.id)
            ap.start_capture()
        elif event.type == ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED:
            logger.info("User started speaking - stopping playback")
            ap.skip_pending_audio()
        elif event.type == ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STOPPED:
            logger.info("User stopped speaking")
        elif event.type == ServerEventType.RESPONSE_CREATED:
            logger.info("Assistant response created")
            self.responding = True
        elif event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
            ap.queue_audio(event.delta)
        elif event.type == ServerEventType.RESPONSE_AUDIO_TRANSCRIPT_DONE:
            self.transcript = (self.transcript + " " + event.transcript).strip()
        elif event.type == ServerEventType.RESPONSE_AUDIO_DONE:
            logger.info("Assistant finished speaking")
        elif event.type == ServerEventType.RESPONSE_DONE:
            logger.info("Response complete (%s)", event.response.status)
            ap.finish_reply()
            self.responding = False
        elif event.type == ServerEventType.ERROR:
            logger.error("VoiceLive error: %s", event.error.message)


def parse_arguments():
    parser = argparse.ArgumentParser(
        description="Basic voice assistant with a WAV file as microphone and speaker",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--input", required=True, help="WAV file with the user's speech (16-bit PCM)")
    parser.add_argument("--output", required=True, help="WAV file to write the spoken reply to")
    parser.add_argument("--endpoint", default=os.environ.get("AZURE_VOICELIVE_ENDPOINT", "http://127.0.0.1:8080"))
    parser.add_argument("--api-key", default=os.environ.get("AZURE_VOICELIVE_API_KEY", ""))
    parser.add_argument("--model", default=os.environ.get("AZURE_VOICELIVE_MODEL", "gpt-realtime"))
    parser.add_argument("--voice", default=os.environ.get("AZURE_VOICELIVE_VOICE", "en-US-Ava:DragonHDLatestNeural"))
    parser.add_argument(
        "--instructions",
        default="You are a helpful AI assistant. Respond naturally and conversationally. "
        "Keep your responses concise but engaging.",
    )
    parser.add_argument("--speed", type=float, default=1.0, help="input streaming speed (1 = real time)")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    return parser.parse_args()


def main():
    args = parse_arguments()
    assistant = BasicVoiceAssistant(
        endpoint=args.endpoint,
        credential=AzureKeyCredential(args.api_key or "no-key"),
        model=args.model,
        voice=args.voice,
        instructions=args.instructions,
        input_path=args.input,
        output_path=args.output,
        speed=args.speed,
    )
    try:
        asyncio.run(asyncio.wait_for(assistant.start(), timeout=args.timeout))
    except asyncio.TimeoutError:
        print("Fatal Error: no complete reply before the timeout", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
