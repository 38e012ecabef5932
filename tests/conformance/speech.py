"""Recorded speech and audio checks for the conformance tests.

Speech comes from the Debian package `asterisk-core-sounds-en-wav` (8 kHz mono PCM16 prompts,
installed by `.ci/run`; `VL_ASTERISK_SOUNDS` overrides the directory). Resampling and G.711 use the
standard library's `audioop`, an implementation independent of the server's vl-codec.
"""

from __future__ import annotations

import math
import os
import pathlib
import struct
import warnings
import wave

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # noqa: E402  (stdlib until Python 3.13; the venv is 3.11)

SOUNDS = pathlib.Path(os.environ.get("VL_ASTERISK_SOUNDS", "/usr/share/asterisk/sounds/en"))


def prompt(name: str) -> bytes:
    """The PCM16 (little-endian, mono, 8 kHz) samples of an asterisk prompt."""
    path = SOUNDS / name
    assert path.exists(), (
        f"missing recorded speech {path}: apt-get install asterisk-core-sounds-en-wav "
        "(or set VL_ASTERISK_SOUNDS)"
    )
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2), path
        return w.readframes(w.getnframes())


def silence(rate_hz: int, ms: int) -> bytes:
    """`ms` of PCM16 silence at `rate_hz`."""
    return b"\x00\x00" * (rate_hz * ms // 1000)


def resample(pcm: bytes, from_hz: int, to_hz: int) -> bytes:
    """PCM16 mono resampled with `audioop.ratecv`."""
    if from_hz == to_hz:
        return pcm
    out, _ = audioop.ratecv(pcm, 2, 1, from_hz, to_hz, None)
    return out


def to_ulaw(pcm: bytes) -> bytes:
    return audioop.lin2ulaw(pcm, 2)


def to_alaw(pcm: bytes) -> bytes:
    return audioop.lin2alaw(pcm, 2)


def from_ulaw(data: bytes) -> bytes:
    return audioop.ulaw2lin(data, 2)


def from_alaw(data: bytes) -> bytes:
    return audioop.alaw2lin(data, 2)


def samples(pcm: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm[: len(pcm) // 2 * 2]))


def frame_rms(pcm: bytes, rate_hz: int, frame_ms: int = 20) -> list[float]:
    """RMS of consecutive `frame_ms` frames."""
    step = rate_hz * frame_ms // 1000 * 2
    return [audioop.rms(pcm[i : i + step], 2) for i in range(0, len(pcm) - step + 1, step)]


def speech_span_ms(pcm: bytes, rate_hz: int) -> tuple[int, int]:
    """(first, last) ms of the frames within 30 dB of the loudest 20 ms frame."""
    rms = frame_rms(pcm, rate_hz)
    peak = max(rms)
    loud = [i for i, r in enumerate(rms) if r > peak / 31.6]
    assert loud, "no speech"
    return loud[0] * 20, (loud[-1] + 1) * 20


def zero_crossing_rate(pcm: bytes) -> float:
    s = samples(pcm)
    if len(s) < 2:
        return 0.0
    return sum(1 for a, b in zip(s, s[1:]) if (a < 0) != (b < 0)) / (len(s) - 1)


def check_speech_like(pcm: bytes, rate_hz: int) -> None:
    """Asserts that PCM16 audio is audible, not a constant tone and not noise: its 20 ms frame
    energy varies like syllables (loud and quiet frames), and its zero-crossing rate is in the range
    of voiced speech rather than of white noise."""
    rms = frame_rms(pcm, rate_hz)
    assert len(rms) >= 10, f"only {len(rms)} frames"
    peak = max(rms)
    assert peak > 300, f"inaudible: peak frame RMS {peak}"
    loud = sum(1 for r in rms if r > peak / 4)
    quiet = sum(1 for r in rms if r < peak / 10)
    assert loud >= len(rms) // 10, f"too few loud frames: {loud}/{len(rms)}"
    assert quiet >= 1, "no quiet frame: a constant tone or noise, not speech"
    mean = sum(rms) / len(rms)
    spread = math.sqrt(sum((r - mean) ** 2 for r in rms) / len(rms)) / mean
    assert spread > 0.25, f"frame energy too steady ({spread:.2f}): a tone, not speech"
    zcr = zero_crossing_rate(pcm)
    assert 0.005 < zcr < 0.35, f"zero-crossing rate {zcr:.3f} is not speech-like"


def write_wav(path: pathlib.Path, pcm: bytes, rate_hz: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm)
