"""Hostile options to every slash command on the loopback Discord server, SQLite and PostgreSQL.

The command schemas are read from what the bot synced to the server; values are generated per
option type: strings with NUL, control characters, odd digits and up to Discord's 6000
characters (within a declared max_length), integers over Discord's whole range (±2^53) and,
as a client that skips Discord's checks would send them, beyond the declared bounds up to
±2^64. Forms a command opens are submitted with hostile text too, and autocompletion is asked
with it. Every interaction is answered within Discord's 3 s, never with the generic apology,
nothing forbidden is stored, and a refusal changes nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.discord.env import MANAGE_GUILD, Env, bot_env
from tests.discord.helpers import ask, button, request_dm, signup
from tests.fakediscord import FakeDiscord
from tests.fakediscord.handle import InteractionHandle
from tests.fakediscord.models import Channel, Member
from tests.hostile import (
    Snapshots,
    Tables,
    apology,
    field_value,
    forbidden_text,
    huge_number,
    odd_digits,
    refusals,
    reported,
)

DISCORD_INT = 2**53  # integer options carry at most ±2^53
DISCORD_STRING = 6000  # the longest string option Discord sends
DEADLINE = 3.0  # an interaction must be answered within 3 s
SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = range(1, 11)
PEOPLE = ["alice", "bob", "carol", "eve"]  # carol moderates; eve joined and did nothing yet
MODERATED = {"cohort", "mentoring-mod", "mentoring-setup", "mentoring-report"}


@dataclass(frozen=True)
class Leaf:
    """A command as a member types it ('mentoring goals') with its option specs."""

    path: str
    options: tuple[dict[str, Any], ...]


@dataclass
class World:
    env: Env
    thread: Channel
    people: dict[str, Member]
    leaves: list[Leaf]
    snapshots: Snapshots
    last: Tables | None = None


def leaves_of(schema: dict[str, Any], prefix: str = "") -> list[Leaf]:
    """The invocable commands of one synced schema (subcommands and groups unfolded)."""
    path = f"{prefix} {schema['name']}".strip()
    options = schema.get("options") or []
    nested = [o for o in options if int(o["type"]) in (SUBCOMMAND, GROUP)]
    if not nested:
        return [Leaf(path, tuple(options))]
    return [leaf for o in nested for leaf in leaves_of(o, path)]


@pytest.fixture
async def world(
    fake_discord: FakeDiscord, tmp_path: Path, database_url: str
) -> AsyncIterator[World]:
    """The bot on SQLite or PostgreSQL with a pair, a circle, office hours and a cohort."""
    async with bot_env(fake_discord, tmp_path, bot={"database_url": database_url}) as env:
        people = {name: await env.member(name) for name in PEOPLE}
        bob, alice, carol = people["bob"], people["alice"], people["carol"]
        await signup(env, bob, capacity=5)
        await ask(env, alice)
        dm = await request_dm(env, bob, alice)
        await env.click(dm, button(dm, "Accept"), bob)
        thread = await env.wait(lambda: next(iter(fake_discord.threads(env.c.mentoring.id)), None))
        await env.slash(alice, "circle create", {"name": "Python", "topic": "packaging"})
        await env.slash(bob, "office-hours schedule", {"weekday": "tuesday", "time": "18:00",
                        "timezone": "Europe/Berlin", "topic": "Q&A"})  # fmt: skip
        await env.slash(carol, "cohort create", {"name": "Spring", "start": "2d", "end": "8w"},
                        permissions=MANAGE_GUILD)  # fmt: skip
        await settled()
        leaves = [leaf for rec in fake_discord.state.global_commands.values()
                  if int(rec.data.get("type", 1)) == 1 for leaf in leaves_of(rec.data)]  # fmt: skip
        engine = env.services.ctx.db.kw["bind"]
        yield World(env, thread, people, sorted(leaves, key=lambda x: x.path), Snapshots(engine))
        await settled()


# Values that work, per string option name: mixed in, so that one hostile option among working
# ones reaches the code behind the first check.
WORKING = {"name": ["Go", "Rust"], "topic": ["python"], "circle": ["Python", "2"],
           "cohort": ["Spring", "1"], "start": ["2d", "now"], "end": ["8w"],
           "skills": ["python,git"], "languages": ["en,de"], "timezone": ["Europe/Berlin"],
           "until": ["7d"], "text": ["Ship it", "1"], "number": ["1.1"], "time": ["18:00"],
           "value": ["14d", "3", "de", "123"], "offer": ["python"], "seek": ["german"],
           "message": ["thanks"], "note": ["hi"], "comment": ["great"]}  # fmt: skip
# In the sweep, names already taken: the creation is refused, but only after every other
# option was read (and no new circle or cohort is announced, which Discord would rate-limit).
TAKEN = {"circle create": "Python", "cohort create": "Spring"}
# Options that, odd but accepted, announce a new group: Discord's 5 posts per 5 s in that
# channel would make the tests wait. A name already taken (no topic) is refused after every
# other option was read; the text commands send odd names and topics to the same services.
ANNOUNCED = {
    ("circle create", "name"),
    ("cohort create", "name"),
    ("office-hours schedule", "topic"),
}
ODD = ["²", "9" * 5000, "a\x00b\x1b[0m"]  # a superscript digit, 5000 digits, NUL and ESC
VERBS = {"action", "setting", "status"}  # choices that decide how the other options are read
SURROGATES = re.compile("[\ud800-\udfff]")


def fitting(spec: dict[str, Any], value: str) -> str:
    """`value` as Discord can send it in this option: cut or padded to its declared length,
    and valid UTF-8 (Discord's JSON carries no unpaired surrogates; discord.py's parser would
    drop the whole event)."""
    value = SURROGATES.sub("", value)
    longest = int(spec.get("max_length") or DISCORD_STRING)
    shortest = int(spec.get("min_length") or 0)
    return (value[:longest] + "x" * shortest)[: max(longest, shortest)] or "x"


def text_value(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """What a member can type into a string option (Discord enforces min/max_length)."""
    hostile = st.one_of(field_value, huge_number, odd_digits)
    working = WORKING.get(spec.get("name", ""))
    values = st.one_of(st.sampled_from(working), hostile) if working else hostile
    return values.map(lambda v: fitting(spec, v))


def option_value(spec: dict[str, Any], world: World, tampered: bool) -> st.SearchStrategy[Any]:
    kind = int(spec["type"])
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    if kind == STRING:
        return text_value(spec)
    if kind == INTEGER:
        low = -(2**64) if tampered else int(spec.get("min_value", -DISCORD_INT))
        high = 2**64 if tampered else int(spec.get("max_value", DISCORD_INT))
        edges = [
            v for v in (0, 1, -1, 2**31 - 1, 2**31, 2**53, 2**63, low, high) if low <= v <= high
        ]
        return st.one_of(st.integers(low, high), st.sampled_from(edges))
    if kind == NUMBER:
        return st.floats(allow_nan=False, allow_infinity=False, width=64)
    if kind == BOOLEAN:
        return st.booleans()
    if kind in (USER, MENTIONABLE):
        members = [m.user.id for m in world.people.values()] + [world.env.bot.user.id]
        return st.sampled_from(members)
    if kind == CHANNEL:  # Discord offers only channels of the declared types
        c = world.env.c
        chans = [c.general, c.mentoring, c.moderation, world.thread]
        wanted = spec.get("channel_types")
        return st.sampled_from([ch.id for ch in chans if not wanted or ch.type in wanted])
    if kind == ROLE:
        return st.sampled_from([r.id for r in world.env.c.guild.roles.values()])
    raise AssertionError(f"no strategy for option type {kind} ({spec['name']})")


def working_value(spec: dict[str, Any], world: World) -> Any:
    """A value of a non-text option that works: its lowest number, bob, #general."""
    kind = int(spec["type"])
    if kind == INTEGER:
        return int(spec.get("min_value", 1))
    if kind in (USER, MENTIONABLE):
        return world.people["bob"].user.id
    if kind == CHANNEL:
        return world.env.c.general.id
    if kind == ROLE:
        return world.env.c.guild.id  # @everyone
    return False


