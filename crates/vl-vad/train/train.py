"""Trains `vl_vad::NeuralClassifier` (log-mel -> dense -> GRU -> dense -> sigmoid) on the
material from prepare.py mixed with music, babble and synthetic noises at fixed seeds, and
writes the weights file that `crates/vl-vad/src/neural/` loads (`include_bytes!`).

    python train.py DATA_DIR OUT_WEIGHTS [--steps N]

CPU only (JAX). Never uses ../shared/data (the evaluation data).
"""

import argparse
import os
import struct
import time

import jax
import jax.numpy as jnp
import numpy as np

import features

SEED = 7
MELS = features.MELS
D_IN = 32
H = 48
D_OUT = 16
MAGIC = b"VLVADNN1"


# ---------------------------------------------------------------- noise mixer (numpy)
def colored(rng, n, alpha):
    w = rng.standard_normal(n).astype(np.float32)
    spec = np.fft.rfft(w)
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    spec = spec / f ** (alpha / 2.0)
    return np.fft.irfft(spec, n).astype(np.float32)


def envelope(rng, n):
    """slow random amplitude modulation 0.2..1 (0.2-3 Hz)"""
    k = max(2, int(n / 16000 * rng.uniform(0.4, 6)))
    pts = rng.uniform(0.2, 1.0, k)
    return np.interp(np.linspace(0, k - 1, n), np.arange(k), pts).astype(np.float32)


def clicks(rng, n):
    x = np.zeros(n, dtype=np.float32)
    t = 0
    while True:
        t += int(rng.exponential(0.15) * 16000) + 200
        if t >= n - 800:
            break
        L = int(rng.uniform(100, 700))
        burst = rng.standard_normal(L).astype(np.float32) * np.exp(-np.arange(L) / (L / 5)).astype(np.float32)
        x[t : t + L] += burst * rng.uniform(0.3, 1.0)
    return x


def hvac(rng, n):
    x = colored(rng, n, 2.0)
    t = np.arange(n) / 16000.0
    f0 = 50.0 if rng.random() < 0.5 else 60.0
    hum = sum(rng.uniform(0.1, 1.0) * np.sin(2 * np.pi * f0 * (k + 1) * t + rng.uniform(0, 6.3)) for k in range(4))
    x = x / (np.std(x) + 1e-9) + rng.uniform(0.0, 1.0) * hum / 2.0
    return x.astype(np.float32)


def segment(rng, src, n):
    if len(src) <= n:
        return np.resize(src, n)
    s = rng.integers(0, len(src) - n)
    return src[s : s + n].copy()


def noise(rng, n, music, babble):
    kinds = ["white", "pink", "brown", "hvac", "clicks", "music", "babble", "music", "babble", "pink"]
    out = np.zeros(n, dtype=np.float32)
    for _ in range(1 if rng.random() < 0.6 else 2):
        k = kinds[rng.integers(len(kinds))]
        if k == "white":
            x = rng.standard_normal(n).astype(np.float32)
        elif k == "pink":
            x = colored(rng, n, rng.uniform(0.5, 1.5))
        elif k == "brown":
            x = colored(rng, n, rng.uniform(1.5, 2.5))
        elif k == "hvac":
            x = hvac(rng, n)
        elif k == "clicks":
            x = clicks(rng, n)
        elif k == "music":
            x = segment(rng, music, n)
        else:
            x = segment(rng, babble, n)
        if rng.random() < 0.4:
            x = x * envelope(rng, n)
        x = x / (np.sqrt(np.mean(x ** 2)) + 1e-9)
        out += x * np.float32(10 ** (rng.uniform(-10, 0) / 20))
    return out


def lowpass(x, cutoff):
    spec = np.fft.rfft(x)
    spec[int(cutoff / 8000 * (len(spec) - 1)) :] = 0
    return np.fft.irfft(spec, len(x)).astype(np.float32)


