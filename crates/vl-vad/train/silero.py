"""Silero VAD v6.2 (PyPI `silero-vad` 6.2.3, MIT) through onnxruntime: the teacher for training
and the accuracy anchor of `cargo xtask eval vad`.

Also a command line tool used by the eval harness:

    python silero.py MODEL.onnx IN_DIR OUT_DIR

reads every `*.f32` (16 kHz mono float32 little-endian) in IN_DIR, writes the speech probability
of every 512-sample chunk (32 ms) to OUT_DIR/<same name> (float32) and prints
`onnx_seconds=<CPU time of this thread in the per-chunk loop>` and `audio_seconds=<audio processed>`.
"""

import hashlib
import os
import sys
import time
import zipfile

import numpy as np

SILERO_WHEEL_SHA256_ONNX = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
CHUNK = 512
CONTEXT = 64


def extract_model(wheel_path, out_path):
    """Extracts `silero_vad/data/silero_vad.onnx` from the wheel and checks its SHA-256."""
    with zipfile.ZipFile(wheel_path) as z:
        data = z.read("silero_vad/data/silero_vad.onnx")
    digest = hashlib.sha256(data).hexdigest()
    if digest != SILERO_WHEEL_SHA256_ONNX:
        raise SystemExit(f"silero_vad.onnx sha256 {digest} != {SILERO_WHEEL_SHA256_ONNX}")
    with open(out_path, "wb") as f:
        f.write(data)


def session(model_path):
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(
        model_path, providers=["CPUExecutionProvider"], sess_options=opts
    )


def probs_batch(sess, signals):
    """Runs B signals (list of 1-D float32 arrays) as one batch; returns a list of per-chunk
    probability arrays (chunk k covers samples [512k, 512k+512))."""
    b = len(signals)
    n = max(len(s) for s in signals)
    chunks = (n + CHUNK - 1) // CHUNK
    x = np.zeros((b, chunks * CHUNK), dtype=np.float32)
    for i, s in enumerate(signals):
        x[i, : len(s)] = s
    state = np.zeros((2, b, 128), dtype=np.float32)
    context = np.zeros((b, CONTEXT), dtype=np.float32)
    sr = np.array(16000, dtype=np.int64)
    out = np.zeros((b, chunks), dtype=np.float32)
    for k in range(chunks):
        xin = np.concatenate([context, x[:, k * CHUNK : (k + 1) * CHUNK]], axis=1)
        p, state = sess.run(None, {"input": xin, "state": state, "sr": sr})
        out[:, k] = p[:, 0]
        context = xin[:, -CONTEXT:]
    return [out[i, : (len(s) + CHUNK - 1) // CHUNK] for i, s in enumerate(signals)]


def main():
    model, in_dir, out_dir = sys.argv[1:4]
    sess = session(model)
    os.makedirs(out_dir, exist_ok=True)
    onnx_s = 0.0
    audio_s = 0.0
    for name in sorted(os.listdir(in_dir)):
        if not name.endswith(".f32"):
            continue
        sig = np.fromfile(os.path.join(in_dir, name), dtype="<f4")
        t0 = time.thread_time()
        (p,) = probs_batch(sess, [sig])
        onnx_s += time.thread_time() - t0
        audio_s += len(sig) / 16000.0
        p.astype("<f4").tofile(os.path.join(out_dir, name))
    print(f"onnx_seconds={onnx_s:.6f}")
    print(f"audio_seconds={audio_s:.6f}")


if __name__ == "__main__":
    main()
