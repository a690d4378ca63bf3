"""`/my-data delete` is exact: everything the member wrote in the community where they asked is
erased or anonymised, nothing of anyone else and nothing in another community changes, and the
scheduled messages for them go while everyone else's stay — on SQLite and PostgreSQL.

Two communities with five members each, every member with every kind of row; the same
platform user ids in both (one person, two servers). Every column of every table is
snapshotted before and after Alice deletes her data in the first community."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.core.actions import run_action
from bot.core.context import Actor
from bot.core.outbox import Letter, enqueue
from bot.core.ports import CommunityRef, Message, Sent
from bot.core.services import Services
from tests.fakes import FakePlatform

NAMES = ("alice", "bob", "carol", "dave", "erin")
Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@dataclass
class Recorder(FakePlatform):
    """The fake platform, also noting which community each message went to."""

    sent: list[tuple[str, Message]] = field(default_factory=list)

    async def send_to_member(self, community: CommunityRef, user_id: str, message: Message, *,
                             key: str | None = None) -> Sent:  # fmt: skip
        self.sent.append((community.external_id, message))
        return await super().send_to_member(community, user_id, message, key=key)

    async def send_to_channel(self, community: CommunityRef, channel: str, message: Message, *,
                              key: str | None = None) -> Sent:  # fmt: skip
        self.sent.append((community.external_id, message))
        return await super().send_to_channel(community, channel, message, key=key)

    async def post_in_space(self, community: CommunityRef, space_ref: str, message: Message, *,
                            key: str | None = None) -> Sent:  # fmt: skip
        self.sent.append((community.external_id, message))
        return await super().post_in_space(community, space_ref, message, key=key)


@pytest.fixture
def platform() -> Recorder:
    return Recorder()


def who(name: str, n: int, locale: str | None = None) -> Actor:
    """`name` in community `guild-<n>`: the same user id in every community."""
    return Actor("fake", f"guild-{n}", f"u-{name}", f"{name.title()} {tok(name, n)}", locale)


def tok(name: str, n: int) -> str:
    """A string only `name` writes in community `n` (so a search finds exactly their text)."""
    return f"zq{name}{n}"


async def seed(services: Services, n: int) -> dict[str, int]:
    """Every kind of row for every member of community `n`; returns ids the test needs."""
    a, b, c, d, e = (who(x, n) for x in NAMES)
    t = {x: tok(x, n) for x in NAMES}
    for name in NAMES:
        await services.profiles.update_profile(
            who(name, n), timezone="Europe/Berlin", interests=f"python, {t[name]}i",
            goals=f"{t[name]} goals", bio=f"{t[name]} bio",
        )  # fmt: skip
    await services.mentors.signup(b, skills=f"python, {t['bob']}s")
    await services.mentors.signup(a, skills=f"rust, {t['alice']}s")
    await services.mentors.signup(e, skills=f"golang, {t['erin']}s")
    # Pairs: Alice is mentored by Bob, mentors Carol (ended, with feedback); Dave has Erin.
    ids: dict[str, int] = {}
    for mentee, mentor, topic, key in ((a, b, "python", "p1"), (c, a, "rust", "p2"),
                                       (d, e, "golang", "p3")):  # fmt: skip
        await services.requests.request_mentor(mentee, topic, f"{tok(mentee.user_id[2:], n)} note")
        await services.requests.ask(mentee, None)
        ids[key] = await services.requests.accept(mentor)
    spaces = {k: (await services.pairs.view(ids[k])).space_ref for k in ("p1", "p2", "p3")}
    await services.goals.add(a, f"{t['alice']} goal", space_ref=spaces["p1"])
    await services.goals.add(b, f"{t['bob']} goal", space_ref=spaces["p1"])
    await services.goals.add_milestone(a, 2, f"{t['alice']} step", space_ref=spaces["p1"])
    await services.goals.add_milestone(b, 1, f"{t['bob']} step", space_ref=spaces["p1"])
    await services.goals.complete_milestone(a, "1.1", space_ref=spaces["p1"])  # badges queued
    await services.goals.add(d, f"{t['dave']} goal", space_ref=spaces["p3"])
    await services.pairs.end(a, ids["p2"])
    await services.pairs.feedback(a, ids["p2"], 5, f"{t['alice']} feedback")
    await services.pairs.feedback(c, ids["p2"], 4, f"{t['carol']} feedback")
    for giver, taker in ((a, b), (b, a), (c, a), (d, e)):
        await services.recognition.thank(giver, taker.user_id, f"{tok(giver.user_id[2:], n)} thx")
    await services.tandem.register(a, f"german, {t['alice']}o", f"spanish, {t['alice']}w")
    await services.tandem.register(d, "spanish", "german")  # introduced to Alice
    await services.tandem.register(e, f"french, {t['erin']}o", "italian")
    # Groups: circles and cohorts by Alice and by others, each joined across.
    mine = await services.circles.create(a, f"{t['alice']} circle", f"{t['alice']} topic")
    theirs = await services.circles.create(b, f"{t['bob']} circle", f"{t['bob']} topic")
    for member, circle in ((b, mine), (c, mine), (a, theirs)):
        await services.circles.join(member, circle.group.id)
    ours = await services.cohorts.create(a, f"{t['alice']} cohort", end="3w", moderator=True)
    dave_s = await services.cohorts.create(d, f"{t['dave']} cohort", end="3w", moderator=True)
    for member, cohort in ((b, ours), (c, ours), (a, dave_s), (e, dave_s)):
        await services.cohorts.join(member, cohort.id)
    ids.update(alice_circle=mine.group.id, alice_cohort=ours.id)
    return ids


async def later(services: Services, clock, n_ids: dict[int, dict[str, int]]) -> None:
    """A week on: check-ins, cohort check-ins, office hours and reminders are queued (not sent)."""
    await services.cohorts.start_due()
    clock.advance(timedelta(days=7, minutes=1))
    await services.checkins.schedule_checkins()
    await services.cohorts.checkins_due()
    for n, ids in n_ids.items():
        a, b, c, d = (who(x, n) for x in NAMES[:4])
        await services.checkins.answer(a, "well", pair_id=ids["p1"])
        hers = await services.office_hours.schedule(
            a, weekday="tue", at="10:00", timezone="UTC", topic=f"{tok('alice', n)} office hours"
        )
        his = await services.office_hours.schedule(
            b, weekday="tue", at="10:00", timezone="UTC", topic=f"{tok('bob', n)} office hours"
        )
        for member, session in ((b, hers), (c, hers), (a, his), (d, his)):
            await services.office_hours.rsvp(member, session.id)
        n_ids[n]["alice_oh"] = hers.id
    clock.set(datetime(2026, 1, 13, 9, 30, tzinfo=UTC))
    assert await services.office_hours.remind_due() == 12  # 2 sessions x (2 RSVPs + host) x 2


async def snapshot(services: Services) -> Snapshot:
    """Every row of every table, by primary key."""
    out: Snapshot = {}
    async with services.ctx.db() as s:
        for table in SQLModel.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns]
            rows = (await s.execute(select(table))).mappings().all()
            out[table.name] = {tuple(r[k] for k in keys): dict(r) for r in rows}
    return out


def dump(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def holding(snap: Snapshot, needle: str) -> set[str]:
    """Tables with a column that contains `needle` (case-insensitive)."""
    return {name for name, rows in snap.items()
            for row in rows.values() if needle in dump(row).lower()}  # fmt: skip


def alices(name: str, row: dict[str, Any], me: int, profile: int, requests: set[int]) -> bool:
    """Whether a row is Alice's own (in her community): the only rows deletion may change."""
    owner_columns = {
        "members": ("id",), "mentor_profiles": ("member_id",), "mentor_requests": ("mentee_id",),
        "pairs": ("mentee_id", "mentor_member_id"), "feedback": ("member_id",),
        "kudos": ("from_member_id",), "goals": ("created_by",), "groups": ("owner_id",),
        "group_members": ("member_id",), "rsvps": ("member_id",),
        "tandem_profiles": ("member_id",), "tandem_intros": ("first_id", "second_id"),
        "outbox": ("recipient_member_id",),
    }  # fmt: skip
    if name == "request_offers":
        return row["request_id"] in requests or row["mentor_id"] == profile
    return any(row[c] == me for c in owner_columns.get(name, ()))


