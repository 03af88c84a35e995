"""`python -m bot staff add-user NAME` and `python -m bot retention`: the console's commands."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.settings import Settings


def add_commands(commands: argparse._SubParsersAction) -> None:
    staff = commands.add_parser("staff", help="staff console accounts")
    sub = staff.add_subparsers(dest="staff_command", required=True)
    add = sub.add_parser("add-user", help="create a staff account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (for scripts)")
    sub.add_parser("list-users", help="list staff accounts")
    retention = commands.add_parser(
        "retention", help="purge conversations, queue entries and reports older than N days",
    )
    retention.add_argument(
        "--days", type=int, default=int(os.environ.get("RETENTION_DAYS", "30")),
        help="retention period in days (default: RETENTION_DAYS or 30)",
    )
    retention.add_argument(
        "--audit-days", type=int, default=int(os.environ.get("AUDIT_RETENTION_DAYS", "365")),
        help="how long the staff audit trail is kept (default: AUDIT_RETENTION_DAYS or 365)",
    )


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise SystemExit("The passwords do not match.")
    return first


def run(args: argparse.Namespace) -> int:
    run_dir = Settings.from_env().run_dir
    if args.command == "retention":
        from bot.staff.retention import purge

        try:
            counts = purge(run_dir, args.days, args.audit_days)
        except ValueError as error:
            raise SystemExit(str(error)) from None
        print("purged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0

    from bot.staff.accounts import AccountError, StaffStore

    store = StaffStore(run_dir / "staff.sqlite")
    if args.staff_command == "list-users":
        print("\n".join(store.users()))
        return 0
    try:
        store.add_user(args.name, _password(args.password_stdin))
    except AccountError as error:
        raise SystemExit(str(error)) from None
    store.audit("cli", "add_user", args.name)
    print(f"Created staff account {args.name}.")
    return 0
