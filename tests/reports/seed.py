"""A community whose report figures are known by construction (see the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import (
    Activity,
    CheckIn,
    Community,
    Feedback,
    Kudos,
    Member,
    MentorProfile,
    MentorRequest,
    Pair,
)  # fmt: skip

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PLATFORM, GUILD = "fake", "guild-1"
H, D = timedelta(hours=1), timedelta(days=1)

# Newcomers (joined in the 30-day window): name -> (age in days, activity offsets in days).
# n1..n4 get pairs (mentored), n5/n6 asked but are not matched, n7..n10 never asked.
NEWCOMERS = {
    "n1": (20, (0, 9)), "n2": (12, (1, 7)), "n3": (10, (3,)), "n4": (8, (8,)),
    "n5": (14, (2,)), "n6": (16, (10,)), "n7": (2, (1,)), "n8": (4, ()), "n9": (6, ()),
    "n10": (18, ()),
}  # fmt: skip
# Older members (joined 40-55 days ago); o2 and o3 were mentored.
OLD = {"o1": (40, (35,)), "o2": (42, (31,)), "o3": (45, (20,)), "o4": (50, (29,)), "o5": (55, ())}
ACCEPT_HOURS = {"n1": 1, "n2": 2, "n3": 4, "n4": 10}  # median 3 h, p90 8.2 h
MESSAGES_PER_DAY = 2

EXPECTED = {
    "newcomers": 10,
    "asked_share": (6, 10),
    "matched_share": (4, 10),
    "requests": 6,
    "matched": 4,
    "accept_median_hours": 3.0,
    "accept_p90_hours": 8.2,
    "waiting": 3,  # n5 offered, n6 and o1 waitlisted
    "waitlisted": 2,
    "pairs_started": 4,
    "active_pairs": 3,  # P1, P2, P6
    "completed_pairs": 2,  # P3, and P7 which ended after its programme
    "ended_pairs": 1,  # P4
    "stale_pairs": 1,  # P1
    "checkin_response_rate": (4, 6),
    "feedback_average": 11 / 3,
    "retention_7d_mentored": (5, 6),  # n1, n2, n4, o2, o3 of n1..n4, o2, o3
    "retention_7d_not_mentored": (3, 6),  # n6, o1, o4 of n5, n6, n10, o1, o4, o5 (n7..n9 new)
    "retention_30d_mentored": (1, 2),  # o2 of o2, o3
    "retention_30d_not_mentored": (1, 3),  # o1 of o1, o4, o5
    "mentors": 4,  # A, B, C and n3 (who became one)
    "available_mentors": 3,  # C is paused
    "mentor_load": (3, 7),  # A holds P1, P2, P6; capacities 2 + 2 + 1 + 2
    "full_mentors": 1,
    "overloaded_mentors": 1,  # A: 3 active, capacity 2
    "idle_mentors": 2,  # B and n3
    "mentees_became_mentors": 1,  # n3
    "top_mentors": 1,  # ceil(10 % of 4)
    "concentration": (3, 6),  # A holds 3 of the 6 pairs running in the window
    "thanks": 3,
}
# Day k after joining: (mentored cohort, active, not-mentored cohort, active). The cohort is
# everyone who joined in the 30-day window or the 30 days before it (n*, o*), counted at day k
# when they have been members for k days.
CURVE = {0: (6, 6, 9, 5), 7: (6, 5, 6, 3), 30: (2, 1, 3, 1)}
WEEKS = [(0, 0), (1, 1), (4, 2), (1, 1), (0, 0)]  # (requests, matches) per 7-day bucket


def expected_active_members() -> int:
    """Members who posted in the window, from the activity offsets above."""
    since = (NOW - 30 * D).date()
    return sum(
        any((NOW - age * D).date() + timedelta(days=o) >= since for o in offsets)
        for age, offsets in [*NEWCOMERS.values(), *OLD.values()]
    )


async def seed(engine: AsyncEngine) -> None:
    """Write the community described above."""
    async with session_factory(engine).begin() as s:
        c = Community(platform=PLATFORM, external_id=GUILD, name="Guild", created_at=NOW - 300 * D)
        other = Community(platform=PLATFORM, external_id="elsewhere", name="x", created_at=NOW)
        s.add_all([c, other])
        await s.flush()
        m: dict[str, Member] = {}
        ages = {name: age for name, (age, _) in {**NEWCOMERS, **OLD}.items()}
        ages |= {"A": 200, "B": 200, "C": 200, "bot": 5}
        for name, age in ages.items():
            m[name] = Member(community_id=c.id, platform_user_id=name, display_name=name,
                             joined_at=NOW - age * D, is_bot=name == "bot")  # fmt: skip
        # Noise in another community: must not count anywhere.
        m["x"] = Member(community_id=other.id, platform_user_id="x", joined_at=NOW - 3 * D)
        s.add_all(m.values())
        await s.flush()

        def joined(name: str) -> datetime:
            return NOW - ages[name] * D

        for name, (_, offsets) in {**NEWCOMERS, **OLD}.items():
            for off in offsets:
                s.add(Activity(member_id=m[name].id, community_id=c.id,
                               day=_day(joined(name)) + timedelta(days=off),
                               messages=MESSAGES_PER_DAY))  # fmt: skip
        s.add(Activity(member_id=m["bot"].id, community_id=c.id, day=_day(NOW), messages=50))
        s.add(Activity(member_id=m["x"].id, community_id=other.id, day=_day(NOW), messages=9))

        prof = {
            "A": MentorProfile(community_id=c.id, member_id=m["A"].id, capacity=2,
                               created_at=NOW - 199 * D),
            "B": MentorProfile(community_id=c.id, member_id=m["B"].id, capacity=2,
                               created_at=NOW - 199 * D),
            "C": MentorProfile(community_id=c.id, member_id=m["C"].id, capacity=1,
                               status="paused", created_at=NOW - 199 * D),
            "n3": MentorProfile(community_id=c.id, member_id=m["n3"].id, capacity=2,
                                created_at=NOW - 2 * D),
        }  # fmt: skip
        s.add_all(prof.values())
        await s.flush()

        req: dict[str, MentorRequest] = {}
        for name in ("n1", "n2", "n3", "n4", "n5", "n6"):
            created = joined(name) + H
            hours = ACCEPT_HOURS.get(name)
            status = "accepted" if hours else ("offered" if name == "n5" else "waitlisted")
            req[name] = MentorRequest(
                community_id=c.id, mentee_id=m[name].id, status=status, created_at=created,
                accepted_at=created + hours * H if hours else None,
            )  # fmt: skip
        req["o1"] = MentorRequest(community_id=c.id, mentee_id=m["o1"].id, status="waitlisted",
                                  created_at=NOW - 40 * D)  # fmt: skip
        req["o2"] = MentorRequest(community_id=c.id, mentee_id=m["o2"].id, status="accepted",
                                  created_at=NOW - 35 * D, accepted_at=NOW - 34 * D)  # fmt: skip
        s.add_all(req.values())
        await s.flush()

        def pair(mentor: str, mentee: str, status: str, started: datetime,
                 ended: datetime | None = None, unanswered: int = 0) -> Pair:  # fmt: skip
            return Pair(community_id=c.id, mentor_id=prof[mentor].id,
                        mentor_member_id=m[mentor].id, mentee_id=m[mentee].id, status=status,
                        started_at=started, ended_at=ended, unanswered_checkins=unanswered)  # fmt: skip

        accepted = {n: r.accepted_at for n, r in req.items() if r.accepted_at}
        pairs = {
            "P1": pair("A", "n1", "active", accepted["n1"], unanswered=2),
            "P2": pair("A", "n2", "active", accepted["n2"]),
            "P3": pair("B", "n3", "completed", accepted["n3"], NOW - 3 * D),
            "P4": pair("C", "n4", "ended", accepted["n4"], NOW - 1 * D),
            "P5": pair("A", "o2", "completed", NOW - 34 * D, NOW - 32 * D),
            "P6": pair("A", "o3", "active", NOW - 44 * D),
            # Ended on request after its programme: completed, not early.
            "P7": pair("B", "C", "ended", NOW - 100 * D, NOW - 5 * D),
        }
        pairs["P7"].ends_at = NOW - 10 * D
        s.add_all(pairs.values())
        await s.flush()

        def checkin(p: str, seq: int, sent: datetime, answered: bool) -> CheckIn:
            return CheckIn(pair_id=pairs[p].id, seq=seq, due_at=sent, sent_at=sent,
                           answer="well" if answered else None,
                           answered_at=sent + H if answered else None)  # fmt: skip

        s.add_all([
            checkin("P1", 1, NOW - 12 * D, True), checkin("P1", 2, NOW - 5 * D, False),
            checkin("P1", 3, NOW - 1 * D, False), checkin("P2", 1, NOW - 4 * D, True),
            checkin("P2", 2, NOW - 2 * D, True), checkin("P3", 1, NOW - 5 * D, True),
            checkin("P6", 1, NOW - 40 * D, False),  # before the window
        ])  # fmt: skip
        s.add_all([
            Feedback(pair_id=pairs["P3"].id, member_id=m["n3"].id, rating=5,
                     created_at=NOW - 3 * D),
            Feedback(pair_id=pairs["P3"].id, member_id=m["B"].id, rating=4,
                     created_at=NOW - 3 * D),
            Feedback(pair_id=pairs["P4"].id, member_id=m["n4"].id, rating=2,
                     created_at=NOW - 1 * D),
            Feedback(pair_id=pairs["P5"].id, member_id=m["o2"].id, rating=1,
                     created_at=NOW - 32 * D),  # before the window
        ])  # fmt: skip
        s.add_all([
            Kudos(community_id=c.id, from_member_id=m["n1"].id, to_member_id=m["A"].id,
                  created_at=NOW - days * D)
            for days in (1, 5, 9, 45)  # the last one is before the window
        ])  # fmt: skip


def _day(moment: datetime) -> date:
    return moment.date()
