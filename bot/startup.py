"""Fatal start-up problems: one line naming the setting and the fix, and an exit code.

Servers that are away (a database restarting, a homeserver being upgraded) are retried with
backoff for at most PATIENCE seconds, saying so; a refusal (a wrong token or password) is
final at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.logs import mask_url

log = logging.getLogger(__name__)

EXIT_OTHER, EXIT_CONFIG, EXIT_CONNECTION = 1, 2, 3
PATIENCE = 30.0  # seconds an unreachable server is retried at start-up

T = TypeVar("T")


class StartupError(Exception):
    """The bot cannot start: `line` tells the operator what to fix; `code` is the exit code."""

    def __init__(self, line: str, code: int = EXIT_CONNECTION) -> None:
        self.line = mask_url(line)
        self.code = code
        super().__init__(self.line)


def reason(err: BaseException) -> str:
    """A short, secret-free description of an error ('ConnectionRefusedError: …')."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return mask_url(f"{type(err).__name__}: {text}"[:200] if text else type(err).__name__)


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    *,
    transient: Callable[[BaseException], bool],
    give_up: Callable[[BaseException], StartupError],
    what: str,
    patience: float = PATIENCE,
) -> T:
    """Run `attempt` until it works; transient errors are retried for `patience` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    delay = 0.5
    while True:
        try:
            return await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            left = deadline - loop.time()
            if not transient(err) or left <= 0:
                raise give_up(err) from err
            wait = min(delay * (0.8 + 0.4 * random.random()), left)
            log.warning("%s is not reachable (%s); retrying in %.1f s", what, reason(err), wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, 5.0)
