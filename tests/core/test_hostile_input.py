"""Hostile input to every text command, button id and console line, on SQLite and PostgreSQL.

Arbitrary unicode, control characters, NUL, unpaired surrogates, huge numbers, digits of other
scripts and long strings: no exception escapes, no generic apology, nothing forbidden is
stored, and a refusal changes nothing (every row of every table compared before and after).
One database per test; the examples share it, and the world is re-seeded when they wore it
down (a pair ended, a mentor paused).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.actions import ACTIONS
from bot.core.clock import FakeClock
from bot.core.context import Actor
from bot.core.errors import DomainError
from bot.core.services import Services
from bot.platforms.console.platform import ConsolePlatform
from bot.platforms.console.runner import ConsoleCommunity
from bot.text.commands import COMMANDS
from bot.text.router import Incoming, TextRouter
from tests.conftest import actor, make_services
from tests.fakes import FakePlatform
from tests.hostile import (
    CONTROLS,
    NUMBERS,
    ODD_DIGITS,
    Snapshots,
    Tables,
    apology,
    arguments,
    forbidden_text,
    huge_number,
    mutated,
    odd_digits,
    refusals,
    reported,
    token,
    unicode_text,
)


def hostile(examples: int) -> settings:
    """Modest hypothesis runs whose examples share one database (so no shrinking: a replay
    meets other data anyway; the failing example is reported as it was found)."""
    return settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])  # fmt: skip


MODERATOR = "carol"
PEOPLE = ["alice", "bob", MODERATOR, "eve"]  # eve has never been seen before


@dataclass
class World:
    """A community with a mentor, a pair, a moderator, groups and a tandem, on one database."""

    services: Services
    router: TextRouter
    platform: FakePlatform
    snapshots: Snapshots
    last: Tables | None = None  # the newest snapshot, while nothing else changed the data

    async def say(self, who: str, line: str, room: str | None = None,
                  locale: str | None = None) -> str:  # fmt: skip
        replies = await self.router.handle(Incoming(actor(who, locale=locale), line, room))
        return "\n".join(m.text for m in replies)

    async def pair_room(self) -> str | None:
        """The space of alice's pair, re-pairing her with bob when examples ended it."""
        try:
            pair = await self.services.pairs.pair_for(actor("alice"), None, None)
        except DomainError:
            self.last = None
            await self.say("bob", "!mentor-signup skills=python,git capacity=10")
            await self.say("bob", "!mentor-status available")
            await self.say("alice", "!mentor python")
            await self.say("alice", "!ask any")
            await self.say("bob", "!accept")
            try:
                pair = await self.services.pairs.pair_for(actor("alice"), None, None)
            except DomainError:
                return None
        return pair.space_ref

    async def checked(self, work: Callable[[], Awaitable[list[str]]], what: str, who: str) -> None:
        """Run `work`; assert no apology, nothing forbidden stored, no change on refusal
        (but what meeting `who` records: see `Snapshots.without_contact`)."""
        before = self.last or await self.snapshots.take()
        sent = len(self.platform.deliveries)
        with reported(what):
            with refusals() as refused:
                texts = await work()
            for reply in texts:
                assert not apology(reply), reply
            after = self.last = await self.snapshots.take()
            assert not forbidden_text(after), forbidden_text(after)
            if refused:
                after = self.snapshots.without_contact(before, after, who)
                assert after == before, str(([e.key for e in refused], _changed(before, after)))
                assert len(self.platform.deliveries) == sent, self.platform.deliveries[sent:]


def _changed(before: dict, after: dict) -> dict:
    """Per table that differs: the rows only before, and the rows only after."""
    return {k: ([r for r in before[k] if r not in after[k]], [r for r in after[k] if r not in before[k]])
            for k in before if before[k] != after[k]}  # fmt: skip


