"""The real-model tools of the end-to-end suite: Piper speaks the question (vl-tts's `say`
example), whisper transcribes the reply (the `vl-asr` binary), and the binaries are built with
the features that carry the models."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import wave
from dataclasses import dataclass

from server_fixtures import ROOT, _target_dir

MODELS = pathlib.Path(os.environ.get("VL_MODELS", ROOT / "models"))
PIPER_DIR = MODELS / "piper"
ORT_DYLIB = PIPER_DIR / "libonnxruntime.so.1.32.0"
WHISPER_TINY = MODELS / "whisper" / "ggml-tiny.en.bin"
BUILD_TIMEOUT_S = 3600
TOOL_TIMEOUT_S = 120

# The builds the suite runs when `VL_E2E_BIN_DIR` is not set, in the dev profile: the server
# and vl-asr share one whisper.cpp build, the worker one llama.cpp build.
BUILDS = [
    ["cargo", "build", "-p", "vl-server", "-p", "vl-asr", "--features", "vl-server/embedded,vl-asr/whisper", "--bins"],
    ["cargo", "build", "-p", "vl-llm-worker", "--features", "llama"],
    ["cargo", "build", "-p", "vl-tts", "--features", "piper", "--example", "say"],
]


@dataclass
class Binaries:
    """Paths of the binaries the suite runs."""

    server: pathlib.Path
    llm_worker: pathlib.Path
    asr: pathlib.Path
    say: pathlib.Path


def binaries() -> Binaries:
    """The binaries in `VL_E2E_BIN_DIR`, or built now into `$CARGO_TARGET_DIR/debug`."""
    given = os.environ.get("VL_E2E_BIN_DIR")
    if given:
        bin_dir = pathlib.Path(given)
    else:
        for command in BUILDS:
            subprocess.run(command, cwd=ROOT, check=True, timeout=BUILD_TIMEOUT_S)
        bin_dir = _target_dir() / "debug"
    found = Binaries(
        server=bin_dir / "vl-server",
        llm_worker=bin_dir / "vl-llm-worker",
        asr=bin_dir / "vl-asr",
        say=bin_dir / "examples" / "say",
    )
    for path in vars(found).values():
        assert path.exists(), f"missing {path}: unset VL_E2E_BIN_DIR to let the suite build it (e2e_tools.BUILDS)"
    return found


def read_wav(path: pathlib.Path) -> tuple[bytes, int]:
    """Mono PCM16 samples and rate (Hz) of a WAV file."""
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2), path
        return w.readframes(w.getnframes()), w.getframerate()


def say(bins: Binaries, text: str, out: pathlib.Path) -> tuple[bytes, int]:
    """`text` spoken by Piper `en_US-joe-medium`: PCM16 samples and their rate (Hz, 22050)."""
    proc = subprocess.run(
        [str(bins.say), str(out), text],
        cwd=ROOT,
        env={**os.environ, "ORT_DYLIB_PATH": str(ORT_DYLIB), "VL_TTS_MODELS": str(PIPER_DIR)},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return read_wav(out)


def transcribe(bins: Binaries, wav: pathlib.Path) -> str:
    """Whisper tiny.en's transcript of a WAV file (any rate; vl-asr resamples to 16 kHz)."""
    proc = subprocess.run(
        [str(bins.asr), "transcribe", "--model", str(WHISPER_TINY), "--tsv", str(wav)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stdout
    fields = lines[0].split("\t")
    assert len(fields) == 7, lines[0]
    return fields[6]


def words(text: str) -> list[str]:
    """Lower-case words of `text` without punctuation (digits kept)."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def recall(reference: list[str], hypothesis: list[str]) -> float:
    """Share of `reference` words that `hypothesis` contains (with multiplicity)."""
    if not reference:
        return 0.0
    left = list(hypothesis)
    hit = 0
    for w in reference:
        if w in left:
            left.remove(w)
            hit += 1
    return hit / len(reference)
