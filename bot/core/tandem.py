"""Tandem (mutual mentoring): complementary offers and seeks, a non-binding introduction that
both must confirm, then a pair of kind 'tandem' with a private space and shared goals."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.context import Actor, Context
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.groups import SPACE_NAME_LIMIT, link_of, post
from bot.core.i18n import t
from bot.core.ports import Button, Message
from bot.core.vocab import normalize_skills
from storage.models import Community, Member, Pair, TandemIntro, TandemProfile

log = logging.getLogger(__name__)

POOL_LIMIT = 500


class _Taken(Exception):
    """Someone else introduced this partner meanwhile."""


@dataclass(frozen=True)
class TandemResult:
    """What registering (or asking for the status) found."""

    status: str  # introduced | waiting | pending | paired | none
    offers: list[str] = field(default_factory=list)
    seeks: list[str] = field(default_factory=list)
    partner: str = ""
    intro_id: int = 0


@dataclass(frozen=True)
class Answer:
    """The outcome of confirming or declining an introduction."""

    outcome: str  # waiting | started | declined
    partner: str
    pair_id: int | None = None
    space_link: str = ""


def exchange(a: TandemProfile, b: TandemProfile) -> tuple[list[str], list[str]]:
    """(what a gives b, what b gives a); a tandem needs both non-empty."""
    return [x for x in a.offers if x in b.seeks], [x for x in b.offers if x in a.seeks]


class TandemService:
    """Register, match, introduce, confirm or decline, and expire introductions."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ----- registering -----------------------------------------------------------------------
    async def register(self, actor: Actor, offers: str, seeks: str) -> TandemResult:
        """Store what the member offers and seeks, and introduce a complementary partner."""
        gives, wants = normalize_skills(offers), normalize_skills(seeks)
        if not gives or not wants:
            raise InvalidInput("tandem.usage")
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            member.consent_at = member.consent_at or now
            if await self._active_pair(s, member.id or 0):
                raise Conflict("tandem.already_paired")
            profile = await self._profile(s, member.id or 0)
            if profile is None:
                profile = TandemProfile(community_id=community.id or 0, member_id=member.id or 0)
                s.add(profile)
            elif profile.status == "introduced":
                raise Conflict("tandem.intro_pending")
            profile.offers, profile.seeks = gives[:20], wants[:20]
            profile.status, profile.updated_at = "seeking", now
            await s.flush()
            found = await self._match(s, profile)
        if found is None:
            return TandemResult("waiting", gives, wants)
        intro, partner = found
        await self._introduce(intro.id or 0)
        return TandemResult("introduced", gives, wants, partner.display_name, intro.id or 0)

    async def status(self, actor: Actor) -> TandemResult:
        """The member's tandem profile and where it stands."""
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            profile = await self._profile(s, member.id or 0)
            if profile is None:
                return TandemResult("none")
            state = {"introduced": "pending", "paired": "paired"}.get(profile.status, "waiting")
            return TandemResult(state, list(profile.offers), list(profile.seeks))

    async def _profile(self, s: AsyncSession, member_id: int) -> TandemProfile | None:
        stmt = select(TandemProfile).where(col(TandemProfile.member_id) == member_id)
        return (await s.execute(stmt)).scalar_one_or_none()

    async def _active_pair(self, s: AsyncSession, member_id: int) -> Pair | None:
        stmt = select(Pair).where(
            col(Pair.kind) == "tandem", col(Pair.status) == "active",
            or_(col(Pair.mentee_id) == member_id, col(Pair.mentor_member_id) == member_id),
        ).limit(1)  # fmt: skip
        return (await s.execute(stmt)).scalar_one_or_none()

    async def _match(self, s: AsyncSession, me: TandemProfile
                     ) -> tuple[TandemIntro, Member] | None:  # fmt: skip
        """The best complementary partner who is free, never introduced to `me` before."""
        rows = (await s.execute(
            select(TandemProfile, Member)
            .join(Member, col(Member.id) == col(TandemProfile.member_id))
            .where(col(TandemProfile.community_id) == me.community_id,
                   col(TandemProfile.status) == "seeking",
                   col(TandemProfile.member_id) != me.member_id,
                   col(Member.left_at).is_(None), col(Member.consent_withdrawn_at).is_(None),
                   ~col(Member.platform_user_id).startswith("deleted:"))
            .order_by(col(TandemProfile.updated_at), col(TandemProfile.id)).limit(POOL_LIMIT)
        )).all()  # fmt: skip
        met = {
            a if b == me.member_id else b
            for a, b in (await s.execute(
                select(col(TandemIntro.first_id), col(TandemIntro.second_id)).where(or_(
                    col(TandemIntro.first_id) == me.member_id,
                    col(TandemIntro.second_id) == me.member_id)))).all()
        }  # fmt: skip
        ranked = []
        for order, (other, person) in enumerate(rows):
            mine, theirs = exchange(me, other)
            if mine and theirs and other.member_id not in met:
                ranked.append((-(len(mine) + len(theirs)), order, other, person))
        now = self.ctx.clock.now()
        community = await s.get(Community, me.community_id)
        assert community is not None
        timeout = self.ctx.programme_for(community).request_timeout
        for *_, other, person in sorted(ranked, key=lambda r: r[:2]):
            try:
                async with s.begin_nested():
                    won = await s.execute(
                        update(TandemProfile)
                        .where(
                            col(TandemProfile.member_id).in_([me.member_id, other.member_id]),
                            col(TandemProfile.status) == "seeking",
                        )
                        .values(status="introduced")
                    )
                    if getattr(won, "rowcount", 0) != 2:
                        raise _Taken
            except _Taken:
                continue
            intro = TandemIntro(community_id=me.community_id, first_id=me.member_id,
                                second_id=other.member_id, created_at=now,
                                expires_at=now + timeout)  # fmt: skip
            s.add(intro)
            await s.flush()
            return intro, person
        return None

    async def _rematch(self, member_ids: list[int]) -> None:
        """After a decline or a time-out both may be matched again (with someone else)."""
        for member_id in member_ids:
            async with self.ctx.db.begin() as s:
                profile = await self._profile(s, member_id)
                free = profile is not None and profile.status == "seeking"
                found = await self._match(s, profile) if profile and free else None
            if found is not None:
                await self._introduce(found[0].id or 0)

    async def _introduce(self, intro_id: int) -> None:
        """Both get a private introduction with Confirm and Decline."""
        async with self.ctx.db() as s:
            intro = await s.get(TandemIntro, intro_id)
            assert intro is not None
            community = await s.get(Community, intro.community_id)
            a, b = await s.get(Member, intro.first_id), await s.get(Member, intro.second_id)
            pa, pb = await self._profile(s, intro.first_id), await self._profile(s, intro.second_id)
            assert community and a and b and pa and pb
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        timeout = self.ctx.programme_for(community).request_timeout
        hours = max(1, round(timeout.total_seconds() / 3600))
        for me, other, mine, theirs in ((a, b, pa, pb), (b, a, pb, pa)):
            locale = self.ctx.locale_of(me, community)
            gives, gets = exchange(mine, theirs)
            text = t(locale, "tandem.intro", partner=platform.mention(other.platform_user_id),
                     gives=", ".join(gives), gets=", ".join(gets), hours=hours)  # fmt: skip
            buttons = (
                Button(t(locale, "button.tandem_confirm"), f"tandem:{intro_id}:confirm", "success"),
                Button(t(locale, "button.tandem_decline"), f"tandem:{intro_id}:decline", "danger"),
            )
            try:
                await platform.send_to_member(
                    ref, me.platform_user_id, Message(text, buttons, (other.platform_user_id,)),
                    key=f"tandem:intro:{intro_id}:{me.id}")  # fmt: skip
            except Exception:
                log.exception("could not introduce member %s (intro %s)", me.id, intro_id)

    # ----- answering -------------------------------------------------------------------------
    async def _intro_for(self, s: AsyncSession, member: Member, intro_id: int | None
                         ) -> TandemIntro:  # fmt: skip
        if intro_id is not None:
            intro = await s.get(TandemIntro, intro_id)
            if intro is None:
                raise NotFound("tandem.unknown")
        else:
            intro = (await s.execute(
                select(TandemIntro).where(
                    col(TandemIntro.status) == "proposed",
                    or_(col(TandemIntro.first_id) == member.id,
                        col(TandemIntro.second_id) == member.id))
                .order_by(col(TandemIntro.id).desc()).limit(1)
            )).scalar_one_or_none()  # fmt: skip
            if intro is None:
                raise NotFound("tandem.none_pending")
        if member.id not in (intro.first_id, intro.second_id):
            raise NotAllowed("tandem.not_yours")
        if intro.status != "proposed":
            raise Conflict(f"tandem.already_{intro.status}")
        return intro

    async def confirm(self, actor: Actor, intro_id: int | None = None) -> Answer:
        """Confirm an introduction; when both have, the tandem begins."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            intro = await self._intro_for(s, member, intro_id)
            first = member.id == intro.first_id
            column = "first_confirmed_at" if first else "second_confirmed_at"
            # Row-locking UPDATEs: of two simultaneous confirmations the later sees the earlier.
            await s.execute(update(TandemIntro).where(
                col(TandemIntro.id) == intro.id, col(TandemIntro.status) == "proposed"
            ).values({column: now}))  # fmt: skip
            won = await s.execute(update(TandemIntro).where(
                col(TandemIntro.id) == intro.id, col(TandemIntro.status) == "proposed",
                col(TandemIntro.first_confirmed_at).is_not(None),
                col(TandemIntro.second_confirmed_at).is_not(None),
            ).values(status="started", answered_at=now))  # fmt: skip
            other = await s.get(Member, intro.second_id if first else intro.first_id)
            assert other is not None
            community = await s.get(Community, intro.community_id)
            assert community is not None
            pair = None
            if getattr(won, "rowcount", 0) == 1:
                pair = await self._start(s, community, intro)
        ref = self.ctx.ref(community)
        if pair is None:
            await self.ctx.tell(ref, other, "tandem.partner_confirmed", partner=member.display_name)
            return Answer("waiting", other.display_name)
        space = await self._open_space(pair.id or 0)
        link = link_of(self.ctx, ref, space)
        await self.ctx.tell(ref, other, "tandem.started_dm", partner=member.display_name,
                            space=link)  # fmt: skip
        return Answer("started", other.display_name, pair.id, link)

    async def _start(self, s: AsyncSession, community: Community, intro: TandemIntro) -> Pair:
        now = self.ctx.clock.now()
        programme = self.ctx.programme_for(community)
        pair = Pair(community_id=intro.community_id, kind="tandem", mentor_id=None,
                    mentor_member_id=intro.second_id, mentee_id=intro.first_id, started_at=now,
                    ends_at=now + programme.program_length,
                    next_checkin_at=now + programme.checkin_interval)  # fmt: skip
        s.add(pair)
        await s.flush()
        await s.execute(update(TandemIntro).where(col(TandemIntro.id) == intro.id)
                        .values(pair_id=pair.id))  # fmt: skip
        await s.execute(update(TandemProfile).where(
            col(TandemProfile.member_id).in_([intro.first_id, intro.second_id])
        ).values(status="paired"))  # fmt: skip
        return pair

    async def decline(self, actor: Actor, intro_id: int | None = None) -> Answer:
        """Decline an introduction: nothing starts, and both may be matched again."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            intro = await self._intro_for(s, member, intro_id)
            if not await self._close(s, intro, "declined", now):
                raise Conflict("tandem.already_answered")
            partner = intro.second_id if member.id == intro.first_id else intro.first_id
            other = await s.get(Member, partner)
            assert other is not None
            community = await s.get(Community, intro.community_id)
            assert community is not None
        await self.ctx.tell(self.ctx.ref(community), other, "tandem.declined_dm")
        await self._rematch([other.id or 0, member.id or 0])
        return Answer("declined", other.display_name)

    async def _close(self, s: AsyncSession, intro: TandemIntro, status: str, now: datetime
                     ) -> bool:  # fmt: skip
        """Mark an open introduction declined/expired and free both partners."""
        won = await s.execute(update(TandemIntro).where(
            col(TandemIntro.id) == intro.id, col(TandemIntro.status) == "proposed"
        ).values(status=status, answered_at=now))  # fmt: skip
        if getattr(won, "rowcount", 0) != 1:
            return False
        await s.execute(update(TandemProfile).where(
            col(TandemProfile.member_id).in_([intro.first_id, intro.second_id]),
            col(TandemProfile.status) == "introduced").values(status="seeking"))  # fmt: skip
        return True

    async def expire_due(self, limit: int = 100) -> int:
        """Introductions not confirmed by both within `request_timeout` lapse; nothing starts."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as s:
            due = list((await s.execute(
                select(col(TandemIntro.id)).where(col(TandemIntro.status) == "proposed",
                                                  col(TandemIntro.expires_at) <= now).limit(limit)
            )).scalars())  # fmt: skip
        expired = 0
        for intro_id in due:
            async with self.ctx.db.begin() as s:
                intro = await s.get(TandemIntro, intro_id)
                assert intro is not None
                if not await self._close(s, intro, "expired", now):
                    continue
                community = await s.get(Community, intro.community_id)
                people = [await s.get(Member, intro.first_id), await s.get(Member, intro.second_id)]
            expired += 1
            assert community is not None
            for person in people:
                if person is not None:
                    await self.ctx.tell(self.ctx.ref(community), person, "tandem.expired_dm")
            await self._rematch([intro.first_id, intro.second_id])
        return expired

    # ----- the tandem's space ------------------------------------------------------------------
    async def _open_space(self, pair_id: int) -> str | None:
        """The private tandem space with a welcome, guidelines and the goals prompt."""
        async with self.ctx.db() as s:
            pair = await s.get(Pair, pair_id)
            assert pair is not None
            community = await s.get(Community, pair.community_id)
            a, b = await s.get(Member, pair.mentee_id), await s.get(Member, pair.mentor_member_id)
            pa = await self._profile(s, pair.mentee_id)
            pb = await self._profile(s, pair.mentor_member_id)
            assert community and a and b and pa and pb
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        locale = self.ctx.locale_of(None, community)
        name = t(locale, "tandem.space_name", a=a.display_name, b=b.display_name)
        users = [a.platform_user_id, b.platform_user_id]
        try:
            space = await platform.open_space(ref, name[:SPACE_NAME_LIMIT], users)
        except Exception:
            log.exception("could not open the space of tandem %s", pair_id)
            for person in (a, b):
                await self.ctx.tell(ref, person, "pair.space_failed")
            return None
        async with self.ctx.db.begin() as s:
            stored = await s.get(Pair, pair_id)
            assert stored is not None
            stored.space_ref = space
        a_gives, b_gives = exchange(pa, pb)
        guidelines = (community.settings or {}).get("guidelines") or t(locale, "pair.guidelines")
        text = "\n\n".join([
            t(locale, "tandem.welcome", a=platform.mention(a.platform_user_id),
              b=platform.mention(b.platform_user_id), a_name=a.display_name,
              b_name=b.display_name, a_gives=", ".join(a_gives), b_gives=", ".join(b_gives)),
            guidelines, t(locale, "tandem.goals_prompt"),
        ])  # fmt: skip
        ack = Button(t(locale, "button.ack_guidelines"), f"pair:ack:{pair_id}", "primary")
        await post(self.ctx, ref, space, Message(text, (ack,), tuple(users)),
                   key=f"tandem:welcome:{pair_id}")  # fmt: skip
        return space