async def test_delete_erases_alices_words_here_and_touches_nothing_else(
    services_on_each_db: Services, clock, platform: Recorder
) -> None:
    services = services_on_each_db
    ids = {n: await seed(services, n) for n in (1, 2)}
    await later(services, clock, ids)
    before = await snapshot(services)
    members = {(r["community_id"], r["platform_user_id"]): r["id"]
               for r in before["members"].values()}  # fmt: skip
    communities = {r["external_id"]: r["id"] for r in before["communities"].values()}
    me = members[(communities["guild-1"], "u-alice")]
    bob = members[(communities["guild-1"], "u-bob")]
    async with services.ctx.db.begin() as s:  # a nudge to Bob naming Alice, and one to Alice
        await enqueue(s, [
            Letter("nudge:test:bob", communities["guild-1"], "nudge", "member", str(bob),
                   "checkin.nudge", {"pair": ids[1]["p1"]}, {"partner": "u-alice"}),
            Letter("nudge:test:alice", communities["guild-1"], "nudge", "member", str(me),
                   "checkin.nudge", {"pair": ids[1]["p1"]}, {"partner": "u-bob"}),
        ], clock.now() - timedelta(minutes=1))  # fmt: skip
    before = await snapshot(services)
    (profile,) = [k[0] for k, r in before["mentor_profiles"].items() if r["member_id"] == me]
    requests = {k[0] for k, r in before["mentor_requests"].items() if r["mentee_id"] == me}

    # Alice's words are everywhere before: profile, mentor profile, request, goals,
    # feedback, thanks, tandem offers, groups she created.
    assert {"members", "mentor_profiles", "mentor_requests", "goals", "feedback", "kudos",
            "tandem_profiles", "groups"} <= holding(before, tok("alice", 1))  # fmt: skip
    pending = [r for r in before["outbox"].values() if r["sent_at"] is None]
    assert len([r for r in pending if r["recipient_member_id"] == me]) == 4
    others_pending = [r for r in pending if r["recipient_member_id"] != me]
    alice_groups = {ids[1]["alice_circle"], ids[1]["alice_cohort"], ids[1]["alice_oh"]}
    assert [r for r in others_pending if r["group_id"] in alice_groups]  # her session's RSVPs
    assert [r for r in others_pending if "u-alice" in dump(r["mentions"])]  # Bob's nudge
    assert not [r for r in before["outbox"].values() if tok("alice", 1) in dump(r).lower()]

    (reply,) = await run_action(services, who("alice", 1), "privacy:delete:confirm", "en")
    assert reply.text.splitlines() == [
        "Your data has been deleted in this community only; anything in other communities is "
        "untouched. Removed or anonymised:",
        "• profile and display name: 1",
        "• mentor profile (skills, languages, time zone): 1",
        "• mentoring requests (topics and notes): 1",
        "• mentoring pairs ended: 1",
        "• goals and milestones you wrote: 2",
        "• feedback comments: 1",
        "• thank-you messages you wrote: 1",
        "• tandem profile (offers and seeks): 1",
        "• office-hours RSVPs: 1",
        "• group memberships: 4",
        "• names and topics of groups you created (the groups stay for the others): 3",
        "• messages scheduled for you: 4",
    ]
    after = await snapshot(services)

    # Nothing anywhere still holds what she wrote in this community …
    assert holding(after, tok("alice", 1)) == set()
    # … while what she wrote in the other community is all still there.
    assert holding(after, tok("alice", 2)) == holding(before, tok("alice", 2))
    # Every row that is not hers is byte-identical. The exceptions are counters of places she
    # took: each group she was in frees one, and so does the mentor of the pair that ended.
    counted = {k[0] for k, r in before["group_members"].items()
               if r["member_id"] == me}  # fmt: skip
    freed = {("groups", (gid,), "member_count") for gid in counted}
    freed |= {("mentor_profiles", (p["mentor_id"],), "active_mentees")
              for p in before["pairs"].values()
              if p["mentee_id"] == me and p["status"] == "active"}  # fmt: skip
    changed = []
    for name, rows in before.items():
        for key, row in rows.items():
            new = after[name].get(key)
            if alices(name, row, me, profile, requests) or dump(row) == dump(new or {}):
                continue
            counter = next((c for t, k, c in freed if (t, k) == (name, key)), None)
            if counter and new is not None:
                assert new[counter] == row[counter] - 1, row
                assert dump({**new, counter: 0}) == dump({**row, counter: 0})
                continue
            changed.append((name, key))
    assert changed == []
    assert (
        sum(len(rows) for rows in after.values())
        == sum(len(rows) for rows in before.values()) - len(counted) - 1 - 4
    )  # her memberships, her RSVP and her scheduled messages are gone
    # Her scheduled messages are gone; everyone else's pending messages are all there.
    left = [r for r in after["outbox"].values() if r["sent_at"] is None]
    assert [dump(r) for r in left] == [dump(r) for r in others_pending]
    # Groups she created stay for the others, anonymised; her office hours have no host.
    for gid in alice_groups:
        group = after["groups"][(gid,)]
        assert (group["name"], group["topic"], group["owner_id"]) == ("—", "—", None)
    assert after["groups"][(ids[1]["alice_oh"],)]["status"] == "cancelled"

    # Delivering what is queued never shows her words nor pings her in this community.
    platform.sent.clear()
    assert await services.postman.drain() == len(others_pending)
    here = [m for community, m in platform.sent if community == "guild-1"]
    assert here and all(tok("alice", 1) not in m.text for m in here)
    assert all("u-alice" not in m.mentions and "<@u-alice>" not in m.text for m in here)
    nudge = [m for m in here if "a former member" in m.text]
    assert nudge, [m.text for m in here]
    assert [m for c, m in platform.sent if c == "guild-2" and "u-alice" in m.mentions]


async def test_the_confirmation_is_localized(services, platform) -> None:
    alice = who("alice", 1, "de")
    await services.profiles.update_profile(alice, bio="zqalice1 bio", locale="de")
    await services.profiles.update_profile(who("bob", 1), bio="zqbob1 bio")
    await services.recognition.thank(alice, "u-bob", "zqalice1 danke")
    (reply,) = await run_action(services, alice, "privacy:delete:confirm", "de")
    assert reply.text.splitlines() == [
        "Deine Daten wurden gelöscht – nur in dieser Community; was in anderen Communities "
        "liegt, bleibt unberührt. Entfernt oder anonymisiert:",
        "• Profil und Anzeigename: 1",
        "• von dir geschriebene Dankesnachrichten: 1",
    ]
