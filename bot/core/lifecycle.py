"""What is due in the life of pairs: check-ins, nudges, programme end, badges, digests.

Every sweep decides in the database (conditional UPDATEs), so any number of processes may
run them; what they want to say goes to the outbox with a unique key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.badges import award_badges
from bot.core.clock import as_utc
from bot.core.context import Context
from bot.core.outbox import Letter, enqueue
from storage.models import CheckIn, Community, Member, Pair
from storage.repositories import mentors as mentor_repo

REFLECT_EVERY = 4
WRITER_PAUSE = 0.05
NUDGE_AFTER = 2
CHECKIN_BUTTONS = (
    ("button.checkin_well", "well", "success"),
    ("button.checkin_help", "help", "danger"),
    ("button.checkin_wrap_up", "wrap_up", "secondary"),
)


class Lifecycle:
    """The sweeps; each returns how much it scheduled."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _members(self, s: AsyncSession, pair: Pair) -> tuple[Member, Member]:
        mentee = await s.get(Member, pair.mentee_id)
        mentor = await s.get(Member, pair.mentor_member_id)
        assert mentee is not None and mentor is not None
        return mentee, mentor

    # ----- check-ins ---------------------------------------------------------------------
    async def schedule_checkins(self, batch: int = 500) -> int:
        """Create every check-in that is due and queue it for its pair space."""
        now = self.ctx.clock.now()
        made = 0
        while True:
            async with self.ctx.db() as s:
                due = (
                    await s.execute(
                        select(col(Pair.id), col(Pair.next_checkin_at))
                        .where(col(Pair.status) == "active", col(Pair.next_checkin_at) <= now)
                        .order_by(col(Pair.next_checkin_at))
                        .limit(batch)
                    )
                ).all()
            for start in range(0, len(due), 100):
                async with self.ctx.db.begin() as s:
                    made += await self._checkins(s, due[start : start + 100], now)
                # SQLite's busy handler is not fair: pause so waiting writers get a turn.
                await asyncio.sleep(WRITER_PAUSE)
            if len(due) < batch:
                return made

    async def _checkins(self, s: AsyncSession, chunk: Sequence[Any], now: datetime) -> int:
        """Claim and create the check-ins of up to 100 due pairs in one transaction."""
        pairs = {
            p.id: p
            for p in (await s.execute(
                select(Pair).where(col(Pair.id).in_([int(i) for i, _ in chunk])))).scalars()
        }  # fmt: skip
        won: list[tuple[Pair, datetime]] = []
        for pair_id, old in chunk:
            pair = pairs.get(int(pair_id))
            community = await s.get(Community, pair.community_id) if pair else None
            if pair is None or community is None:
                continue
            interval = self.ctx.programme_for(community).checkin_interval
            following = (as_utc(old) or now) + interval
            if following <= now:  # far behind (bot was down): no burst of stale check-ins
                following = now + interval
            claimed = await s.execute(
                update(Pair)
                .where(col(Pair.id) == pair.id, col(Pair.next_checkin_at) == old)
                .values(next_checkin_at=following)
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0) == 1:  # else another process has it
                won.append((pair, old))
        if not won:
            return 0
        ids = [p.id for p, _ in won]
        newest = (
            select(col(CheckIn.pair_id), func.max(CheckIn.seq).label("seq"))
            .where(col(CheckIn.pair_id).in_(ids)).group_by(col(CheckIn.pair_id)).subquery()
        )  # fmt: skip
        last = {
            c.pair_id: c
            for c in (await s.execute(select(CheckIn).join(newest, and_(
                col(CheckIn.pair_id) == newest.c.pair_id, col(CheckIn.seq) == newest.c.seq
            )))).scalars()
        }  # fmt: skip
        member_ids = {m for p, _ in won for m in (p.mentee_id, p.mentor_member_id)}
        members = {
            m.id: m
            for m in (await s.execute(
                select(Member).where(col(Member.id).in_(member_ids)))).scalars()
        }  # fmt: skip
        letters: list[Letter] = []
        made = 0
        for pair, old in won:
            made += self._checkin(s, pair, old, last.get(pair.id or 0), members, letters, now)
        await enqueue(s, letters, now)
        return made

    def _checkin(
        self,
        s: AsyncSession,
        pair: Pair,
        old: datetime,
        last: CheckIn | None,
        members: dict[int | None, Member],
        letters: list[Letter],
        now: datetime,
    ) -> int:
        """One claimed pair: count silence, nudge after two, add the check-in and its letter."""
        mentee, mentor = members[pair.mentee_id], members[pair.mentor_member_id]
        cid, pair_id = pair.community_id, pair.id
        seq = (last.seq + 1) if last else 1
        silent = mentee.consent_withdrawn_at or mentor.consent_withdrawn_at
        if silent:
            return 0  # a partner withdrew consent: no check-ins for this pair
        if last is not None and last.answer is None:
            pair.unanswered_checkins += 1
            if pair.unanswered_checkins == NUDGE_AFTER:
                letters += [
                    Letter(f"nudge:{pair_id}:{seq}:{who.id}", cid, "nudge", "member",
                           str(who.id), "checkin.nudge", {"pair": pair_id},
                           {"partner": other.platform_user_id})
                    for who, other in ((mentee, mentor), (mentor, mentee))
                ]  # fmt: skip
        s.add(CheckIn(pair_id=pair_id or 0, seq=seq, due_at=as_utc(old), sent_at=now))
        if pair.space_ref:
            template = "checkin.reflection" if seq % REFLECT_EVERY == 0 else "checkin.prompt"
            buttons = tuple((label, f"checkin:{answer}:{pair_id}", style)
                            for label, answer, style in CHECKIN_BUTTONS)  # fmt: skip
            letters.append(Letter(
                f"checkin:{pair_id}:{seq}", cid, "checkin", "space", pair.space_ref, template,
                {"seq": seq},
                {"mentee": mentee.platform_user_id, "mentor": mentor.platform_user_id}, buttons,
            ))  # fmt: skip
        return 1

    # ----- programme end -----------------------------------------------------------------
    async def wrap_up_due(self, limit: int = 200) -> int:
        """Complete pairs at the end of their programme: wrap-up, graduation invite, badges."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as s:
            due = list(
                (
                    await s.execute(
                        select(col(Pair.id))
                        .where(col(Pair.status) == "active", col(Pair.ends_at) <= now)
                        .limit(limit)
                    )
                ).scalars()
            )
        done = 0
        for pair_id in due:
            async with self.ctx.db.begin() as s:
                won = await s.execute(
                    update(Pair)
                    .where(col(Pair.id) == pair_id, col(Pair.status) == "active")
                    .values(status="completed", ended_at=now, wrapped_up_at=now)
                )
                if getattr(won, "rowcount", 0) != 1:
                    continue
                pair = await s.get(Pair, pair_id)
                assert pair is not None
                if pair.mentor_id is not None:
                    await mentor_repo.release_capacity(s, pair.mentor_id)
                mentee, mentor = await self._members(s, pair)
                cid = pair.community_id
                names = {"mentee": mentee.platform_user_id, "mentor": mentor.platform_user_id}
                mentoring = pair.kind != "tandem"  # tandem partners are peers: no graduation
                letters = [
                    Letter(f"graduate:{pair_id}", cid, "graduate", "member", str(mentee.id),
                           "wrapup.graduate", {"pair": pair_id}, {},
                           (("button.become_mentor", f"graduate:{pair_id}", "primary"),)),
                ] if mentoring else []  # fmt: skip
                if pair.space_ref:
                    letters.append(Letter(
                        f"wrapup:{pair_id}:{pair.extended}", cid, "wrap_up", "space",
                        pair.space_ref, "wrapup.space", {"pair": pair_id}, names,
                        (("button.give_feedback", f"pair:feedback:{pair_id}", "primary"),
                         ("button.extend", f"pair:extend:{pair_id}", "secondary")),
                    ))  # fmt: skip
                await enqueue(s, letters, now)
                if mentoring:
                    await award_badges(self.ctx, s, mentor.id or 0)
                done += 1
        return done