async def _seed(services: Services, platform: FakePlatform, engine: AsyncEngine) -> World:
    async def is_mod(who: Actor) -> bool:
        return who.user_id == MODERATOR

    world = World(services, TextRouter(services, is_moderator=is_mod), platform,
                  Snapshots(engine))  # fmt: skip
    say = world.say
    assert "now a mentor" in await say("bob", "!mentor-signup skills=python,git capacity=10")
    assert await world.pair_room() is not None
    await say("dave", "!mentor-signup skills=german,rust capacity=2")
    await say(MODERATOR, "!profile tz=Europe/Berlin")
    await say(MODERATOR, "!cohort create name=Spring leaders=@bob capacity=5 start=2d end=8w")
    await say("alice", '!circle create name=Python topic="python, packaging"')
    await say("bob", '!office-hours schedule day=tue time=18:00 tz=Europe/Berlin topic="Q&A"')
    await say("alice", "!goals add Ship my first PR", await world.pair_room())
    await say("alice", "!milestone add 1 Read the guide", await world.pair_room())
    await say("alice", "!tandem offer=python seek=german")
    await say("dave", "!tandem offer=german seek=python")
    await say("alice", "!thanks bob for the help")
    return world


@pytest.fixture
async def world(engine: AsyncEngine, clock: FakeClock, platform: FakePlatform) -> World:
    """Seeded services on SQLite and on PostgreSQL (one database per test)."""
    return await _seed(make_services(engine, clock, platform), platform, engine)


# Arguments that work, per command: the examples mutate them as well as inventing their own.
VALID = {
    "accept": ["", "1"], "decline": ["", "1"], "ask": ["1", "any"], "mentor": ["python -- a note"],
    "checkin": ["well", "help 1", "wrap-up"], "end": ["", "1"], "extend": ["", "1"],
    "feedback": ["1 5 thanks"], "goals": ["", "add Ship it", "done 1"],
    "milestone": ["", "add 1 Read", "done 1.1"], "milestones": ["add 1 Read", "done 1.1"],
    "circle": ["list", "join Python", "leave 2", 'create name=Go topic="go, tooling"'],
    "cohort": ["list", "join Spring", "leave 1", "feedback Spring 5 great",
               "create name=Summer leaders=@bob,@dave capacity=5 start=2d end=8w"],
    "office-hours": ["list", "rsvp 3", "rsvp 3 2026-01-13", "cancel 3",
                     'schedule day=tue time=18:00 tz=Europe/Berlin topic="Q&A" duration=60'],
    "officehours": ["rsvp #3"], "help": ["", "mentor"], "help-mod": ["I need help", "1 help"],
    "mentor-digest": ["on", "off"], "mentor-status": ["available", "paused 7d"],
    "mentor-signup": ["skills=python,git languages=en,de tz=Europe/Berlin capacity=2"],
    "mentoring-report": ["", "30"], "my-data": ["export", "delete"],
    "mentoring-setup": ["checkin_interval 14d", "default_capacity 3", "moderator_roles 123 456",
                        "guidelines Be kind", "locale de", "help_channel #help"],
    "mod": ["approve bob", "remove dave", "end 1", "reassign 1 dave", "requests", "export"],
    "profile": ["tz=Europe/Berlin languages=en,de interests=python goals=ship bio=hi locale=de"],
    "tandem": ["", "offer=python seek=german", "confirm", "decline 1"],
    "thanks": ["bob for the help", "@dave thanks"],
}  # fmt: skip


def test_every_command_has_arguments_that_work() -> None:
    assert set(VALID) == set(COMMANDS)


# Who uses a command for real (moderator tools: carol; the mentor's: bob; else alice).
USER = {"mod": MODERATOR, "mentoring-setup": MODERATOR, "mentoring-report": MODERATOR,
        "cohort": MODERATOR, "office-hours": "bob", "officehours": "bob", "mentor-signup": "bob",
        "mentor-status": "bob", "mentor-digest": "bob", "accept": "bob", "decline": "bob"}  # fmt: skip


async def test_one_odd_word_in_a_command_that_works(world: World) -> None:
    """Every word of every working command, in turn, replaced by a superscript digit, a number
    of 5000 digits, and NUL with a surrogate: the odd value meets the code behind the parser."""
    for name, lines in sorted(VALID.items()):
        who = USER.get(name, "alice")
        for line in lines:
            words = line.split(" ") if line else [""]
            for i, word in enumerate(words):
                key, eq, _ = word.partition("=")
                for odd in ("²", "9" * 5000, "a\x00b\ud800"):
                    odd_words = [*words[:i], f"{key}={odd}" if eq else odd, *words[i + 1 :]]
                    text = f"!{name} " + " ".join(odd_words)
                    reply = await world.say(who, text, await world.pair_room())
                    assert not apology(reply), (text[:120], reply)
    assert not forbidden_text(await world.snapshots.take())


