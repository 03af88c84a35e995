"""Runs `rasa run` with the API token read from the environment and only the live channels.

`rasa run` only accepts the token as `--auth-token`; passing it on our command line would show it
to every local user in `ps`. This wrapper puts it into Rasa's own argv inside the process instead.

Rasa refuses a credentials file with an unset `${VAR}`, so the `--credentials` file given here is
filtered to the channels whose variables are all set (channels/credentials.py) and written to the
run directory; secrets stay `${VAR}` references that Rasa expands itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.settings import Settings
from channels.credentials import describe, write_effective


def _effective_credentials(argv: list[str], run_dir: Path) -> list[str]:
    """argv with `--credentials X` replaced by the live-channels copy of X."""
    if "--credentials" not in argv:
        return argv
    at = argv.index("--credentials") + 1
    source = Path(argv[at])
    target = run_dir / "credentials.yml"
    statuses = write_effective(source, target)
    print(f"[channels] {describe(statuses)}", flush=True)
    return [*argv[:at], str(target), *argv[at + 1:]]


def main() -> None:
    token = os.environ.pop("RASA_AUTH_TOKEN", "")
    if not token:
        raise SystemExit("RASA_AUTH_TOKEN is not set")
    # The channels keep their state (outbox, contacts) in the run directory too: RUN_DIR.
    args = _effective_credentials(sys.argv[1:], Settings.from_env().run_dir)
    # `--auth-token=...` in one word: a generated token may start with "-".
    sys.argv = ["rasa", "run", *args, "--enable-api", f"--auth-token={token}"]
    from bot.web.rasa_socketio import install as fix_socketio_rooms

    fix_socketio_rooms()  # the web chat's socket.io session persistence (see that module)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