async def answer_text(handle: InteractionHandle) -> str:
    """Everything the member saw in answer (the follow-ups of a deferred interaction)."""
    if handle.response_type == 5:
        await handle.wait_followups(1, timeout=15)
        return "\n".join(m.content for m in handle.followups)
    return str((handle.callback or {}).get("data", {}).get("content", ""))


async def settled(timeout: float = 15.0) -> None:
    """Until discord.py has finished every command, button and form it is running."""
    names = ("CommandTree-invoker", "discord-ui-")
    running = [t for t in asyncio.all_tasks() if t.get_name().startswith(names) and not t.done()]
    if running:
        await asyncio.wait(running, timeout=timeout)


async def checked(world: World, who: str, send: Any, what: str, *,
                  compare: bool = True) -> InteractionHandle:  # fmt: skip
    """Send one interaction; assert the 3 s answer, no apology, and (`compare`) nothing
    forbidden stored and no change on refusal."""
    before = (world.last or await world.snapshots.take()) if compare else {}
    with reported(what), refusals() as refused:
        handle: InteractionHandle = await send()
        await handle.response(timeout=DEADLINE + 2)
        assert handle.latency is not None and handle.latency <= DEADLINE, handle.latency
        await settled()
        shown = await answer_text(handle)
        assert not apology(shown), shown
        if not compare:
            world.last = None
            return handle
        after = world.last = await world.snapshots.take()
        assert not forbidden_text(after), forbidden_text(after)
        if refused:
            user_id = str(world.people[who].user.id)
            after = world.snapshots.without_contact(before, after, user_id)
            changed = {k for k in before if before[k] != after.get(k)}
            assert after == before, ([e.key for e in refused], changed)
    return handle


