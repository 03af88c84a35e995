"""`python -m bot build|run|web|staff|retention`: build the data and model, run the whole stack,
the web page alone, manage staff accounts, or purge old data."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

from bot.settings import LOCATOR_DB, ROOT, Settings, rasa_token

READY_TIMEOUT_SECONDS = 300.0  # Rasa alone takes ~40 s to load a model on a 2-core machine


def _services(settings: Settings, model: str, token: str) -> list:
    from bot.supervisor import Service

    py = sys.executable
    locator_url = settings.url(settings.locator_port)
    return [
        Service(
            "locator",
            [py, "-m", "locator", "serve", "--host", settings.host,
             "--port", str(settings.locator_port), "--db", str(LOCATOR_DB)],
            f"{locator_url}/healthz",
        ),
        Service(
            "actions",
            [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)],
            f"{settings.url(settings.actions_port)}/health",
            env={"LOCATOR_URL": locator_url},
        ),
        Service(
            "rasa",
            [py, "-m", "bot.rasa_server", "--model", model, "--port", str(settings.rasa_port),
             "--interface", settings.host, "--credentials", "credentials.yml",
             "--endpoints", "endpoints.yml"],
            f"{settings.url(settings.rasa_port)}/",
            env={
                "RASA_AUTH_TOKEN": token,
                "ACTIONS_PORT": str(settings.actions_port),
                "RASA_TRACKER_DB": str(settings.tracker_db),
            },
        ),
        Service(
            "web",
            [py, "-m", "bot", "web", "--host", settings.host, "--port", str(settings.web_port),
             "--rasa-url", settings.url(settings.rasa_port)],
            f"{settings.url(settings.web_port)}/healthz",
        ),
    ]


def _channels_line() -> str:
    from channels.credentials import channel_statuses, describe

    return describe(channel_statuses(ROOT / "credentials.yml"))


async def _run_stack(settings: Settings, model: str) -> int:
    from bot.supervisor import ServiceFailed, Supervisor

    token, token_file = rasa_token(settings)
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(_services(settings, model, token), cwd=str(ROOT))
    code = 1
    try:
        await supervisor.start()
        await supervisor.wait_ready(READY_TIMEOUT_SECONDS)
        where = (
            f"stored in {token_file} (readable only by you)" if token_file else "RASA_AUTH_TOKEN"
        )
        print(
            "\n[launcher] Met Contact Assistant is running:\n"
            f"  web chat        {settings.url(settings.web_port)}/\n"
            f"  Rasa server     {settings.url(settings.rasa_port)}/  (REST, socket.io, HTTP API)\n"
            f"  action server   {settings.url(settings.actions_port)}/\n"
            f"  locator         {settings.url(settings.locator_port)}/healthz\n"
            f"  Rasa API token  {where}\n"
            f"  {_channels_line()}\n"
            "[launcher] READY — press Ctrl-C to stop.\n",
            flush=True,
        )
        code = await supervisor.wait_for_exit_or_signal()
    except ServiceFailed as failure:
        Supervisor.log(f"!!! {failure}")
    finally:
        await supervisor.stop()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="import reference data and train the model if stale")
    commands.add_parser("run", help="build, then start and supervise the whole stack")
    web = commands.add_parser("web", help="serve the chat page alone")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    from bot.staff import cli as staff_cli

    staff_cli.add_commands(commands)  # staff add-user, retention
    args = parser.parse_args(argv)
    if args.command in ("staff", "retention"):
        return staff_cli.run(args)
    # Offline by default: no usage telemetry leaves the machine; quieter TensorFlow.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    if args.command == "web":
        from aiohttp import web as aioweb

        from bot.web.app import create_app

        aioweb.run_app(create_app(args.rasa_url), host=args.host, port=args.port,
                       access_log=None, print=None)
        return 0

    from bot.build import build

    try:
        model = build()
    except subprocess.CalledProcessError as error:
        print(f"[build] failed: {' '.join(map(str, error.cmd[:4]))}... exited {error.returncode}")
        return 1
    if args.command == "build":
        return 0
    return asyncio.run(_run_stack(Settings.from_env(), str(model)))


if __name__ == "__main__":
    sys.exit(main())
