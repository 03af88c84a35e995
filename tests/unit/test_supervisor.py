"""The supervisor against real child processes (small Python HTTP servers)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import pytest

from bot.supervisor import Service, ServiceFailed, Supervisor


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_service(name: str) -> Service:
    port = _port()
    return Service(
        name,
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        f"http://127.0.0.1:{port}/",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): check its state.
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split(") ")[1][0] != "Z"


async def test_starts_waits_and_stops_every_child(tmp_path) -> None:
    services = [_http_service("one"), _http_service("two")]
    supervisor = Supervisor(services, cwd=str(tmp_path))
    await supervisor.start()
    await supervisor.wait_ready(30)
    pids = [s.process.pid for s in services]
    assert all(_alive(pid) for pid in pids)
    await supervisor.stop()
    assert not any(_alive(pid) for pid in pids)


async def test_a_child_that_dies_stops_the_stack(tmp_path) -> None:
    healthy = _http_service("healthy")
    dying = Service("dying", [sys.executable, "-c", "import time; time.sleep(1); exit(3)"],
                    "http://127.0.0.1:9/")
    supervisor = Supervisor([healthy], cwd=str(tmp_path))
    await supervisor.start()
    await supervisor.wait_ready(30)
    supervisor.services.append(dying)
    dying.process = await asyncio.create_subprocess_exec(*dying.argv)
    code = await asyncio.wait_for(supervisor.wait_for_exit_or_signal(), 30)
    assert code == 1
    await supervisor.stop()
    assert not _alive(healthy.process.pid)


async def test_a_child_that_fails_to_start_is_reported(tmp_path) -> None:
    broken = Service("broken", [sys.executable, "-c", "raise SystemExit(2)"], "http://127.0.0.1:9/")
    supervisor = Supervisor([broken], cwd=str(tmp_path))
    await supervisor.start()
    with pytest.raises(ServiceFailed, match="broken exited with code 2"):
        await supervisor.wait_ready(30)
    await supervisor.stop()


async def test_grandchildren_are_stopped_too(tmp_path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time;"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(600)"
    )
    parent = Service("parent", [sys.executable, "-c", script], "http://127.0.0.1:9/")
    supervisor = Supervisor([parent], cwd=str(tmp_path))
    await supervisor.start()
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.1)
    grandchild = int(pid_file.read_text())
    assert _alive(grandchild)
    await supervisor.stop()
    await asyncio.sleep(0.2)
    assert not _alive(grandchild)
