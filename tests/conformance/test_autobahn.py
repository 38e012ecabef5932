"""Autobahn WebSocket conformance of the real vl-server binary, through kosoku (PyPI).

The server runs with `--websocket-echo-path /echo`: an echo endpoint behind exactly the WebSocket
settings the sessions use (message and frame limit, read and write buffers; src/server.rs
`websocket_settings`). kosoku runs the Autobahn case files as a fuzzing client against it,
without the compression cases (`-x '12.*' -x '13.*'`: no permessage-deflate), two at a time.
The verdicts are diffed against `tests/autobahn/expected-results.json` by
`tests/autobahn/check.py`: any difference fails, a regression as well as an improvement (then
update the file with `check.py REPORT_DIR --update`, so the better result is kept).
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import time

from server_fixtures import ROOT, _start, _stop

sys.path.insert(0, str(ROOT / "tests" / "autobahn"))
import check  # noqa: E402

KOSOKU_TIMEOUT_S = 300


def test_autobahn_cases_match_the_expected_results(vl_server_binary: pathlib.Path, tmp_path: pathlib.Path) -> None:
    server = _start(vl_server_binary, ["--websocket-echo-path", "/echo", "--no-console"], {})
    try:
        kosoku = pathlib.Path(sys.executable).with_name("kosoku")
        started = time.monotonic()
        run = subprocess.run(
            [
                str(kosoku),
                "-m",
                "fuzzingclient",
                "-x",
                "12.*",
                "-x",
                "13.*",
                "-p",
                "2",
                "-o",
                str(tmp_path),
                f"ws://127.0.0.1:{server.port}/echo",
            ],
            capture_output=True,
            text=True,
            timeout=KOSOKU_TIMEOUT_S,
        )
        elapsed = time.monotonic() - started
        assert server.process.poll() is None, "vl-server exited during the run:\n" + "\n".join(server.log[-50:])
    finally:
        _stop(server)
    assert (tmp_path / "index.json").exists(), f"kosoku wrote no report:\n{run.stdout}\n{run.stderr}"
    got = check.load_report(tmp_path)
    print(f"kosoku: {check.summary(got)} in {elapsed:.1f} s (report in {tmp_path})")
    differences = check.diff(check.load_expected(), got)
    assert not differences, (
        "Autobahn results differ from tests/autobahn/expected-results.json "
        f"(report: {tmp_path}/index.json):\n" + "\n".join(differences)
    )
