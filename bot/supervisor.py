"""A small asyncio process supervisor for the local stack.

Policy: fail fast. If any service dies, the supervisor says so loudly, stops every other service
and exits non-zero — a half-working assistant (say, Rasa without its action server) must not keep
answering people. Restarting is left to whatever runs the launcher (systemd, a container runtime).

Each child runs in its own session (process group), so stopping a child also stops anything it
spawned, and asks the kernel to SIGTERM it if the launcher itself dies (no orphans).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from dataclasses import dataclass, field

import aiohttp

STOP_GRACE_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1
_LINE_LIMIT = 1 << 20  # longest output line passed through whole


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None


class ServiceFailed(RuntimeError):
    pass


class Supervisor:
    def __init__(self, services: list[Service], cwd: str) -> None:
        self.services = services
        self.cwd = cwd
        self._pumps: list[asyncio.Task[None]] = []

    @staticmethod
    def log(message: str) -> None:
        print(f"[launcher] {message}", flush=True)

    async def start(self) -> None:
        for service in self.services:
            service.process = await asyncio.create_subprocess_exec(
                *service.argv,
                cwd=self.cwd,
                env={**os.environ, **service.env},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
                limit=_LINE_LIMIT,
            )
            self.log(f"started {service.name} (pid {service.process.pid})")
            self._pumps.append(asyncio.create_task(self._pump(service)))

    async def _pump(self, service: Service) -> None:
        """Copies a child's output to ours, one prefixed line at a time."""
        assert service.process and service.process.stdout
        prefix = f"{service.name:>8} | "
        stream = service.process.stdout
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than _LINE_LIMIT: pass on a chunk of it
                line = await stream.read(_LINE_LIMIT)
            if not line:
                return
            sys.stdout.write(prefix + line.decode(errors="replace").rstrip() + "\n")
            sys.stdout.flush()

    def _dead(self) -> list[Service]:
        return [s for s in self.services if s.process and s.process.returncode is not None]

    async def wait_ready(self, timeout: float) -> None:
        """Waits until every service answers its health check; fails if one dies first."""
        pending = {s.name: s for s in self.services}
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while pending:
                if dead := self._dead():
                    raise ServiceFailed(
                        f"{dead[0].name} exited with code {dead[0].process.returncode} "
                        "while starting (its output is above)"
                    )
                if time.monotonic() > deadline:
                    raise ServiceFailed(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
                for name, service in list(pending.items()):
                    with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                        async with session.get(service.health_url) as response:
                            if response.status == 200:
                                self.log(f"{name} is ready")
                                del pending[name]
                await asyncio.sleep(0.5)

    async def wait_for_exit_or_signal(self) -> int:
        """Returns 0 after SIGINT/SIGTERM, 1 if a service died on its own."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        waiters = {asyncio.create_task(s.process.wait()): s for s in self.services if s.process}
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({stopper, *waiters}, return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, *waiters):
            task.cancel()
        if stopper in done:
            self.log("stopping (signal received)")
            return 0
        for task in done:
            service = waiters[task]
            self.log(
                f"!!! {service.name} DIED with exit code {service.process.returncode}; "
                "stopping the whole stack"
            )
        return 1

    async def stop(self) -> None:
        """SIGTERM every process group, wait, then SIGKILL whatever is left."""
        running = [s for s in self.services if s.process and s.process.returncode is None]
        for service in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for service in running:
            try:
                left = max(0.1, deadline - time.monotonic())
                await asyncio.wait_for(service.process.wait(), left)
            except asyncio.TimeoutError:
                self.log(f"{service.name} did not stop in {STOP_GRACE_SECONDS:.0f}s: killing it")
        # Kill the groups even if the leader exited: a grandchild may still hold a port.
        for service in self.services:
            if service.process:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(service.process.pid, signal.SIGKILL)
                await service.process.wait()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self.log("all services stopped")