async def invoke(
    world: World,
    leaf: Leaf,
    who: str,
    options: dict[str, Any],
    *,
    channel: Channel | None = None,
    locale: str = "en-US",
    compare: bool = True,
) -> InteractionHandle:
    """`/leaf options` by `who` (carol with Manage Server), checked."""
    env, member = world.env, world.people[who]
    permissions = MANAGE_GUILD if who == "carol" else None

    async def slash() -> InteractionHandle:
        return await env.server.send_slash(env.c.guild.id, (channel or env.c.general).id,
                                           member.user.id, leaf.path, options, locale=locale,
                                           permissions=permissions)  # fmt: skip

    return await checked(world, who, slash, f"/{leaf.path} {options!r}"[:400], compare=compare)


# No shrinking: the examples share a live bot and its data, so a replay differs anyway, and
# hypothesis must not hold the event loop (and the bot's gateway heartbeat) for minutes.
@settings(max_examples=3, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])  # fmt: skip
@given(data=st.data())
async def test_every_slash_command_answers_hostile_options_in_time(
    world: World, data: st.DataObject
) -> None:
    for leaf in world.leaves:  # every command, with its own hostile options each example
        who = data.draw(st.sampled_from(PEOPLE), label="who")
        channel = data.draw(st.sampled_from([world.env.c.general, world.thread]), label="in")
        tampered = data.draw(st.booleans(), label="ignore declared bounds")
        locale = data.draw(st.sampled_from(["en-US", "de"]), label="locale")
        options = {}
        for spec in leaf.options:
            if (leaf.path, spec["name"]) in ANNOUNCED:  # see ANNOUNCED
                options[spec["name"]] = TAKEN.get(leaf.path, "Q&A")
            elif spec.get("required") or data.draw(st.booleans()):
                options[spec["name"]] = data.draw(option_value(spec, world, tampered),
                                                  label=spec["name"])  # fmt: skip
        # Drawn up front: what the examples draw must not depend on what the bot answered.
        typed = data.draw(st.lists(text_value({}), min_size=6, max_size=6), label="form")
        handle = await invoke(world, leaf, who, options, channel=channel, locale=locale)
        if handle.response_type == 9:  # a form: fill it in with hostile text as well
            await submit_form(world, who, leaf, handle, typed, locale)
        for spec in (o for o in leaf.options if o.get("autocomplete")):
            await suggest(world, who, leaf, spec, data.draw(text_value(spec), label="typing"))