@hostile(10)
@given(data=st.data())
async def test_every_text_command_survives_hostile_arguments(
    world: World, data: st.DataObject
) -> None:
    for name in sorted(COMMANDS):  # every command, with its own hostile arguments each example
        valid = st.sampled_from(VALID[name]).flatmap(mutated)
        args = data.draw(st.one_of(arguments, valid), label=name)
        who = data.draw(st.sampled_from(PEOPLE), label="who")
        where = data.draw(st.sampled_from(["dm", "pair", "elsewhere"]), label="where")
        locale = data.draw(st.sampled_from([None, "de"]), label="locale")
        gap = data.draw(st.sampled_from([" ", "  ", "\t", "\n", "\u3000"]), label="gap")
        room = {"dm": None, "pair": await world.pair_room(), "elsewhere": "space-unknown"}[where]
        line = f"!{name}{gap}{args}"

        async def work(who: str = who, line: str = line, room: str | None = room,
                       locale: str | None = locale) -> list[str]:  # fmt: skip
            return [await world.say(who, line, room, locale)]

        await world.checked(work, line[:200], who)


# Every declared action with its placeholders filled by hostile numbers and words.
def _action_id(pattern: str, values: list[str]) -> str:
    parts = iter(values)
    out = []
    for piece in pattern.split("{"):
        if "}" in piece:
            _, _, tail = piece.partition("}")
            out.append(next(parts, "") + tail)
        else:
            out.append(piece)
    return "".join(out)


action_ids = st.builds(
    _action_id,
    st.sampled_from([a.pattern for a in ACTIONS]),
    st.lists(st.one_of(huge_number, odd_digits, st.sampled_from(["", "1", "2", "well", "any"]),
                       st.from_regex(r"[0-9]{1,18}", fullmatch=True)), min_size=3, max_size=3),
)  # fmt: skip


@hostile(50)
@given(action=st.one_of(action_ids, token), who=st.sampled_from(PEOPLE))
@example(action="offer:accept:99999999999", who="bob")
@example(action="pair:rate:2147483648:5", who="alice")
@example(action="oh:rsvp:999999999999999999", who="alice")
async def test_button_ids_out_of_range_are_unknown_not_a_crash(
    world: World, action: str, who: str
) -> None:
    async def work() -> list[str]:
        return [m.text for m in await world.router.press(actor(who), action)]

    await world.checked(work, action[:200], who)


# The crashes of issue 13 and their kin: a number in other digits, or beyond the id columns.
ODD_NUMBERS = [
    ("!checkin help ¹²", "pair number"),
    ("!mentoring-report ①", "number of days"),
    ("!end 99999999999999999999", "pair number"),
    ("!extend 99999999999999999999", "pair number"),
    ("!checkin well 99999999999999999999", "pair number"),
    ("!help-mod 99999999999999999999 hello", "pair number"),
    ("!mod end 99999999999999999999", "pair number"),
    ("!mod reassign 99999999999999999999 bob", "pair number"),
    ("!tandem confirm 99999999999999999999", "introduction number"),
    ("!cohort feedback spring ²", "rating"),
    ("!feedback ² 5", "pair number"),
    ("!ask ①", "suggestion number"),
    ("!goals done ٣", "goal number"),
    ("!milestone add 2147483648 Read", "goal number"),
]
GERMAN = {"pair number": "Paarnummer", "number of days": "Anzahl der Tage", "rating": "Bewertung",
          "introduction number": "Vorstellungsnummer", "suggestion number": "Vorschlagsnummer",
          "goal number": "Zielnummer"}  # fmt: skip
NOT_FOUND = ["!cohort join 99999999999999999999", "!circle join #99999999999", "!circle leave ²",
             "!office-hours rsvp 9007199254740991", "!office-hours cancel 99999999999999999999",
             "!cohort leave 2147483648", "!cohort feedback 9223372036854775808 5"]  # fmt: skip


