"""Typed domain errors: each carries an i18n key and parameters for a friendly reply."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A problem the user can fix or should know about; rendered via the i18n catalog."""

    key = "error.generic"

    def __init__(self, message_key: str | None = None, /, **params: Any) -> None:
        self.key = message_key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}")


class InvalidInput(DomainError):
    """Bad user input (time zone, capacity, note length...)."""

    key = "error.invalid"


class NotFound(DomainError):
    """The thing referred to does not exist (or not in this community)."""

    key = "error.not_found"


class NotAllowed(DomainError):
    """The member may not do this (wrong person, not a moderator...)."""

    key = "error.not_allowed"


class Conflict(DomainError):
    """The state changed: already answered, already open, at capacity..."""

    key = "error.conflict"
