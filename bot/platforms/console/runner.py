"""Reads `name> text` lines (a script or a terminal) and plays them as a community."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sys
from collections.abc import AsyncIterator

from bot.core.context import Actor
from bot.core.i18n import t
from bot.core.inputs import is_digits, looks_numeric
from bot.core.services import Services
from bot.platforms.console.platform import ConsolePlatform
from bot.text.router import Incoming, TextRouter

log = logging.getLogger(__name__)

COMMUNITY = "console"
_LINE = re.compile(r"^\s*([^\s>/][^>]{0,63}?)\s*>\s?(.*)$")
_NAME = re.compile(r"^[\w.-]{1,64}$")


class ConsoleCommunity:
    """One console community: members join with `/join name` and talk with `name> text`."""

    def __init__(self, services: Services, platform: ConsolePlatform) -> None:
        self.services = services
        self.platform = platform
        self.moderators: set[str] = set()
        self.router = TextRouter(services, is_moderator=self._is_mod)
        self.greeter = services.greeting.batcher("console", window=0.0)

    async def _is_mod(self, actor: Actor) -> bool:
        return actor.user_id in self.moderators

    def _actor(self, name: str) -> Actor:
        return Actor("console", COMMUNITY, name, name)

    @property
    def _loc(self) -> str:
        return self.services.ctx.locale

    def _say(self, text: str) -> None:
        self.platform.write(text)

    async def line(self, raw: str) -> None:
        """Play one line of the script; no line, however odd, ends the process."""
        try:
            await self._line(raw)
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("console line failed (error id %s)", error_id)
            self._say(t(self._loc, "error.unexpected", error_id=error_id))

    async def _line(self, raw: str) -> None:
        text = raw.rstrip("\n")
        if not text.strip() or text.lstrip().startswith("#"):
            return
        if text.startswith("/"):
            await self._control(text[1:].split())
            return
        match = _LINE.match(text)
        if not match or not _NAME.match(match.group(1)):
            self._say(t(self._loc, "console.line_format"))
            return
        name, said = match.group(1), match.group(2).strip()
        actor = self._actor(name)
        self.services.activity.saw("console", COMMUNITY, name)
        if looks_numeric(said):  # a choice: ASCII digits only ("²" or "①" are no number)
            button = self.platform.button(name, int(said)) if is_digits(said) else None
            if button is None:
                self._say(t(self._loc, "console.no_choice", name=name, number=said[:12]))
                return
            replies = await self.router.press(actor, button.action)
        else:
            replies = await self.router.handle(Incoming(actor, said))
        for reply in replies:
            for out in reply.text.splitlines():
                self._say(f"[to {name}] {out}")

    async def _control(self, words: list[str]) -> None:
        if len(words) == 2 and words[0] in ("join", "leave", "mod") and _NAME.match(words[1]):
            verb, name = words
            if verb == "join":
                await self.services.profiles.member_joined(self._actor(name))
                self.greeter.joined(COMMUNITY, name)
                await self.greeter.drain()
            elif verb == "leave":
                await self.services.profiles.member_left(self._actor(name))
                self._say(t(self._loc, "console.left", name=name))
            else:
                self.moderators.add(name)
                self._say(t(self._loc, "console.moderator", name=name))
            return
        self._say(t(self._loc, "console.control_lines"))


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from standard input without blocking the event loop."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line


async def run_console(
    services: Services,
    platform: ConsolePlatform,
    lines: AsyncIterator[str],
    *,
    interactive: bool = False,
) -> None:
    """Run a console community over `lines` until they end and pending work is done."""
    community = ConsoleCommunity(services, platform)
    if interactive:
        platform.write(t(services.ctx.locale, "console.banner"))
    async for line in lines:
        await community.line(line)
    await community.greeter.drain()
