"""Command line: `python -m locator import | refresh-reference | serve`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import paths


def _import(args: argparse.Namespace) -> int:
    from .importer import ImportFailed, run_import

    try:
        report = run_import(args.source, args.db)
    except ImportFailed as exc:
        print(f"locator import: error: {exc}", file=sys.stderr)
        print("The previous database (if any) was left unchanged.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"locator import: error: {exc}", file=sys.stderr)
        return 1
    counts = report.counts
    print(
        f"Imported {counts['front_counters']} open and {counts['closed_front_counters']} closed "
        f"counters, {counts['postcodes']:,} postcodes, {counts['terminated_postcodes']:,} "
        f"terminated postcodes, {counts['outcodes']} districts, {counts['boroughs']} boroughs, "
        f"{counts['places']:,} places and {counts['agencies']} agencies into {report.db_path} "
        f"in {report.seconds:.1f} s."
    )
    if report.geocoded:
        print(f"Located from their postcode: {', '.join(report.geocoded)}.")
    if report.without_coordinates:
        missing = ", ".join(report.without_coordinates)
        print(f"Open counters with no location (left out of distance results): {missing}.")
    if report.closed_without_coordinates:
        missing = ", ".join(report.closed_without_coordinates)
        print(f"Closed counters with no location: {missing}.")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from .refresh import RefreshFailed, refresh_reference

    try:
        report = refresh_reference(args.upstream, args.dest)
    except (RefreshFailed, OSError) as exc:
        print(f"locator refresh-reference: error: {exc}", file=sys.stderr)
        return 1
    for rel in report.updated:
        print(f"updated   {rel}")
    print(f"{len(report.updated)} updated, {len(report.unchanged)} unchanged in {args.dest}.")
    if report.updated:
        print("Run `python -m locator import` to rebuild the database.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.is_file():
        print(
            f"locator serve: error: no database at {db}. "
            "Build it first with: python -m locator import",
            file=sys.stderr,
        )
        return 1
    from aiohttp import web

    from .app import DropExceptionDetails, PathOnlyAccessLogger, create_app
    from .online import OnlineConfigError
    from .store import DatabaseUnavailable

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiohttp.server").addFilter(DropExceptionDetails())
    try:
        app = create_app(str(db))
    except OnlineConfigError as exc:
        print(f"locator serve: error: {exc}", file=sys.stderr)
        return 1
    try:
        web.run_app(
            app, host=args.host, port=args.port,
            access_log_class=PathOnlyAccessLogger,
            print=lambda _: print(f"locator: serving {db} on http://{args.host}:{args.port}"),
        )  # fmt: skip
    except DatabaseUnavailable as exc:
        print(f"locator serve: error: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m locator", description="Nearest Met Police front counter service."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="build the SQLite database from the reference files")
    imp.add_argument("--source", type=Path, default=paths.DEFAULT_SOURCE,
                     help=f"reference folder (default: {paths.DEFAULT_SOURCE})")
    imp.add_argument("--db", type=Path, default=paths.DEFAULT_DB,
                     help=f"database to (re)build (default: {paths.DEFAULT_DB})")
    imp.set_defaults(func=_import)

    ref = sub.add_parser("refresh-reference",
                         help="copy upstream reference files into the repository")
    ref.add_argument("--from", dest="upstream", type=Path, default=paths.DEFAULT_UPSTREAM,
                     help=f"upstream reference folder (default: {paths.DEFAULT_UPSTREAM})")
    ref.add_argument("--to", dest="dest", type=Path, default=paths.DEFAULT_SOURCE,
                     help=f"repository reference folder (default: {paths.DEFAULT_SOURCE})")
    ref.set_defaults(func=_refresh)

    srv = sub.add_parser("serve", help="run the HTTP API")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8001)
    srv.add_argument("--db", type=Path, default=paths.DEFAULT_DB,
                     help=f"database file (default: {paths.DEFAULT_DB})")
    srv.set_defaults(func=_serve)
    return parser  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
