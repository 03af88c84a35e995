"""Runs `rasa run` with the API token read from the environment.

`rasa run` only accepts the token as `--auth-token`; passing it on our command line would show it
to every local user in `ps`. This wrapper puts it into Rasa's own argv inside the process instead.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.pop("RASA_AUTH_TOKEN", "")
    if not token:
        raise SystemExit("RASA_AUTH_TOKEN is not set")
    # `--auth-token=...` in one word: a generated token may start with "-".
    sys.argv = ["rasa", "run", *sys.argv[1:], "--enable-api", f"--auth-token={token}"]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
