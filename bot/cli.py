"""`mentorbot run | check-config | db upgrade | report`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from importlib import metadata

from bot import logs
from bot.config import ConfigError, Settings, load_settings, masked, secrets_of
from bot.startup import StartupError

EXIT_CONFIG = 2


def _version() -> str:
    try:
        return metadata.version("mentorbot")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorbot", description="Peer mentoring for chat")
    parser.add_argument("--version", action="version", version=f"mentorbot {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (console community without credentials)")
    run.add_argument("--config", help="TOML config file (see config.example.toml)")
    run.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default)")
    run.add_argument("--log-format", choices=["text", "json"], default=None,
                     help="log line format (default: ops.log_format)")  # fmt: skip
    check = sub.add_parser("check-config", help="validate a config and print it, secrets masked")
    check.add_argument("--config", help="TOML config file")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "copy"],
                    help="upgrade the schema, or copy to an empty PostgreSQL")  # fmt: skip
    db.add_argument("--from", dest="source", metavar="URL",
                    help="copy: the database to read (default: bot.database_url)")  # fmt: skip
    db.add_argument("--to", dest="target", metavar="URL",
                    help="copy: a new, empty database (postgresql://user:pw@host/db)")  # fmt: skip
    db.add_argument("--config", help="TOML config file")
    report = sub.add_parser("report", help="print the mentoring report of one community")
    report.add_argument("--community", required=True,
                        help="platform id: a guild id, a Matrix room id, or 'console'")  # fmt: skip
    report.add_argument("--platform", choices=["discord", "matrix", "console"], default=None,
                        help="needed only when the id exists on several platforms")  # fmt: skip
    report.add_argument("--days", type=int, default=30, help="days covered (default 30)")
    report.add_argument("--format", choices=["text", "csv", "json"], default="text")
    report.add_argument("--locale", choices=["en", "de"], default=None,
                        help="language of labels (default: bot.locale)")  # fmt: skip
    report.add_argument("--config", help="TOML config file")
    return parser


def _settings(path: str | None) -> Settings | None:
    try:
        return load_settings(path)
    except ConfigError as err:
        print("mentorbot: the configuration cannot be used:", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


def _db_copy(source: str, target: str | None) -> int:
    """`mentorbot db copy`: progress on stderr, the outcome on stdout, no password shown."""
    from storage.copy import CopyError, ProgressBar, copy_database

    if not target:
        print("mentorbot: db copy needs --to URL, a new, empty PostgreSQL database "
              "(postgresql://user:password@host/name)", file=sys.stderr)  # fmt: skip
        return EXIT_CONFIG
    bar = ProgressBar(sys.stderr)
    try:
        report = asyncio.run(copy_database(source, target, progress=bar))
    except CopyError as err:
        bar.close()
        print(f"mentorbot: {logs.mask_url(str(err))}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:  # nothing is committed before the end
        bar.close()
        print("mentorbot: db copy interrupted; the target was left as it was", file=sys.stderr)
        return 1
    except Exception:
        bar.close()
        logging.getLogger("mentorbot").exception("db copy failed; the target was left as it was")
        return 1
    print(logs.mask_url(f"copied {report.rows} rows in {len(report.tables)} tables from {source} "
                        f"to {target} (revision {report.revision}); row counts and "
                        f"{report.sequences} id sequences verified"))  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    settings = _settings(args.config)
    if settings is None:
        return EXIT_CONFIG
    if args.command == "check-config":
        print(json.dumps(masked(settings), indent=2, sort_keys=True))
        return 0
    try:
        fmt = getattr(args, "log_format", None) or settings.ops.log_format
        logs.configure(getattr(args, "log_level", None) or "WARNING", secrets_of(settings),
                       json_lines=fmt == "json")  # fmt: skip
    except ValueError as err:
        print(f"mentorbot: --log-level: {err}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "db" and args.action == "copy":
        return _db_copy(args.source or settings.bot.database_url, args.target)
    if args.command == "db":
        from bot.app import migrate_only

        try:
            asyncio.run(migrate_only(settings))
        except StartupError as err:
            print(f"mentorbot: {err.line}", file=sys.stderr)
            return err.code
        print("database is up to date")
        return 0
    if args.command == "report":
        from bot.reporting.operator import run_report

        return asyncio.run(run_report(
            settings, community=args.community, days=args.days, fmt=args.format,
            platform=args.platform, locale=args.locale,
        ))  # fmt: skip
    from bot.app import run

    try:
        asyncio.run(run(settings))
    except StartupError as err:
        print(f"mentorbot: {err.line}", file=sys.stderr)
        return err.code
    except (KeyboardInterrupt, asyncio.CancelledError):  # a signal during start-up
        return 0
    except Exception:
        # Through the redacting log handler: a traceback may quote a URL with its password.
        logging.getLogger("mentorbot").exception("mentorbot stopped")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
