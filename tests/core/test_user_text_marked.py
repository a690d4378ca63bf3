"""Member-written text arrives marked (between U+E000 and U+E001) wherever core echoes it.

Every feature that puts what a member wrote into a message is driven through the real core
with the fake platform, using text full of Discord markup: a mention, bold, a masked link and
a heading. Each echo must arrive inside the marks (so the renderers keep it inert), the
mentions the bot means to make must stay outside them, and nothing the bot stored may carry
a mark: the database is scanned after every run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import SQLModel

from bot.core.actions import run_action
from bot.core.context import Actor
from bot.core.i18n import USER_CLOSE, USER_OPEN, render_marked, unmark, user
from bot.core.outbox import Letter, enqueue
from bot.core.pairs import space_name as pair_space_name
from bot.core.ports import Message
from bot.core.services import Services
from bot.core.spaces import space_name
from bot.scheduler import Sweeper
from bot.text.commands.requests import render_suggestions
from bot.text.router import Incoming, TextRouter
from cogs.requests import render as discord_suggestions
from storage.models import Feedback
from tests.conftest import make_services
from tests.fakes import FakePlatform

TEXT = "<@999> **x** [a](http://e) # h"
SKILL = "<@999> **x** # h"  # a skill token: lists split at commas and slashes
FRAGMENTS = ("<@999>", "**x**", "[a](http://e)", "# h")
NAMES = {
    "alice": f"Alice {TEXT}",
    "bob": f"Bob {TEXT}",
    "carol": f"Carol {TEXT}",
    "dora": f"Dora {TEXT}",
    "erik": f"Erik {TEXT}",
    "mod": "Mod",
}


def person(user_id: str) -> Actor:
    """A member whose display name is full of markup (their id is plain)."""
    return Actor("fake", "guild-1", user_id, NAMES[user_id])


def bare(text: str) -> str:
    """The text outside the marked spans: what the bot itself wrote."""
    return render_marked(text, lambda span: "")


class Seen:
    """Every text the bot produced in a run: deliveries, replies and space names."""

    def __init__(self, services: Services, platform: FakePlatform) -> None:
        self.services, self.platform = services, platform
        self.replies: list[Message] = []
        self.router = TextRouter(services, is_moderator=self._moderator)

    @staticmethod
    async def _moderator(actor: Actor) -> bool:
        return actor.user_id == "mod"

    async def say(self, who: str, line: str, room: str | None = None) -> str:
        replies = await self.router.handle(Incoming(person(who), line, room))
        self.replies += replies
        return "\n".join(m.text for m in replies)

    async def press(self, who: str, action: str) -> str:
        replies = await run_action(self.services, person(who), action, "en")
        self.replies += replies
        return "\n".join(m.text for m in replies)

    def sent(self, kind: str, target: str) -> list[Message]:
        """Messages delivered to a target as core sent them (marks included)."""
        return [d.message for d in self.platform.deliveries
                if d.kind == kind and d.target == target]  # fmt: skip

    def texts(self) -> list[str]:
        messages = [d.message for d in self.platform.deliveries] + self.replies
        labels = [b.label for m in messages for b in m.buttons]
        return [m.text for m in messages] + labels + list(self.platform.space_names.values())

    async def check(self) -> None:
        """No markup a member wrote is outside the marks, and the database holds no mark."""
        texts = self.texts()
        assert texts
        for text in texts:
            assert not any(f in bare(text) for f in FRAGMENTS), text
        await no_marks_stored(self.services)


async def no_marks_stored(services: Services) -> None:
    """Scan every column of every table: member text is stored as written, never marked."""
    found = 0
    async with services.ctx.db() as s:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await s.execute(select(table))).all():
                for value in row:
                    text = value if isinstance(value, str) else json.dumps(value, default=str,
                                                                            ensure_ascii=False)  # fmt: skip
                    assert USER_OPEN not in text and USER_CLOSE not in text, (table.name, row)
                    found += "<@999>" in text
    assert found  # the member text was stored (so the scan saw it)


def marked(text: str, *spans: str) -> None:
    """Each span is in the text as one marked span."""
    for span in spans:
        assert user(span) in text, (span, text)


def mentions_outside(message: Message, *user_ids: str) -> None:
    """The bot's own mentions stay outside the marks and are listed as meant."""
    for uid in user_ids:
        assert f"<@{uid}>" in bare(message.text), message.text
        assert uid in message.mentions


