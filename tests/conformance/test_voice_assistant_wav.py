"""The README's walk-through: the SDK's basic voice-assistant sample, with a WAV file instead of
a microphone (`examples/voice_assistant_wav.py`), against the real vl-server binary.

The reply WAV must be speech-like audio (not silence, not a tone), and as long as the scripted
voice makes the printed transcript: each letter is a 55–95 ms segment and words are separated by
70–250 ms pauses (crates/vl-engine/src/scripted/tts.rs), so the duration is bounded by the text.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import wave

import pytest

import speech
from server_fixtures import ROOT

EXAMPLE = ROOT / "examples" / "voice_assistant_wav.py"


def _run_example(server, input_wav: pathlib.Path, output_wav: pathlib.Path) -> str:
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--endpoint",
            server.endpoint,
            "--api-key",
            server.api_key,
            "--input",
            str(input_wav),
            "--output",
            str(output_wav),
            "--speed",
            "4",
            "--timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _duration_bounds_ms(text: str) -> tuple[float, float]:
    letters = sum(1 for c in text if c.isalpha())
    words = len(text.split())
    return letters * 55 + (words - 1) * 70, letters * 95 + (words - 1) * 250 + 300


@pytest.mark.parametrize("prompt", ["hello-world.wav", "vm-goodbye.wav"])
def test_voice_assistant_sample_with_a_wav_file(vl_server, tmp_path, prompt):
    input_wav = tmp_path / "question.wav"
    # The asterisk prompt as the user's question, at 16 kHz (a rate the session accepts as is).
    speech.write_wav(input_wav, speech.resample(speech.prompt(prompt), 8000, 16000), 16000)
    output_wav = tmp_path / "reply.wav"
    stdout = _run_example(vl_server, input_wav, output_wav)
    said = re.search(r"^assistant said: (.*)$", stdout, re.M)
    assert said, stdout
    text = said.group(1)
    assert text.startswith("You said: ") and len(text) > len("You said: "), text
    with wave.open(str(output_wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
        pcm = w.readframes(w.getnframes())
    speech.check_speech_like(pcm, 24000)
    duration_ms = len(pcm) / 2 / 24
    low, high = _duration_bounds_ms(text)
    assert low <= duration_ms <= high, (duration_ms, low, high, text)


def test_a_longer_question_gives_a_longer_reply(vl_server, tmp_path):
    """The reply length follows the recognised speech: two prompts back to back (one turn)."""
    one = tmp_path / "one.wav"
    two = tmp_path / "two.wav"
    hello = speech.prompt("hello-world.wav")
    speech.write_wav(one, hello, 8000)
    speech.write_wav(two, hello + speech.silence(8000, 150) + hello, 8000)
    _run_example(vl_server, one, tmp_path / "r1.wav")
    _run_example(vl_server, two, tmp_path / "r2.wav")
    with wave.open(str(tmp_path / "r1.wav")) as a, wave.open(str(tmp_path / "r2.wav")) as b:
        assert b.getnframes() > a.getnframes() > 0
