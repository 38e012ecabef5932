"""Fixtures of the end-to-end suite: the real binaries with the embedded models.

The suite reuses the conformance suite's venv (`tests/conformance/requirements.txt`) and helpers
(`server_fixtures`, `speech`, `sdk_live`), imported from `tests/conformance`.

Binaries come from `VL_E2E_BIN_DIR` (a directory holding them), else this
suite builds them itself with the same commands (`e2e_tools.BUILDS`) into
`$CARGO_TARGET_DIR/debug`.

The server runs the embedded stack slot by slot (`--asr whisper --llm embedded --tts piper`):
whisper tiny.en, the `vl-llm-worker` with SmolLM2-135M, Piper `en_US-joe-medium`.
`VL_E2E_LLM=scripted` swaps the LLM slot for the scripted one (local iteration only).
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "conformance"))

import e2e_tools  # noqa: E402
import server_fixtures  # noqa: E402

API_KEY = "e2e-test-key"


@pytest.fixture(scope="session")
def bins() -> e2e_tools.Binaries:
    """The four binaries (built once per test session unless `VL_E2E_BIN_DIR` is set)."""
    return e2e_tools.binaries()


@pytest.fixture(scope="session")
def embedded_server(bins: e2e_tools.Binaries):
    """vl-server with the embedded ASR, LLM and TTS slots, requiring `API_KEY`."""
    models = e2e_tools.MODELS
    llm = os.environ.get("VL_E2E_LLM", "embedded")
    args = [
        "--asr",
        "whisper",
        "--asr-model",
        str(models / "whisper" / "ggml-tiny.en.bin"),
        "--tts",
        "piper",
        "--tts-model-dir",
        str(models / "piper"),
        "--llm",
        llm,
        # whisper and the 135M LLM on a loaded 2-core CI machine can need more than the default
        # 15 s for their first output; the test checks content, not speed (bench e2e does that).
        "--backend-first-output-timeout",
        "60s",
    ]
    if llm == "embedded":
        args += [
            "--llm-worker",
            str(bins.llm_worker),
            "--llm-gguf",
            str(models / "llm" / "SmolLM2-135M-Instruct.Q4_1.gguf"),
        ]
    # The worker inherits the server's environment: greedy decoding, as scripts/run-embedded.sh
    # runs it (SmolLM2-135M at the session's default temperature 0.8 rarely stays on topic).
    env = {"VL_API_KEY": API_KEY, "VL_LLM_TEMPERATURE": "0"}
    server = server_fixtures._start(bins.server, args, env)
    try:
        yield server
    finally:
        server_fixtures._stop(server)
