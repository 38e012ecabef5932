"""Writes crates/vl-vad/tests/it/neural_parity.txt: the training graph's (train.forward, JAX)
probabilities for a deterministic synthetic signal, computed from the weights file, so the Rust
test `neural::matches_training_graph` checks features, file layout and network against it.

    python parity.py WEIGHTS OUT_TXT

The signal (same formula in tests/it/neural.rs): 3 s, LCG noise at -40 dBFS plus a 150 Hz
harmonic tone with a 3 Hz on/off envelope, the tone on for t in [1.0, 2.2) s only.
"""

import struct
import sys

import jax.numpy as jnp
import numpy as np

import features
import train


def signal():
    n = 48000
    seed = 12345
    out = np.zeros(n, dtype=np.float32)
    for i in range(n):
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        noise = np.float32((seed >> 8) / float(1 << 24) - 0.5) * np.float32(0.02)
        t = i / 16000.0
        tone = 0.0
        if 1.0 <= t < 2.2:
            env = max(0.0, np.sin(2 * np.pi * 3.0 * t))
            x = 2 * np.pi * 150.0 * t
            tone = 0.2 * env * (np.sin(x) + 0.5 * np.sin(2 * x) + 0.25 * np.sin(3 * x))
        out[i] = noise + np.float32(tone)
    return out


def load(path):
    b = open(path, "rb").read()
    assert b[:8] == train.MAGIC
    mels, d_in, h, d_out = struct.unpack("<4I", b[8:24])
    assert (mels, d_in, h, d_out) == (train.MELS, train.D_IN, train.H, train.D_OUT)
    a = np.frombuffer(b[24:], dtype="<f4")
    shapes = [("mean", (mels,)), ("std", (mels,)), ("w1", (d_in, mels)), ("b1", (d_in,)),
              ("w_ih", (3 * h, d_in)), ("w_hh", (3 * h, h)), ("b_ih", (3 * h,)), ("b_hh", (3 * h,)),
              ("w2", (d_out, h)), ("b2", (d_out,)), ("w3", (1, d_out)), ("b3", (1,))]
    out, o = {}, 0
    for k, s in shapes:
        n = int(np.prod(s))
        out[k] = a[o : o + n].reshape(s)
        o += n
    assert o == len(a)
    return out


def main():
    w = load(sys.argv[1])
    x = signal()
    f = (features.logmel(x) - w["mean"]) / w["std"]
    p = {k: jnp.asarray(v) for k, v in w.items() if k not in ("mean", "std")}
    probs = np.asarray(1 / (1 + jnp.exp(-train.forward(p, jnp.asarray(f[None])))))[0]
    with open(sys.argv[2], "w") as fh:
        fh.write("# frame probabilities of train.forward on the parity signal (parity.py)\n")
        for v in probs:
            fh.write(f"{v:.6f}\n")


if __name__ == "__main__":
    main()
