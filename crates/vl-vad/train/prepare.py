"""Builds the training material of the neural VAD (never from ../shared/data: that is the
evaluation data).

Speech: Debian `asterisk-core-sounds-{en,es,fr,it,ru}-g722` (16 kHz studio prompts, CC-BY-SA-3.0),
decoded with spandsp's G.722 decoder (Debian `libspandsp2`) through ctypes. Music:
`asterisk-moh-opsound-g722`. Prompts are concatenated into "conversations" with 150-400 ms
intra-turn pauses and 0.5-3 s gaps (fixed seed); per-frame (10 ms) targets are the mean of
(a) Silero v6.2's probability on the clean conversation (teacher) and (b) an energy label from
the clean prompt (frames above the prompt's max - 40 dB, gaps < 100 ms bridged).

    python prepare.py SILERO_WHEEL OUT_DIR

writes OUT_DIR/speech.npz (clean conversations, targets), OUT_DIR/music.npy and
OUT_DIR/babble.npy (sources for the noise mixer in train.py).
"""

import ctypes
import glob
import hashlib
import os
import sys
import time

import numpy as np

import silero

SOUNDS = "/usr/share/asterisk/sounds"
SPEAKERS = ["en_US_f_Allison", "es_MX_f_Allison", "fr_CA_f_June", "it_IT_m_Carlo", "ru_RU_f_IvrvoiceRU"]
MOH = "/usr/share/asterisk/moh"
SEED = 20261201
HOP = 160

_lib = ctypes.CDLL("libspandsp.so.2")
_lib.g722_decode_init.restype = ctypes.c_void_p
_lib.g722_decode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_lib.g722_decode.restype = ctypes.c_int
_lib.g722_decode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.g722_decode_free.argtypes = [ctypes.c_void_p]


def decode_g722(path):
    data = open(path, "rb").read()
    state = _lib.g722_decode_init(None, 64000, 0)
    out = np.zeros(2 * len(data) + 16, dtype=np.int16)
    n = _lib.g722_decode(state, out.ctypes.data, data, len(data))
    _lib.g722_decode_free(state)
    return out[:n].astype(np.float32) / 32768.0


def energy_label(x):
    """10 ms frames above max - 40 dB, gaps < 100 ms bridged."""
    frames = len(x) // HOP
    e = (x[: frames * HOP].reshape(frames, HOP) ** 2).mean(axis=1) + 1e-12
    db = 10 * np.log10(e)
    lab = db > db.max() - 40.0
    idx = np.flatnonzero(lab)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= 10:
            lab[a:b] = True
    return lab.astype(np.float32)


def main():
    wheel, out_dir = sys.argv[1:3]
    os.makedirs(out_dir, exist_ok=True)
    model = os.path.join(out_dir, "silero_vad.onnx")
    silero.extract_model(wheel, model)
    rng = np.random.default_rng(SEED)
    t0 = time.time()
    prompts = {}
    for spk in SPEAKERS:
        files = sorted(glob.glob(f"{SOUNDS}/{spk}/**/*.g722", recursive=True))
        xs = []
        for f in files:
            x = decode_g722(f)
            if len(x) < 0.3 * 16000:
                continue
            # trim leading/trailing digital near-silence a little so gaps are ours
            xs.append((os.path.relpath(f, SOUNDS), x))
        prompts[spk] = xs
        print(spk, len(xs), "prompts", sum(len(x) for _, x in xs) / 16000 / 60, "min", flush=True)
    print("decoded in", time.time() - t0, flush=True)

    # conversations: one speaker each, ~20 s
    convs, labels = [], []
    for spk, xs in prompts.items():
        order = rng.permutation(len(xs))
        i = 0
        while i < len(order):
            parts = [np.zeros(int(rng.uniform(0.1, 1.5) * 16000), dtype=np.float32)]
            lab = [np.zeros(len(parts[0]) // HOP, dtype=np.float32)]
            total = len(parts[0])
            while i < len(order) and total < 20 * 16000:
                _, x = xs[order[i]]
                i += 1
                x = x[: len(x) // HOP * HOP] * np.float32(10 ** (rng.uniform(-6, 6) / 20))
                parts.append(x)
                lab.append(energy_label(x))
                gap = rng.uniform(0.15, 0.4) if rng.random() < 0.4 else rng.uniform(0.5, 3.0)
                g = int(gap * 100) * HOP
                parts.append(np.zeros(g, dtype=np.float32))
                lab.append(np.zeros(g // HOP, dtype=np.float32))
                total += len(x) + g
            convs.append(np.concatenate(parts))
            labels.append(np.concatenate(lab))
    print(len(convs), "conversations", sum(len(c) for c in convs) / 16000 / 3600, "h", flush=True)

    # teacher on the clean conversations, batched
    sess = silero.session(model)
    teacher = []
    t0 = time.time()
    for s in range(0, len(convs), 64):
        teacher.extend(silero.probs_batch(sess, convs[s : s + 64]))
        print("teacher", s, time.time() - t0, flush=True)
    targets = []
    for c, lab, p in zip(convs, labels, teacher):
        frames = len(c) // HOP
        k = (np.arange(frames) * HOP + HOP // 2) // 512
        targets.append(0.5 * p[k] + 0.5 * lab[:frames])
    lengths = np.array([len(c) for c in convs])
    np.savez(
        os.path.join(out_dir, "speech.npz"),
        audio=np.concatenate(convs),
        lengths=lengths,
        targets=np.concatenate(targets).astype(np.float32),
        energy=np.concatenate([l[: len(c) // HOP] for c, l in zip(convs, labels)]),
    )

    music = [decode_g722(f) for f in sorted(glob.glob(f"{MOH}/*.g722"))]
    np.save(os.path.join(out_dir, "music.npy"), np.concatenate(music))
    # babble: all prompts of all speakers in a fixed shuffled order, 6 streams summed
    allp = [x for xs in prompts.values() for _, x in xs]
    streams = []
    for _ in range(6):
        o = rng.permutation(len(allp))
        streams.append(np.concatenate([allp[j] for j in o]))
    n = min(len(s) for s in streams)
    babble = sum(s[:n] for s in streams) / 6.0
    np.save(os.path.join(out_dir, "babble.npy"), babble.astype(np.float32))
    print("done", flush=True)


if __name__ == "__main__":
    main()
