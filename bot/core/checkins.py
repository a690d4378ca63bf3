"""Check-ins of a pair: scheduled every interval in the pair space, nudges after silence,
answers; 'Could use help' alerts the moderators (a link, never messages).

The sweep decides in the database (a conditional UPDATE per pair), so any number of
processes may run it; what it wants to say goes to the outbox with a unique key.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.action import Action, Args
from bot.core.clock import as_utc
from bot.core.context import Actor, Context
from bot.core.errors import InvalidInput
from bot.core.i18n import t, user
from bot.core.outbox import Letter, enqueue
from bot.core.ports import Message
from storage.db import Tx
from storage.models import CheckIn, Member, Pair
from storage.repositories import checkins as checkin_repo
from storage.repositories import members as member_repo
from storage.repositories import pairs as pair_repo
from storage.repositories.checkins import Due

if TYPE_CHECKING:
    from bot.core.pairs import PairService
    from bot.core.services import Services

ANSWERS = ("well", "help", "wrap_up")
REFLECT_EVERY = 4
WRITER_PAUSE = 0.05
NUDGE_AFTER = 2
CHUNK = 100
CHECKIN_BUTTONS = (
    ("button.checkin_well", "well", "success"),
    ("button.checkin_help", "help", "danger"),
    ("button.checkin_wrap_up", "wrap_up", "secondary"),
)


class CheckInService:
    """Check-ins of pairs: the sweep that sends them and the partners' answers."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def answer(
        self,
        actor: Actor,
        answer: str,
        *,
        space_ref: str | None = None,
        pair_id: int | None = None,
    ) -> str:
        """Record the answer on the pair's newest check-in (or a new one); returns it."""
        if answer not in ANSWERS:
            raise InvalidInput("checkin.bad_answer", value=user(answer[:20]))
        pair = await self.pairs.pair_for(actor, pair_id, space_ref)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            latest = await checkin_repo.latest_checkin(tx, pair_id=pair.id or 0)
            if latest is None or latest.answer is not None:
                seq = (latest.seq + 1) if latest else 1
                latest = CheckIn(pair_id=pair.id or 0, seq=seq, due_at=now, sent_at=now)
                tx.add(latest)
            latest.answer, latest.answered_by, latest.answered_at = answer, member.id, now
            stored = await pair_repo.get_pair(tx, pair_id=pair.id or 0)
            assert stored is not None
            stored.unanswered_checkins = 0
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
        if answer == "help":
            ref = self.ctx.ref(community)
            platform = self.ctx.platform(ref.platform)
            space = platform.space_link(ref, pair.space_ref) if pair.space_ref else "—"
            text = t(self.ctx.locale_of(None, community), "checkin.help_alert",
                     name=platform.mention(actor.user_id), pair=pair.id, space=space)  # fmt: skip
            await self.ctx.announce(ref, "moderation", text)
        return answer

    async def schedule_checkins(self, batch: int = 500) -> int:
        """Create every check-in that is due and queue it for its pair space."""
        now = self.ctx.clock.now()
        made = 0
        while True:
            async with self.ctx.db() as tx:
                due = await checkin_repo.due_checkins(tx, now=now, limit=batch)
            for start in range(0, len(due), CHUNK):
                async with self.ctx.db.begin() as tx:
                    made += await self._checkins(tx, due[start : start + CHUNK], now)
                # SQLite's busy handler is not fair: pause so waiting writers get a turn.
                await asyncio.sleep(WRITER_PAUSE)
            if len(due) < batch:
                return made

    async def _checkins(self, tx: Tx, chunk: list[Due], now: datetime) -> int:
        """Claim and create the check-ins of up to 100 due pairs in one transaction."""
        pairs = await pair_repo.pairs_by_id(tx, pair_ids=[d.pair_id for d in chunk])
        won: list[tuple[Pair, datetime]] = []
        for due in chunk:
            pair = pairs.get(due.pair_id)
            if pair is None:
                continue
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            if community is None:
                continue
            interval = self.ctx.programme_for(community).checkin_interval
            following = (as_utc(due.due_at) or now) + interval
            if following <= now:  # far behind (bot was down): no burst of stale check-ins
                following = now + interval
            if await checkin_repo.claim_checkin(
                tx, pair_id=due.pair_id, due_at=due.due_at, following=following
            ):  # else another process has it
                won.append((pair, due.due_at))
        if not won:
            return 0
        last = await checkin_repo.latest_checkins(tx, pair_ids=[p.id or 0 for p, _ in won])
        members = await pair_repo.partners_of(tx, pairs=[p for p, _ in won])
        letters: list[Letter] = []
        made = 0
        for pair, old in won:
            made += _checkin(tx, pair, old, last.get(pair.id or 0), members, letters, now)
        await enqueue(tx, letters, now)
        return made


def _checkin(
    tx: Tx,
    pair: Pair,
    old: datetime,
    last: CheckIn | None,
    members: dict[int, Member],
    letters: list[Letter],
    now: datetime,
) -> int:
    """One claimed pair: count silence, nudge after two, add the check-in and its letter."""
    mentee, mentor = members[pair.mentee_id], members[pair.mentor_member_id]
    cid, pair_id = pair.community_id, pair.id or 0
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
    tx.add(CheckIn(pair_id=pair_id, seq=seq, due_at=as_utc(old), sent_at=now))
    if pair.space_ref:
        template = "checkin.reflection" if seq % REFLECT_EVERY == 0 else "checkin.prompt"
        buttons = tuple((label, CHECKIN_ANSWER.id(answer=answer, pair=pair_id), style)
                        for label, answer, style in CHECKIN_BUTTONS)  # fmt: skip
        letters.append(Letter(
            f"checkin:{pair_id}:{seq}", cid, "checkin", "space", pair.space_ref, template,
            {"seq": seq},
            {"mentee": mentee.platform_user_id, "mentor": mentor.platform_user_id}, buttons,
        ))  # fmt: skip
    return 1


async def _on_answer(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    done = await services.checkins.answer(actor, args.word("answer"), pair_id=args.number("pair"))
    return [Message(t(locale, f"checkin.thanks_{done}"))]


CHECKIN_ANSWER = Action("checkin:{answer:well|help|wrap_up}:{pair}", _on_answer)