async def suggest(world: World, who: str, leaf: Leaf, spec: dict[str, Any], typed: str) -> None:
    """Autocomplete while typing `typed`: at most 25 choices, within the 3 s."""
    env, name = world.env, spec["name"]
    with reported(f"/{leaf.path} {name}: typing {typed[:200]!r}"):
        handle = await env.server.autocomplete(env.c.guild.id, env.c.general.id,
                                               world.people[who].user.id, leaf.path,
                                               {name: typed}, name)  # fmt: skip
        await handle.response(timeout=DEADLINE + 2)
        assert handle.latency is not None and handle.latency <= DEADLINE, handle.latency
        assert handle.response_type == 8 and len(handle.choices or []) <= 25, handle.callbacks


async def submit_form(world: World, who: str, leaf: Leaf, handle: InteractionHandle,
                      typed: list[str], locale: str) -> None:  # fmt: skip
    values = {}
    inputs = [(i, c) for i, c in handle.modal_fields().items() if c.get("type") == 4]
    for (custom_id, comp), text in zip(inputs, typed, strict=False):
        text = fitting(comp, text)
        values[custom_id] = text if text.strip() or not comp.get("required", True) else "x"

    async def submit() -> InteractionHandle:
        return await world.env.server.submit_modal(handle, values, locale=locale)

    await checked(world, who, submit, f"/{leaf.path} form {values!r}"[:400])


async def test_one_odd_option_in_a_command_that_works(world: World) -> None:
    """Each string option of each command, in turn, odd while the others work (with every
    choice of the options that have choices: 'complete' reads a number, 'add' a title)."""
    for leaf in world.leaves:
        texts = [o for o in leaf.options if int(o["type"]) == STRING and not o.get("choices")]
        chosen = [o for o in leaf.options if o.get("choices")]
        picks = itertools.product(
            *([c["value"] for c in o["choices"]][: 99 if o["name"] in VERBS else 1] for o in chosen)
        )
        texts = [o for o in texts if (leaf.path, o["name"]) not in ANNOUNCED]
        for pick, odd_one, odd in itertools.product(list(picks), texts, ODD):
            options: dict[str, Any] = dict(zip((o["name"] for o in chosen), pick, strict=True))
            for spec in leaf.options:
                if spec is odd_one:
                    options[spec["name"]] = fitting(spec, odd)
                elif spec["name"] == "name" and leaf.path in TAKEN:
                    options["name"] = TAKEN[leaf.path]
                elif int(spec["type"]) == STRING and not spec.get("choices"):
                    options[spec["name"]] = WORKING.get(spec["name"], ["x"])[0]
                elif spec.get("required") and not spec.get("choices"):
                    options[spec["name"]] = working_value(spec, world)
            who = "carol" if leaf.path.split()[0] in MODERATED else "alice"
            await invoke(world, leaf, who, options, channel=world.thread, compare=False)
    assert not forbidden_text(await world.snapshots.take())


async def test_ids_beyond_the_id_columns_are_refused_naming_the_field(world: World) -> None:
    """Discord would not send them (the options declare 1..2147483647); the bot checks anyway."""
    env, carol = world.env, world.people["carol"]
    for path, options in [("mentoring-mod end", {"pair": 2**31}),
                          ("mentoring-mod reassign", {"pair": 2**63, "mentor": world.people["bob"]}),
                          ("office-hours rsvp", {"session": 9007199254740991}),
                          ("office-hours cancel", {"session": 0})]:  # fmt: skip
        handle = await env.slash(carol, path, options, permissions=MANAGE_GUILD)
        text = await env.text_of(handle)
        assert not apology(text), (path, text)
        if path.startswith("mentoring-mod"):
            assert "the pair number must be a whole number from 1 to 2147483647" in text, text
        else:
            assert text.startswith("I don't know office hours"), text
    schemas = {leaf.path: {o["name"]: o for o in leaf.options} for leaf in world.leaves}
    for path, name in [("mentoring-mod end", "pair"), ("mentoring-mod reassign", "pair"),
                       ("office-hours rsvp", "session"), ("office-hours cancel", "session")]:  # fmt: skip
        spec = schemas[path][name]
        assert (spec.get("min_value"), spec.get("max_value")) == (1, 2147483647), (path, spec)
