"""Start the whole stack on free ports through the launcher, for tests, evaluation and benchmarks.

One place that knows how to run `python -m bot run` in the background, wait until it is ready,
talk to it (REST webhook and tracker API) and stop it, checking nothing is left behind.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.settings import ROOT

START_TIMEOUT = 600  # includes a first-time model training on a cold machine
TURN_TIMEOUT = 120


class StackError(RuntimeError):
    pass


def text_of(replies: list[dict]) -> str:
    """All the text the bot sent in one turn, one message a line."""
    return "\n".join(r.get("text", "") for r in replies)


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@dataclass
class Stack:
    rasa: str
    web: str
    locator: str
    token: str
    log_path: Path
    run_dir: Path

    def say(self, text: str, sender: str | None = None) -> tuple[str, list[dict]]:
        """Sends one message over the REST channel; returns the sender id and the bot's replies."""
        sender = sender or f"test-{uuid.uuid4()}"
        response = requests.post(
            f"{self.rasa}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=TURN_TIMEOUT,
        )
        if response.status_code != 200:
            raise StackError(f"webhook answered {response.status_code}: {response.text[:500]}")
        return sender, response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(
            f"{self.rasa}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=TURN_TIMEOUT,
        )
        if response.status_code != 200:
            raise StackError(f"tracker answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def slots(self, sender: str) -> dict:
        return self.tracker(sender)["slots"]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"  # a zombie is already dead
    except FileNotFoundError:
        return False


def _wait_for_ready(process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if "READY" in log_path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            output = log_path.read_text()
            raise StackError(f"the launcher exited with {process.returncode}:\n{output}")
        time.sleep(1)
    process.kill()
    raise StackError(f"not ready after {START_TIMEOUT}s:\n{log_path.read_text()[-5000:]}")


def _stop(process: subprocess.Popen, log_path: Path) -> None:
    """Ctrl-C equivalent: the launcher must exit cleanly and leave no process behind."""
    pids = [int(p) for p in re.findall(r"started \w+ \(pid (\d+)\)", log_path.read_text())]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise StackError("the launcher did not stop within 60 s of SIGTERM") from None
    survivors = [pid for pid in pids if _alive(pid)]
    if survivors:
        raise StackError(f"orphan processes after stop: {survivors}")
    if process.returncode != 0:
        tail = log_path.read_text()[-3000:]
        raise StackError(f"launcher exit code {process.returncode}:\n{tail}")
    if "all services stopped" not in log_path.read_text():
        raise StackError("the launcher did not report that all services stopped")


@contextmanager
def running_stack(run_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Runs the stack with a generated API token and its state in `run_dir`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "stack.log"
    rasa, actions, locator, web = free_ports(4)
    env = {
        **os.environ,
        "RASA_PORT": str(rasa), "ACTIONS_PORT": str(actions),
        "LOCATOR_PORT": str(locator), "WEB_PORT": str(web),
        "RUN_DIR": str(run_dir),
        **(extra_env or {}),
    }
    env.pop("RASA_AUTH_TOKEN", None)  # exercise the generated-token path
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        _wait_for_ready(process, log_path)
        token_file = run_dir / "rasa_token"
        if stat.S_IMODE(token_file.stat().st_mode) != 0o600:
            raise StackError("the token file is readable by others")
        yield Stack(
            rasa=f"http://127.0.0.1:{rasa}", web=f"http://127.0.0.1:{web}",
            locator=f"http://127.0.0.1:{locator}", token=token_file.read_text().strip(),
            log_path=log_path, run_dir=run_dir,
        )
    finally:
        _stop(process, log_path)
