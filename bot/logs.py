"""Logging for operators: one format, and no secret or member-written text in any line.

Secrets (tokens, passwords, the password inside a database URL) are replaced by '***' in
every formatted line, tracebacks included. The chat libraries log whole payloads (message
texts, interaction options, room events) at DEBUG and some at INFO, so their loggers are
held above that whatever level the operator asks for; our own code never logs member text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The least severe level each library may log at: discord.py logs REST bodies and gateway
# events at DEBUG; matrix-nio logs event and response details at INFO and DEBUG.
LIBRARY_FLOORS = {"discord": logging.INFO, "nio": logging.WARNING, "aiosqlite": logging.INFO,
                  "asyncpg": logging.INFO, "sqlalchemy": logging.WARNING}  # fmt: skip
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s/:@]*:)(?P<secret>[^\s@/]+)@")
_QUERY_SECRET = re.compile(r"(?P<head>[?&](?:password|token|access_token)=)(?P<secret>[^&\s]+)")


def mask_url(text: str) -> str:
    """The text with passwords inside URLs (user:password@host, ?password=) replaced."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}***@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['head']}***", text)


class RedactingFormatter(logging.Formatter):
    """Formats a record, then blanks every known secret and any URL password in it."""

    def __init__(self, secrets: Iterable[str] = (), fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """The text without secrets."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return mask_url(text)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line (time, level, logger, message, exception), secrets blanked."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            data["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def configure(
    level: str | int = "WARNING",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    *,
    json_lines: bool = False,
) -> logging.Handler:
    """Send every log line through a redacting formatter; hold the chat libraries back."""
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if json_lines else RedactingFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    return handler
