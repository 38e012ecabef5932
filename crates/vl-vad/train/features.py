"""Log-mel features of `vl_vad::NeuralClassifier`, bit-for-bit the same definition as
`crates/vl-vad/src/neural/features.rs` (checked by `crates/vl-vad/tests/it/neural.rs` through
`parity.py`)."""

import numpy as np

RATE = 16000
HOP = 160  # 10 ms frame
WIN = 512  # 32 ms analysis window ending at the end of the current frame (no look-ahead)
BINS = WIN // 2 + 1
MELS = 40
F_MIN = 50.0
F_MAX = 8000.0
LOG_EPS = 1e-7


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_matrix():
    """(BINS, MELS) triangular filters, HTK mel scale, unit peak."""
    edges = mel_to_hz(np.linspace(hz_to_mel(F_MIN), hz_to_mel(F_MAX), MELS + 2))
    freqs = np.arange(BINS) * RATE / WIN
    m = np.zeros((BINS, MELS), dtype=np.float64)
    for j in range(MELS):
        lo, c, hi = edges[j], edges[j + 1], edges[j + 2]
        up = (freqs - lo) / (c - lo)
        down = (hi - freqs) / (hi - c)
        m[:, j] = np.maximum(0.0, np.minimum(up, down))
    return m.astype(np.float32)


def window():
    n = np.arange(WIN)
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * n / WIN)).astype(np.float32)


_MEL = mel_matrix()
_WIN = window()


def logmel(signal):
    """(frames, MELS) float32 features; frame t = samples [160t, 160t+160), window = the 512
    samples ending at 160t+160 (zeros before the start)."""
    x = np.asarray(signal, dtype=np.float32)
    frames = len(x) // HOP
    padded = np.concatenate([np.zeros(WIN - HOP, dtype=np.float32), x[: frames * HOP]])
    idx = np.arange(WIN)[None, :] + HOP * np.arange(frames)[:, None]
    out = np.empty((frames, MELS), dtype=np.float32)
    step = 20000
    for s in range(0, frames, step):
        seg = padded[idx[s : s + step]] * _WIN[None, :]
        spec = np.fft.rfft(seg, axis=1)
        power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
        out[s : s + step] = np.log(power @ _MEL + LOG_EPS)
    return out
