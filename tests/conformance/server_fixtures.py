"""Pytest fixtures that build and run the real `vl-server` binary.

`vl_server` runs `cargo test --workspace --no-run` once per test session: the same build as the
CI test step (features unified with dev-dependencies, as for tests), so nothing is rebuilt and
`target/debug/vl-server` is that build's binary (`cargo build -p vl-server` resolves features
differently and rebuilt dependencies) (or uses the binary named by `VL_SERVER_BIN`), starts the binary
on a free loopback port (`--listen 127.0.0.1:0`; the port is read from its JSON log), waits for
`GET /healthz` to answer 200 and kills the process after the tests. The API key is passed through
the environment (`VL_API_KEY`), never on the command line.
"""

from __future__ import annotations

import json
import os
import pathlib
import queue
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_KEY = "conformance-test-key"
START_TIMEOUT_S = 30.0
BUILD_TIMEOUT_S = 1800


@dataclass
class RunningServer:
    """A started vl-server process."""

    port: int
    api_key: str
    process: subprocess.Popen
    log: list[str]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _target_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def _build() -> pathlib.Path:
    prebuilt = os.environ.get("VL_SERVER_BIN")
    if prebuilt:
        # A binary built elsewhere (local iteration); CI leaves this unset.
        return pathlib.Path(prebuilt)
    subprocess.run(
        ["cargo", "test", "--workspace", "--no-run"],
        cwd=ROOT,
        check=True,
        timeout=BUILD_TIMEOUT_S,
    )
    binary = _target_dir() / "debug" / "vl-server"
    assert binary.exists(), f"no binary at {binary}"
    return binary


def _read_lines(stream, lines: queue.Queue, keep: list[str]) -> None:
    for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        keep.append(line)
        lines.put(line)


def _start(binary: pathlib.Path, extra_args: list[str], env: dict[str, str]) -> RunningServer:
    proc = subprocess.Popen(
        [str(binary), "--listen", "127.0.0.1:0", "--backend", "scripted", "--log-format", "json", *extra_args],
        cwd=ROOT,
        # The per-key connection rate (30/min) and the failed-auth throttle (20/min per IP) would
        # refuse a test suite's many connections from 127.0.0.1; tests of them set their own.
        env={
            **os.environ,
            "RUST_LOG": "info",
            "VL_KEY_CONNECTION_RATE": "0",
            "VL_AUTH_FAILURES_PER_MINUTE": "0",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: queue.Queue = queue.Queue()
    keep: list[str] = []
    threading.Thread(target=_read_lines, args=(proc.stdout, lines, keep), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    port = None
    while port is None:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("vl-server did not report its address:\n" + "\n".join(keep))
        try:
            line = lines.get(timeout=min(left, 1.0))
        except queue.Empty:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        fields = record.get("fields", {})
        if fields.get("message") == "listening" and "addr" in fields:
            port = int(str(fields["addr"]).rsplit(":", 1)[1])
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("vl-server /healthz never answered 200")
        time.sleep(0.05)
    return RunningServer(port=port, api_key=env.get("VL_API_KEY", ""), process=proc, log=keep)


def _stop(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def vl_server_binary() -> pathlib.Path:
    """The vl-server binary, built once per test session."""
    return _build()


@pytest.fixture(scope="session")
def vl_server(vl_server_binary: pathlib.Path):
    """A running vl-server that requires `API_KEY`."""
    server = _start(vl_server_binary, [], {"VL_API_KEY": API_KEY})
    try:
        yield server
    finally:
        _stop(server)
