"""A real `quellen serve` process for the tests that need real sockets."""

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(process: subprocess.Popen[str], base: str, seconds: float = 60) -> None:
    """Poll ``/ready`` until it answers 200; fail with the server's output if it exits."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"server did not become ready in {seconds:g} s"
        time.sleep(0.2)