async def test_the_crashes_of_issue_13_get_clear_answers_and_change_nothing(world: World) -> None:
    for line, field in ODD_NUMBERS:
        who = MODERATOR if line.startswith(("!mod ", "!mentoring-report")) else "alice"
        before = await world.snapshots.take()
        reply = await world.say(who, line)
        assert f"the {field} must be a whole number from 1 to" in reply, (line, reply)
        assert "written with the digits 0-9" in reply, (line, reply)
        german = await world.say(who, line, locale="de")
        assert f"Als {GERMAN[field]} ist nur eine ganze Zahl" in german, (line, german)
        after = world.snapshots.without_contact(before, await world.snapshots.take(), who)
        assert after == before, line
    for line in NOT_FOUND:  # a group number out of range is just not known
        reply = await world.say("alice", line)
        assert reply.startswith("I don't know"), (line, reply)
    for action in ("offer:accept:99999999999", "pair:extend:2147483648", "cohort:join:0"):
        (answer,) = await world.router.press(actor("alice"), action)
        assert answer.text == "That button is not known (any more). Nothing was changed."
    # NUL and the other controls are dropped before anything is stored (PostgreSQL refused NUL)
    assert "posted" in await world.say("alice", "!thanks bob a\x00b\x1b[31m\ud800 c\ue000d")
    tables = await world.snapshots.take()
    assert not forbidden_text(tables)
    assert any("ab[31m cd" in str(row) for row in tables["kudos"]), tables["kudos"]
    # too long is refused naming the field, in the reader's language
    english = await world.say("alice", "!thanks bob " + "x" * 3000)
    assert "The message is too long (3000 characters)" in english, english
    german = await world.say("alice", "!profile bio=" + "y" * 1200, locale="de")
    assert "Das Feld „Über mich“ ist zu lang (1200 Zeichen)" in german, german


# ----- the console ------------------------------------------------------------------------
console_lines = st.one_of(
    st.builds(lambda who, sep, said: f"{who}{sep}{said}",
              st.sampled_from(["alice", "bob", "x" * 70, "", " ", "ä", "a/b", "\x00"]),
              st.sampled_from([">", "> ", " > ", ">>"]),
              st.one_of(huge_number, odd_digits, token, arguments,
                        st.sampled_from(ODD_DIGITS + NUMBERS + CONTROLS),
                        st.builds(lambda n, a: f"!{n} {a}", st.sampled_from(sorted(COMMANDS)),
                                  arguments))),
    st.builds(lambda verb, name: f"/{verb} {name}",
              st.sampled_from(["join", "leave", "mod", "", "x"]), unicode_text),
    unicode_text,
)  # fmt: skip


@pytest.fixture
async def console(
    sqlite_engine: AsyncEngine, clock: FakeClock
) -> tuple[ConsoleCommunity, list[str]]:
    shown: list[str] = []
    platform = ConsolePlatform(write=shown.append)
    services = make_services(sqlite_engine, clock, platform)  # type: ignore[arg-type]
    community = ConsoleCommunity(services, platform)
    for line in ("/join alice", "/join bob", "bob> !mentor-signup skills=python",
                 "alice> !mentor python", "alice> !ask 1"):  # fmt: skip
        await community.line(line)
    return community, shown


@hostile(80)
@given(line=console_lines)
@example(line="alice> ²")
@example(line="alice> 99999999999")
@example(line="bob> ①")
@example(line="alice> " + "9" * 5000)
async def test_no_console_line_ends_the_process(
    console: tuple[ConsoleCommunity, list[str]], line: str
) -> None:
    community, shown = console
    del shown[:]
    await community.line(line)  # raises nothing
    assert not [s for s in shown if apology(s)], (line[:100], shown)


async def test_a_superscript_is_no_choice_number(
    console: tuple[ConsoleCommunity, list[str]],
) -> None:
    community, shown = console
    del shown[:]
    await community.line("bob> ²")
    await community.line("bob> 99999999999")
    assert shown == ["[console] bob has no choice number ²",
                     "[console] bob has no choice number 99999999999"]  # fmt: skip
    await community.line("bob> 1")
    assert any("Mentoring: alice & bob" in s for s in shown), shown
