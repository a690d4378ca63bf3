"""Consent, export completeness, deletion without leftovers, retention, safety, moderator tools."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from bot.core.i18n import unmark
from bot.core.services import Services
from bot.scheduler import Sweeper
from bot.text.router import Incoming, TextRouter
from storage.repositories.privacy import member_tables
from tests.conftest import actor, make_services

MODS = {("guild-1", "mod")}


def router_for(services: Services) -> TextRouter:
    async def is_mod(who) -> bool:
        return (who.community, who.user_id) in MODS

    return TextRouter(services, is_moderator=is_mod)


async def say(router: TextRouter, who: str, line: str, room: str | None = None,
              community: str = "guild-1") -> str:  # fmt: skip
    replies = await router.handle(Incoming(actor(who, community), line, room))
    return "\n".join(unmark(r.text) for r in replies)


async def busy_life(router: TextRouter, services: Services, clock) -> None:
    """alice is mentored by bob, thanks him, sets goals, answers a check-in, gives feedback."""
    await say(router, "bob", "!mentor-signup skills=python tz=Europe/Berlin")
    await say(router, "alice", '!profile tz=America/New_York goals="ship a PR" bio="hi"')
    await say(router, "alice", "!mentor python -- stuck on packaging")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    await say(router, "alice", "!thanks bob you rock")
    await say(router, "alice", "!goals add Publish alice's package", "space1")
    await router.press(actor("alice"), "pair:ack:1")
    clock.advance(timedelta(days=7))
    await Sweeper(services).sweep()
    await say(router, "alice", "!checkin well", "space1")
    await say(router, "alice", "!help-mod bob is great but I am overwhelmed", "space1")
    await say(router, "alice", "!end", "space1")
    await say(router, "alice", "!feedback 1 5 alice says thanks")


async def test_export_has_every_table_that_references_the_member(services, clock) -> None:
    router = router_for(services)
    await busy_life(router, services, clock)
    (reply,) = await router.handle(Incoming(actor("alice"), "!my-data export"))
    data = json.loads(reply.files[0].data)
    for table, _ in member_tables():
        assert table.name in data, table.name
    assert data["member"]["bio"] == "hi"
    assert data["mentor_requests"][0]["note"] == "stuck on packaging"
    assert data["kudos"][0]["message"] == "you rock"
    assert data["feedback"][0]["comment"] == "alice says thanks"
    assert data["checkins"] and data["pair_goals"] and data["pairs"]


async def test_after_delete_no_table_holds_the_members_id_or_name(services, clock) -> None:
    router = router_for(services)
    await busy_life(router, services, clock)
    assert "Press the button" in await say(router, "alice", "!my-data delete")
    assert "deleted" in await say(router, "alice", "!my-data delete confirm")
    leftovers = []
    async with services.ctx.db() as s:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await s.execute(select(table))).all():
                dump = json.dumps([str(v) for v in row], ensure_ascii=False)
                for needle in ('"alice"', "alice's", "alice says", "stuck on packaging",
                               "ship a PR"):  # fmt: skip
                    if needle in dump:
                        leftovers.append((table.name, needle))
        assert not leftovers
        (status,) = (await s.execute(text("SELECT status FROM pairs"))).one()
        assert status == "ended"
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.active_mentees == 0  # bob keeps his history


async def test_withdrawn_consent_stops_dms_and_checkins(services, clock, platform) -> None:
    router = router_for(services)
    await say(router, "bob", "!mentor-signup skills=python")
    await say(router, "alice", "!mentor python")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    assert "no more private messages" in await say(router, "alice", "!my-data consent off")
    clock.advance(timedelta(days=7))
    await Sweeper(services).sweep()
    assert not [m for m in platform.to("space", "space1") if "Check-in" in m.text]
    await say(router, "alice", "!my-data consent on")
    clock.advance(timedelta(days=7))
    await Sweeper(services).sweep()
    assert [m for m in platform.to("space", "space1") if "Check-in" in m.text]
    await say(router, "bob", "!my-data consent off")
    assert "waitlist" in await say(router, "carol", "!mentor python")  # bob is paused now
    dms_to_bob = len(platform.to("dm", "bob"))
    await services.requests.serve_waitlist(1)
    assert len(platform.to("dm", "bob")) == dms_to_bob


async def test_help_mod_alerts_moderators_with_a_link_and_the_words(services, platform) -> None:
    router = router_for(services)
    await say(router, "bob", "!mentor-signup skills=python")
    await say(router, "alice", "!mentor python")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    welcome = platform.to("space", "space1")[0]
    assert [b.label for b in welcome.buttons] == ["I've read the guidelines", "Contact a moderator"]
    assert "help-mod" in "\n".join(
        m.text for m in await router.press(actor("bob"), "pair:helpmod:1")
    )
    assert "few words" in await say(router, "alice", "!help-mod", "space1")
    assert "told privately" in await say(router, "alice", "!help-mod I feel pressured", "space1")
    (alert,) = platform.to("channel", "moderation")
    assert (
        "<space1>" in alert.text and "I feel pressured" in alert.text and "<@alice>" in alert.text
    )
    assert "no active mentoring pair" in await say(router, "mallory", "!help-mod hi", None)
    first = await router.press(actor("alice"), "pair:ack:1")
    both = await router.press(actor("bob"), "pair:ack:1")
    assert "guidelines acknowledged" in first[0].text and "both acknowledged" in both[0].text


async def test_custom_guidelines_from_setup(services, platform) -> None:
    router = router_for(services)
    assert "Saved" in await say(
        router, "mod", '!mentoring-setup guidelines="Be kind. Meet in public."'
    )
    await say(router, "bob", "!mentor-signup skills=python")
    await say(router, "alice", "!mentor python")
    await say(router, "alice", "!ask 1")
    await say(router, "bob", "!accept")
    assert "Be kind. Meet in public." in platform.to("space", "space1")[0].text


async def test_retention_erases_members_who_left_long_ago(services, clock) -> None:
    await services.profiles.update_profile(actor("gone"), bio="I was here")
    await services.profiles.update_profile(actor("recent"), bio="me too")
    await services.profiles.member_left(actor("gone"))
    clock.advance(timedelta(days=60))
    await services.profiles.member_left(actor("recent"))
    clock.advance(timedelta(days=31))
    assert await services.privacy.forget_departed() == 1
    async with services.ctx.db() as s:
        names = sorted((await s.execute(text("SELECT display_name FROM members"))).scalars())
    assert names == ["deleted member", "recent"]


async def test_moderator_tools_are_checked_and_audited(sqlite_engine, clock, platform) -> None:
    services = make_services(sqlite_engine, clock, platform, mentor_approval=True)
    router = router_for(services)
    await say(router, "bob", "!mentor-signup skills=python")
    assert "approval" in platform.to("channel", "moderation")[-1].text
    assert "waitlist" in await say(router, "alice", "!mentor python")
    for line in (
        "!mod approve bob",
        "!mod requests",
        "!mod export",
        "!mod end 1",
        "!mod remove bob",
    ):
        assert "Only moderators" in await say(router, "alice", line)
    assert "approved" in await say(router, "mod", "!mod approve bob")
    assert "approved your mentor profile" in platform.to("dm", "bob")[-1].text
    listing = await say(router, "mod", "!mod requests")
    assert "Open requests: 1" in listing and "alice — python (waitlisted)" in listing
    await services.requests.serve_waitlist(1)
    await say(router, "bob", "!accept")
    await say(router, "dana", "!mentor-signup skills=python")
    await say(router, "mod", "!mod approve dana")
    assert "new mentor" in await say(router, "mod", "!mod reassign 1 dana")
    assert "Mentoring: alice & dana" in [name for name, _ in platform.spaces.values()]
    (reply,) = await router.handle(Incoming(actor("mod"), "!mod export"))
    rows = list(csv.DictReader(io.StringIO(reply.files[0].data.decode())))
    assert [(r["mentee"], r["mentor"], r["status"]) for r in rows] == [
        ("alice", "bob", "ended"), ("alice", "dana", "active")]  # fmt: skip
    assert "has ended" in await say(router, "mod", "!mod end 2")
    assert "no longer receives" in await say(router, "mod", "!mod remove bob")
    assert "Moderator tools" in await say(router, "mod", "!mod")
    async with services.ctx.db() as s:
        audit = (await s.execute(text("SELECT action, target FROM audit_log ORDER BY id"))).all()
    actions = [a for a, _ in audit]
    assert actions == ["approve_mentor", "list_requests", "approve_mentor", "reassign",
                       "export_programme", "end_pair", "remove_mentor"]  # fmt: skip
    assert all("bob" not in t and "alice" not in t for _, t in audit)


COMMANDS = [
    "!help", "!mentor python", "!mentor-signup skills=go", "!mentor-status available",
    "!profile tz=UTC", "!thanks bob hi", "!my-data export", "!mentoring-report",
    "!mentoring-setup default_capacity 4", "!mod requests", "!mod export",
]  # fmt: skip
MOD_ONLY = {
    "!mentoring-report",
    "!mentoring-setup default_capacity 4",
    "!mod requests",
    "!mod export",
}


@pytest.mark.parametrize("line", COMMANDS)
async def test_permission_matrix(services, line: str) -> None:
    """Every command as newcomer, mentor, moderator and another community's moderator."""
    router = router_for(services)
    MODS.add(("guild-2", "othermod"))
    await say(router, "bob", "!mentor-signup skills=python")
    await say(router, "othermod", "!mentor-signup skills=python", community="guild-2")
    roles = {"newcomer": ("newbie", "guild-1"), "mentor": ("bob", "guild-1"),
             "moderator": ("mod", "guild-1"), "other community's moderator": ("othermod", "guild-2")}  # fmt: skip
    for role, (who, community) in roles.items():
        out = await say(router, who, line, community=community)
        refused = "Only moderators" in out
        if line in MOD_ONLY and role in ("newcomer", "mentor"):
            assert refused, (role, line, out)
        else:
            assert not refused, (role, line, out)
        assert "error id" not in out
    if line in MOD_ONLY:
        # the other community's moderator sees their own community only
        out = await say(router, "othermod", "!mentoring-report", community="guild-2")
        assert "Mentors: 1" in out
