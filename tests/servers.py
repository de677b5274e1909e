"""Servers the tests start themselves on 127.0.0.1 (an Oxigraph server, `councilkg serve`), and stop."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(argv: list[str], probe: str, log: Path, timeout: float = 30, **popen):
    """Start ``argv``, wait until ``probe`` answers, yield, then stop the process (the test fails if it never answers)."""
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(probe, timeout=2).read()
                    break
                except (urllib.error.URLError, OSError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"{Path(argv[0]).name} {' '.join(argv[1:2])} did not start: {log.read_text()}")
                    time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
