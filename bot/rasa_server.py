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
from typing import Any

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


def _validate_action_results_with_one_validator() -> None:
    """Rasa checks every action server response with `jsonschema.validate(result, schema)`,
    which first validates the (constant) schema itself against the JSON Schema 2020-12
    meta-schema. With jsonschema 4.17 that meta-check was over a quarter of the Rasa process's
    CPU time per turn (bench/README.md). Same check, same validator class, built once: a valid
    response passes exactly as before; an invalid one goes through Rasa's own method, so the
    error raised (and its message) is unchanged.
    """
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every action call
    validator = validator_class(schema)
    rasa_validate = RemoteAction._validate_action_result

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if best_match(validator.iter_errors(result)) is None:
            return True
        return rasa_validate(self, result)  # raises Rasa's ValidationError

    RemoteAction._validate_action_result = _validate_action_result


def _resolve_event_types_from_a_table() -> None:
    """Rasa turns each stored event's type name into its class with `Event.resolve_by_type`,
    which walks every Event subclass (and asks `inspect` whether each is abstract) per event:
    with the SQL tracker store that ran for every event of the conversation on every turn,
    over a tenth of the Rasa process's CPU time. The answer only changes when a new Event
    subclass is defined, so it is kept in a table that is emptied whenever that happens.
    """
    from rasa.shared.core.events import Event

    resolved: dict[str, Any] = {}
    rasa_resolve = Event.resolve_by_type
    defined = Event.__dict__.get("__init_subclass__")

    def __init_subclass__(cls: type, **kwargs: Any) -> None:
        if defined is not None:
            defined.__func__(cls, **kwargs)
        else:
            super(Event, cls).__init_subclass__(**kwargs)
        resolved.clear()

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        if type_name not in resolved:
            # Rasa's own lookup: the same answer, and the same errors, as before.
            found = rasa_resolve(type_name, default)
            if found is default:
                return found  # unknown names (and their defaults) are not kept
            resolved[type_name] = found
        return resolved[type_name]

    Event.__init_subclass__ = classmethod(__init_subclass__)
    Event.resolve_by_type = staticmethod(resolve_by_type)


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
    _validate_action_results_with_one_validator()
    _resolve_event_types_from_a_table()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
