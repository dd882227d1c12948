"""A real `beancan serve` process on the tests' database, for tests that need HTTP and SSE."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time

import httpx

import factories as f


class Server:
    """A `beancan serve --no-worker` process on the tests' database, on a free port (with extra
    environment variables if given)."""

    def __init__(self, **env: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "beancan", "serve", "--no-worker", "--port", str(port)],
            env=f.service_env(**{"BEANCAN_SIMILAR": "auto", **env}),  # pages as in production
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_it_answers()

    def _wait_until_it_answers(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"beancan serve exited:\n{self.output()}")
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{self.url}/realtime/-/events", timeout=1.0)
                return
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"beancan serve did not answer in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