def services_for(sqlite_engine: Any, clock: Any, platform: FakePlatform, **kw: Any) -> Seen:
    return Seen(make_services(sqlite_engine, clock, platform, **kw), platform)


# ----- requests, the pair, goals, thanks, safety, feedback --------------------------------------
async def test_mentor_request_pair_goals_thanks_and_feedback(sqlite_engine, clock,
                                                            platform: FakePlatform) -> None:  # fmt: skip
    run = services_for(sqlite_engine, clock, platform, program_length=timedelta(days=10))
    svc = run.services
    marked(await run.say("bob", f'!mentor-signup skills="python, {SKILL}"'), f"python, {SKILL}")

    # Suggestions (text and Discord): the mentor's name and the reasons (skills) are marked.
    result = await svc.requests.request_mentor(person("alice"), f"python, {SKILL}", TEXT)
    text_view = render_suggestions("en", result, "!")
    marked(text_view.text, NAMES["bob"])
    assert SKILL.lower() in unmark(text_view.text)
    discord_view = discord_suggestions("en", result)
    marked(discord_view.text, NAMES["bob"])
    marked(discord_view.buttons[0].label, NAMES["bob"])
    run.replies += [text_view, discord_view]

    # The offer DM: the note, the topic and the mentor's own name are marked; the mentee's
    # mention (meant to notify) is not.
    asked = await run.press("alice", f"ask:{result.request_id}:1")
    marked(asked, NAMES["bob"])
    (offer,) = run.sent("dm", "bob")
    marked(offer.text, TEXT, f"python, {SKILL}", NAMES["bob"])
    mentions_outside(offer, "alice")

    # Accepting opens the space named after both (marked); the welcome mentions both.
    (accept,) = [b.action for b in offer.buttons if b.action.startswith("offer:accept")]
    marked(await run.press("bob", accept), NAMES["alice"])
    marked(platform.space_names["space1"], NAMES["alice"], NAMES["bob"])
    assert platform.spaces["space1"][0] == f"Mentoring: {NAMES['alice']} & {NAMES['bob']}"
    mentions_outside(run.sent("space", "space1")[0], "alice", "bob")
    marked(run.sent("dm", "alice")[-1].text, NAMES["bob"])

    # Goals and milestones: titles and the name of who completed them.
    await run.say("alice", f"!goals add {TEXT}", "space1")
    marked(await run.say("bob", "!goals", "space1"), TEXT)
    await run.say("alice", "!goals done 1", "space1")
    marked(run.sent("space", "space1")[-1].text, TEXT, NAMES["alice"])
    marked(await run.say("alice", "!goals done 1", "space1"), TEXT)  # already done
    await run.say("bob", f"!milestone add 1 {TEXT} step", "space1")
    await run.say("bob", "!milestone done 1.1", "space1")
    marked(run.sent("space", "space1")[-1].text, f"{TEXT} step", TEXT, NAMES["bob"])
    marked(await run.say("bob", "!milestone", "space1"), TEXT, f"{TEXT} step")

    # Thanks in the recognition channel: the message is marked, both mentions are not.
    marked(await run.say("alice", f"!thanks bob {TEXT}"), NAMES["bob"])
    (thanks,) = run.sent("channel", "recognition")
    marked(thanks.text, TEXT)
    mentions_outside(thanks, "alice", "bob")

    # Asking the moderators for help: the member's words are marked.
    await run.say("alice", f"!help-mod {TEXT}", "space1")
    alert = run.sent("channel", "moderation")[-1]
    marked(alert.text, TEXT)
    mentions_outside(alert, "alice")

    # The wrap-up greets the mentee by name (queued, rendered at delivery), then feedback.
    clock.advance(timedelta(days=11))
    await svc.pairs.wrap_up_due()
    await svc.postman.drain()
    marked(run.sent("dm", "alice")[-1].text, NAMES["alice"])
    await run.say("alice", f"!feedback 1 5 {TEXT}")
    async with svc.ctx.db() as s:
        (feedback,) = (await s.execute(select(Feedback))).scalars().all()
    assert feedback.comment == TEXT  # stored as written, echoed nowhere outside the marks
    await run.check()


