"""Collect ERROR log records so tests can fail on swallowed exceptions.

discord.py only *logs* exceptions raised in event handlers, views and app
command callbacks; a test would otherwise just time out.  See the
``error_logs`` fixture in ``tests/discord/conftest.py`` for the pytest wiring.
"""

from __future__ import annotations

import logging

# "fakediscord": the loopback server logs an ERROR when a request breaks a rule it checks
# (member-text marks in a request, see FakeDiscord.mark_leaks).
WATCHED_LOGGERS = ("discord", "bot", "cogs", "fakediscord")


class ErrorLogCollector(logging.Handler):
    """Collects ERROR (and worse) records from the watched loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        """Return and forget the records so far (for tests that expect errors)."""
        records, self.records = self.records, []
        return records

    def clear(self) -> None:
        self.records.clear()

    def format_all(self) -> str:
        fmt = logging.Formatter("%(name)s %(levelname)s: %(message)s")
        return "\n".join(fmt.format(r) for r in self.records)
