"""What is due in the life of pairs: check-ins, nudges, programme end, badges, digests.

Every sweep decides in the database (conditional UPDATEs), so any number of processes may
run them; what they want to say goes to the outbox with a unique key.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import select, update
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
                    for pair_id, old in due[start : start + 100]:
                        made += await self._checkin(s, int(pair_id), old, now)
                # SQLite's busy handler is not fair: pause so waiting writers get a turn.
                await asyncio.sleep(WRITER_PAUSE)
            if len(due) < batch:
                return made

    async def _checkin(self, s: AsyncSession, pair_id: int, old: datetime, now: datetime) -> int:
        pair = await s.get(Pair, pair_id)
        community = await s.get(Community, pair.community_id) if pair else None
        if pair is None or community is None:
            return 0
        interval = self.ctx.programme_for(community).checkin_interval
        following = (as_utc(old) or now) + interval
        if following <= now:  # far behind (bot was down): no burst of stale check-ins
            following = now + interval
        won = await s.execute(
            update(Pair)
            .where(col(Pair.id) == pair_id, col(Pair.next_checkin_at) == old)
            .values(next_checkin_at=following)
        )
        if getattr(won, "rowcount", 0) != 1:
            return 0  # another process scheduled this one
        last = (
            await s.execute(
                select(CheckIn).where(col(CheckIn.pair_id) == pair_id)
                .order_by(col(CheckIn.seq).desc()).limit(1)
            )
        ).scalar_one_or_none()  # fmt: skip
        seq = (last.seq + 1) if last else 1
        mentee, mentor = await self._members(s, pair)
        letters = []
        if last is not None and last.answer is None:
            pair.unanswered_checkins += 1
            if pair.unanswered_checkins == NUDGE_AFTER:
                letters += [
                    Letter(f"nudge:{pair_id}:{seq}:{who.id}", community.id or 0, "nudge",
                           "member", str(who.id), "checkin.nudge", {"pair": pair_id},
                           {"partner": other.platform_user_id})
                    for who, other in ((mentee, mentor), (mentor, mentee))
                ]  # fmt: skip
        s.add(CheckIn(pair_id=pair_id, seq=seq, due_at=as_utc(old), sent_at=now))
        if pair.space_ref:
            template = "checkin.reflection" if seq % REFLECT_EVERY == 0 else "checkin.prompt"
            buttons = tuple((label, f"checkin:{answer}:{pair_id}", style)
                            for label, answer, style in CHECKIN_BUTTONS)  # fmt: skip
            letters.append(Letter(
                f"checkin:{pair_id}:{seq}", community.id or 0, "checkin", "space",
                pair.space_ref, template, {"seq": seq},
                {"mentee": mentee.platform_user_id, "mentor": mentor.platform_user_id}, buttons,
            ))  # fmt: skip
        await enqueue(s, letters, now)
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
                letters = [
                    Letter(f"graduate:{pair_id}", cid, "graduate", "member", str(mentee.id),
                           "wrapup.graduate", {"pair": pair_id}, {},
                           (("button.become_mentor", f"graduate:{pair_id}", "primary"),)),
                ]  # fmt: skip
                if pair.space_ref:
                    letters.append(Letter(
                        f"wrapup:{pair_id}:{pair.extended}", cid, "wrap_up", "space",
                        pair.space_ref, "wrapup.space", {"pair": pair_id}, names,
                        (("button.give_feedback", f"pair:feedback:{pair_id}", "primary"),
                         ("button.extend", f"pair:extend:{pair_id}", "secondary")),
                    ))  # fmt: skip
                await enqueue(s, letters, now)
                await award_badges(self.ctx, s, mentor.id or 0)
                done += 1
        return done