async def test_waitlist_matching_circles_and_moderator_tools(sqlite_engine, clock,
                                                             platform: FakePlatform) -> None:  # fmt: skip
    run = services_for(sqlite_engine, clock, platform, mentor_approval=True)
    created = await run.say("alice", f'!circle create name="{SKILL}" topic="{TEXT}"')
    marked(created, SKILL)
    reply = await run.say("carol", f"!mentor {SKILL} -- {TEXT}")
    marked(reply, SKILL, TEXT)  # the matching circle, with its name and topic
    waiting = run.sent("channel", "moderation")[-1]
    marked(waiting.text, SKILL)  # the topic of the waitlisted request
    mentions_outside(waiting, "carol")
    listing = await run.say("mod", "!mod requests")
    marked(listing, NAMES["carol"], SKILL)
    # A mentor waiting for approval, approved by a moderator and told so by name.
    await run.say("bob", "!mentor-signup skills=python")
    marked(run.sent("channel", "moderation")[-1].text, NAMES["bob"])
    marked(await run.say("mod", "!mod approve bob"), NAMES["bob"])
    marked(run.sent("dm", "bob")[-1].text, NAMES["bob"])  # "Hi <name>, … approved"
    await run.check()


# ----- greeting -----------------------------------------------------------------------------
async def test_greeting_names_newcomers_by_mention_only(services: Services,
                                                       platform: FakePlatform) -> None:  # fmt: skip
    run = Seen(services, platform)
    await services.profiles.member_joined(person("alice"))
    await services.greeting.greet("fake", "guild-1", ["alice"])
    (welcome,) = run.sent("channel", "welcome")
    mentions_outside(welcome, "alice")
    assert NAMES["alice"] not in unmark(welcome.text)
    await run.check()


# ----- groups -------------------------------------------------------------------------------
async def test_circle_and_cohort_names_and_topics(sqlite_engine, clock,
                                                 platform: FakePlatform) -> None:  # fmt: skip
    run = services_for(sqlite_engine, clock, platform, checkin_interval=timedelta(days=7))
    svc = run.services
    # A topic circle: its open space, welcome, announcement, join, list and leave.
    await run.say("alice", f'!circle create name="{TEXT}" topic="{TEXT} topic"')
    marked(platform.space_names["space1"], TEXT)
    marked(run.sent("space", "space1")[0].text, TEXT, f"{TEXT} topic")
    announcement = run.sent("channel", "welcome")[-1]
    marked(announcement.text, TEXT, f"{TEXT} topic")
    mentions_outside(announcement, "alice")
    marked(await run.press("bob", announcement.buttons[0].action), TEXT)
    marked(await run.say("bob", "!circle"), TEXT, f"{TEXT} topic")
    marked(await run.say("bob", "!circle join 1"), TEXT)  # already a member
    marked(await run.say("bob", "!circle leave 1"), TEXT)

    # A cohort: announcement, join, its space and welcome, the queued check-in and closing.
    await svc.profiles.member(person("bob"))
    created = await run.say("mod", f'!cohort create name="{TEXT}" leaders=bob start=1d end=3w')
    marked(created, TEXT)
    cohort = run.sent("channel", "welcome")[-1]
    marked(cohort.text, TEXT)
    mentions_outside(cohort, "bob")
    gid = cohort.buttons[0].action.rsplit(":", 1)[1]
    marked(await run.press("alice", cohort.buttons[0].action), TEXT)
    marked(await run.say("alice", "!cohort"), TEXT)
    clock.advance(timedelta(days=1))
    await Sweeper(svc).sweep()
    (space,) = [ref for ref, name in platform.space_names.items() if name.startswith("Cohort")]
    marked(platform.space_names[space], TEXT)
    welcome = run.sent("space", space)[0]
    marked(welcome.text, TEXT)
    mentions_outside(welcome, "alice", "bob")
    clock.advance(timedelta(days=7))
    await Sweeper(svc).sweep()
    checkin = run.sent("space", space)[-1]
    marked(checkin.text, TEXT)
    mentions_outside(checkin, "bob")
    marked(await run.say("alice", f"!cohort feedback {gid} 4 {TEXT}"), TEXT)  # still running
    clock.advance(timedelta(days=14))
    await Sweeper(svc).sweep()
    marked(run.sent("space", space)[-1].text, TEXT)  # closed: rate it
    await svc.cohorts.feedback(person("alice"), gid, 4, TEXT)
    await run.check()