def mix(rng, clean, energy, music, babble):
    """One noisy version of one clean conversation; returns (signal, noise_only_flag)."""
    n = len(clean)
    frames = n // 160
    act = energy[:frames] > 0.5
    p_speech = np.mean(clean[: frames * 160].reshape(frames, 160)[act] ** 2) if act.any() else 1e-4
    u = rng.random()
    if u < 0.05:  # noise/music only: all non-speech
        speech = np.zeros_like(clean)
        snr = 0.0
        only = True
    else:
        speech = clean
        only = False
        snr = None if u < 0.2 else rng.uniform(-5.0, 25.0)
    x = speech.copy()
    if snr is not None:
        nz = noise(rng, n, music, babble)
        x += nz * np.float32(np.sqrt(p_speech / 10 ** (snr / 10)))
    else:
        x += rng.standard_normal(n).astype(np.float32) * np.float32(np.sqrt(p_speech) * 10 ** (rng.uniform(-80, -45) / 20))
    if rng.random() < 0.15:
        x = lowpass(x, rng.uniform(3400, 4000))
    # level: speech active level -45..-12 dBFS
    gain = 10 ** (rng.uniform(-45, -12) / 20) / np.sqrt(p_speech)
    x = np.clip(x * np.float32(gain), -1.0, 1.0)
    return x.astype(np.float32), only


def realization(seed, convs, tgts, ens, music, babble):
    rng = np.random.default_rng(seed)
    feats, targs = [], []
    for c, t, e in zip(convs, tgts, ens):
        x, only = mix(rng, c, e, music, babble)
        f = features.logmel(x)
        feats.append(f)
        targs.append(np.zeros_like(t) if only else t[: len(f)])
    return feats, targs


# ---------------------------------------------------------------- model (jax)
def init(key):
    ks = jax.random.split(key, 6)

    def u(k, shape, fan_in):
        b = 1.0 / np.sqrt(fan_in)
        return jax.random.uniform(k, shape, minval=-b, maxval=b)

    return {
        "w1": u(ks[0], (D_IN, MELS), MELS),
        "b1": jnp.zeros(D_IN),
        "w_ih": u(ks[1], (3 * H, D_IN), H),
        "w_hh": u(ks[2], (3 * H, H), H),
        "b_ih": jnp.zeros(3 * H),
        "b_hh": jnp.zeros(3 * H),
        "w2": u(ks[3], (D_OUT, H), H),
        "b2": jnp.zeros(D_OUT),
        "w3": u(ks[4], (1, D_OUT), D_OUT),
        "b3": jnp.zeros(1),
    }


def forward(p, x):
    """x: (B, T, MELS) normalised features -> logits (B, T)."""
    a = jax.nn.relu(jnp.einsum("btm,dm->btd", x, p["w1"]) + p["b1"])
    gi = jnp.einsum("btd,gd->tbg", a, p["w_ih"]) + p["b_ih"]  # (T, B, 3H)

    def step(h, g):
        gh = h @ p["w_hh"].T + p["b_hh"]
        r = jax.nn.sigmoid(g[:, :H] + gh[:, :H])
        z = jax.nn.sigmoid(g[:, H : 2 * H] + gh[:, H : 2 * H])
        nn_ = jnp.tanh(g[:, 2 * H :] + r * gh[:, 2 * H :])
        h2 = (1 - z) * nn_ + z * h
        return h2, h2

    h0 = jnp.zeros((x.shape[0], H))
    _, hs = jax.lax.scan(step, h0, gi)  # (T, B, H)
    o = jax.nn.relu(jnp.einsum("tbh,oh->bto", hs, p["w2"]) + p["b2"])
    return (jnp.einsum("bto,po->btp", o, p["w3"]) + p["b3"])[..., 0]


def loss_fn(p, x, y):
    z = forward(p, x)
    bce = jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z)))
    return jnp.mean(bce)


@jax.jit
def adam_step(p, m, v, t, x, y, lr):
    loss, g = jax.value_and_grad(loss_fn)(p, x, y)
    m = jax.tree_util.tree_map(lambda m_, g_: 0.9 * m_ + 0.1 * g_, m, g)
    v = jax.tree_util.tree_map(lambda v_, g_: 0.999 * v_ + 0.001 * g_ * g_, v, g)
    mh = jax.tree_util.tree_map(lambda m_: m_ / (1 - 0.9 ** t), m)
    vh = jax.tree_util.tree_map(lambda v_: v_ / (1 - 0.999 ** t), v)
    p = jax.tree_util.tree_map(lambda p_, a, b: p_ - lr * a / (jnp.sqrt(b) + 1e-8), p, mh, vh)
    return p, m, v, loss