async def test_office_hours_topic_and_host(sqlite_engine, clock, platform: FakePlatform) -> None:
    clock.set(datetime(2026, 3, 20, 12, tzinfo=UTC))
    run = services_for(sqlite_engine, clock, platform)
    svc = run.services
    await svc.mentors.signup(person("bob"), skills="python")
    scheduled = await run.say(
        "bob", f'!office-hours schedule day=tue time=18:00 tz=Europe/Berlin topic="{TEXT}"'
    )
    marked(scheduled, TEXT)
    announcement = run.sent("channel", "welcome")[-1]
    marked(announcement.text, TEXT)
    mentions_outside(announcement, "bob")
    marked(await run.press("alice", announcement.buttons[0].action), TEXT)  # RSVP
    marked(await run.say("carol", "!office-hours"), TEXT, NAMES["bob"])
    clock.set(datetime(2026, 3, 24, 16, 0, 30, tzinfo=UTC))  # an hour before, queued
    await svc.office_hours.remind_due()
    await svc.postman.drain()
    reminder = run.sent("dm", "alice")[-1]
    marked(reminder.text, TEXT)
    mentions_outside(reminder, "bob")
    marked(run.sent("dm", "bob")[-1].text, TEXT)  # the host's reminder
    marked(await run.say("bob", "!office-hours cancel 1"), TEXT)
    marked(await run.say("alice", "!office-hours rsvp 1"), TEXT)  # cancelled
    await run.check()


# ----- tandem -------------------------------------------------------------------------------
async def test_tandem_offers_seeks_and_names(sqlite_engine, clock, platform: FakePlatform) -> None:
    run = services_for(sqlite_engine, clock, platform)
    waiting = await run.say("dora", f'!tandem offer="{SKILL}" seek=german')
    marked(waiting, SKILL.lower(), "german")
    introduced = await run.say("erik", f'!tandem offer=german seek="{SKILL}"')
    marked(introduced, NAMES["dora"])
    for me, other in (("dora", "erik"), ("erik", "dora")):
        (intro,) = run.sent("dm", me)
        marked(intro.text, SKILL.lower())
        mentions_outside(intro, other)
    marked(await run.say("dora", "!tandem confirm"), NAMES["erik"])
    marked(run.sent("dm", "erik")[-1].text, NAMES["dora"])  # dora would like to start
    marked(await run.say("erik", "!tandem"), SKILL.lower())
    marked(await run.say("erik", "!tandem confirm"), NAMES["dora"])
    marked(platform.space_names["space1"], NAMES["dora"], NAMES["erik"])
    welcome = run.sent("space", "space1")[0]
    marked(welcome.text, NAMES["dora"], NAMES["erik"], SKILL.lower())
    mentions_outside(welcome, "dora", "erik")
    marked(run.sent("dm", "dora")[-1].text, NAMES["erik"])  # erik confirmed too
    await run.check()


# ----- the outbox ---------------------------------------------------------------------------
async def test_queued_member_text_is_stored_plain_and_marked_at_delivery(
    services: Services, platform: FakePlatform
) -> None:
    run = Seen(services, platform)
    await services.profiles.member(person("alice"))
    await services.profiles.member(person("bob"))
    letter = Letter("marked:1", 1, "digest", "channel", "recognition",
                    "thanks.public_with_message", {"message": user(TEXT)},
                    {"sender": "alice", "target": "bob"})  # fmt: skip
    async with services.ctx.db.begin() as tx:
        assert await enqueue(tx, [letter], services.ctx.clock.now()) == 1
    await no_marks_stored(services)  # the queued row holds the text without marks
    assert await services.postman.drain() == 1
    (sent,) = run.sent("channel", "recognition")
    marked(sent.text, TEXT)
    mentions_outside(sent, "alice", "bob")
    await run.check()


def test_space_names_are_cut_to_100_shown_characters_with_the_marks_paired() -> None:
    long = "<@999> " + "x" * 120
    for name in (pair_space_name(long, long), space_name("cohort.space_name", "en", long),
                 space_name("circle.space_name", "de", "short")):  # fmt: skip
        shown = unmark(name)
        assert len(shown) <= 100 and name.count(USER_OPEN) == name.count(USER_CLOSE)
        assert not any(f in bare(name) for f in FRAGMENTS), name
    assert unmark(pair_space_name(long, "bob")) == f"Mentoring: {long}"[:100]
    assert unmark(space_name("circle.space_name", "de", "short")) == "Kreis: short"