def auc(scores, labels):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels > 0.5
    npos, nneg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - npos * (npos + 1) / 2) / (npos * nneg)


def write_weights(path, p, mean, std):
    arrays = [mean, std, p["w1"], p["b1"], p["w_ih"], p["w_hh"], p["b_ih"], p["b_hh"], p["w2"], p["b2"], p["w3"], p["b3"]]
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<4I", MELS, D_IN, H, D_OUT))
        for a in arrays:
            f.write(np.asarray(a, dtype="<f4").tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this step (schedule still over --steps)")
    ap.add_argument("--realizations", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=600)
    args = ap.parse_args()
    with np.load(os.path.join(args.data, "speech.npz")) as z:
        d = {k: z[k] for k in z.files}
    music = np.load(os.path.join(args.data, "music.npy"))
    babble = np.load(os.path.join(args.data, "babble.npy"))
    bounds = np.concatenate([[0], np.cumsum(d["lengths"])])
    fb = np.concatenate([[0], np.cumsum(d["lengths"] // 160)])
    convs = [d["audio"][a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    tgts = [d["targets"][a:b] for a, b in zip(fb[:-1], fb[1:])]
    ens = [d["energy"][a:b] for a, b in zip(fb[:-1], fb[1:])]
    # every 20th conversation is held out for validation
    tr = [i for i in range(len(convs)) if i % 20 != 7]
    va = [i for i in range(len(convs)) if i % 20 == 7]
    t0 = time.time()
    feats, targs = [], []
    for r in range(args.realizations):
        f, t = realization(1000 + r, [convs[i] for i in tr], [tgts[i] for i in tr], [ens[i] for i in tr], music, babble)
        feats += f
        targs += t
        print("realization", r, time.time() - t0, flush=True)
    allf = np.concatenate(feats)
    mean = allf.mean(axis=0)
    std = allf.std(axis=0) + 1e-3
    feats = [(f - mean) / std for f in feats]
    vf, vt = realization(99, [convs[i] for i in va], [ens[i] for i in va], [ens[i] for i in va], music, babble)
    vf = [(f - mean) / std for f in vf]

    lens = np.array([len(f) for f in feats])
    rng = np.random.default_rng(SEED)
    p = init(jax.random.PRNGKey(SEED))
    m = jax.tree_util.tree_map(jnp.zeros_like, p)
    v = jax.tree_util.tree_map(jnp.zeros_like, p)
    T = args.seq
    for step in range(1, args.steps + 1):
        xb = np.zeros((args.batch, T, MELS), dtype=np.float32)
        yb = np.zeros((args.batch, T), dtype=np.float32)
        for b in range(args.batch):
            i = rng.integers(len(feats))
            if lens[i] > T:
                s = rng.integers(0, lens[i] - T)
            else:
                s = 0
            seg = feats[i][s : s + T]
            xb[b, : len(seg)] = seg
            yb[b, : len(seg)] = targs[i][s : s + T]
        lr = 3e-3 * min(1.0, step / 200) * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * step / args.steps)))
        p, m, v, loss = adam_step(p, m, v, step, jnp.asarray(xb), jnp.asarray(yb), lr)
        if step % 100 == 0 or step == 1:
            print(f"step {step} loss {float(loss):.4f} t {time.time() - t0:.0f}s", flush=True)
        last = step == args.steps or step == args.stop_at
        if step % 1000 == 0 or last:
            sc = np.concatenate([np.asarray(jax.nn.sigmoid(forward(p, jnp.asarray(f[None]))))[0] for f in vf])
            print(f"val AUC (energy labels) {auc(sc, np.concatenate(vt)):.4f}", flush=True)
            write_weights(args.out, p, mean, std)
        if last:
            break
    print("wrote", args.out, os.path.getsize(args.out), "bytes")


if __name__ == "__main__":
    main()
