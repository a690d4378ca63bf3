"""Tandem (mutual mentoring): complementary offers and seeks, a non-binding introduction that
both must confirm, then a pair of kind 'tandem' with a private space and shared goals."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.action import ACCEPT, Action, Args
from bot.core.context import Actor, Context
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.i18n import t, user
from bot.core.ports import Message
from bot.core.safety import PAIR_ACK
from bot.core.spaces import SPACE_NAME_LIMIT, cut, link_of, post
from bot.core.vocab import normalize_skills
from storage.db import Tx
from storage.models import Community, Member, Pair, TandemIntro, TandemProfile
from storage.repositories import members as member_repo
from storage.repositories import pairs as pair_repo
from storage.repositories import tandem as tandem_repo

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

POOL_LIMIT = 500


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
            if await tandem_repo.active_tandem(s, member_id=member.id or 0):
                raise Conflict("tandem.already_paired")
            profile = await tandem_repo.profile_of(s, member_id=member.id or 0)
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
            profile = await tandem_repo.profile_of(s, member_id=member.id or 0)
            if profile is None:
                return TandemResult("none")
            state = {"introduced": "pending", "paired": "paired"}.get(profile.status, "waiting")
            return TandemResult(state, list(profile.offers), list(profile.seeks))

    async def _match(self, s: Tx, me: TandemProfile
                     ) -> tuple[TandemIntro, Member] | None:  # fmt: skip
        """The best complementary partner who is free, never introduced to `me` before."""
        rows = await tandem_repo.seeking_partners(
            s, community_id=me.community_id, member_id=me.member_id, limit=POOL_LIMIT
        )
        met = await tandem_repo.met_before(s, member_id=me.member_id)
        ranked = []
        for order, (other, person) in enumerate(rows):
            mine, theirs = exchange(me, other)
            if mine and theirs and other.member_id not in met:
                ranked.append((-(len(mine) + len(theirs)), order, other, person))
        now = self.ctx.clock.now()
        community = await member_repo.get_community_by_id(s, community_id=me.community_id)
        assert community is not None
        timeout = self.ctx.programme_for(community).request_timeout
        for *_, other, person in sorted(ranked, key=lambda r: r[:2]):
            if not await tandem_repo.claim_both(s, member_ids=(me.member_id, other.member_id)):
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
                profile = await tandem_repo.profile_of(s, member_id=member_id)
                free = profile is not None and profile.status == "seeking"
                found = await self._match(s, profile) if profile and free else None
            if found is not None:
                await self._introduce(found[0].id or 0)

    async def _introduce(self, intro_id: int) -> None:
        """Both get a private introduction with Confirm and Decline."""
        async with self.ctx.db() as s:
            intro = await tandem_repo.get_intro(s, intro_id=intro_id)
            assert intro is not None
            community = await member_repo.get_community_by_id(s, community_id=intro.community_id)
            a, b = await _member(s, intro.first_id), await _member(s, intro.second_id)
            pa = await tandem_repo.profile_of(s, member_id=intro.first_id)
            pb = await tandem_repo.profile_of(s, member_id=intro.second_id)
            assert community and a and b and pa and pb
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        timeout = self.ctx.programme_for(community).request_timeout
        hours = max(1, round(timeout.total_seconds() / 3600))
        for me, other, mine, theirs in ((a, b, pa, pb), (b, a, pb, pa)):
            locale = self.ctx.locale_of(me, community)
            gives, gets = exchange(mine, theirs)
            text = t(locale, "tandem.intro", partner=platform.mention(other.platform_user_id),
                     gives=user(", ".join(gives)), gets=user(", ".join(gets)),
                     hours=hours)  # fmt: skip
            buttons = (
                TANDEM_CONFIRM.button(
                    t(locale, "button.tandem_confirm"), "success", intro=intro_id
                ),
                TANDEM_DECLINE.button(t(locale, "button.tandem_decline"), "danger", intro=intro_id),
            )
            try:
                await platform.send_to_member(
                    ref, me.platform_user_id, Message(text, buttons, (other.platform_user_id,)),
                    key=f"tandem:intro:{intro_id}:{me.id}")  # fmt: skip
            except Exception:
                log.exception("could not introduce member %s (intro %s)", me.id, intro_id)

    # ----- answering -------------------------------------------------------------------------
    async def _intro_for(self, s: Tx, member: Member, intro_id: int | None) -> TandemIntro:
        if intro_id is not None:
            intro = await tandem_repo.get_intro(s, intro_id=intro_id)
            if intro is None:
                raise NotFound("tandem.unknown")
        else:
            intro = await tandem_repo.newest_proposed(s, member_id=member.id or 0)
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
            won = await tandem_repo.confirm_intro(s, intro_id=intro.id or 0, first=first, now=now)
            other = await _member(s, intro.second_id if first else intro.first_id)
            assert other is not None
            community = await member_repo.get_community_by_id(s, community_id=intro.community_id)
            assert community is not None
            pair = None
            if won:
                pair = await self._start(s, community, intro)
        ref = self.ctx.ref(community)
        if pair is None:
            await self.ctx.tell(ref, other, "tandem.partner_confirmed",
                                partner=user(member.display_name))  # fmt: skip
            return Answer("waiting", other.display_name)
        space = await self._open_space(pair.id or 0)
        link = link_of(self.ctx, ref, space)
        await self.ctx.tell(ref, other, "tandem.started_dm", partner=user(member.display_name),
                            space=link)  # fmt: skip
        return Answer("started", other.display_name, pair.id, link)

    async def _start(self, s: Tx, community: Community, intro: TandemIntro) -> Pair:
        now = self.ctx.clock.now()
        programme = self.ctx.programme_for(community)
        pair = Pair(community_id=intro.community_id, kind="tandem", mentor_id=None,
                    mentor_member_id=intro.second_id, mentee_id=intro.first_id, started_at=now,
                    ends_at=now + programme.program_length,
                    next_checkin_at=now + programme.checkin_interval)  # fmt: skip
        s.add(pair)
        await s.flush()
        await tandem_repo.record_start(s, intro=intro, pair_id=pair.id or 0)
        return pair

    async def decline(self, actor: Actor, intro_id: int | None = None) -> Answer:
        """Decline an introduction: nothing starts, and both may be matched again."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            intro = await self._intro_for(s, member, intro_id)
            if not await tandem_repo.close_intro(s, intro=intro, status="declined", now=now):
                raise Conflict("tandem.already_answered")
            partner = intro.second_id if member.id == intro.first_id else intro.first_id
            other = await _member(s, partner)
            assert other is not None
            community = await member_repo.get_community_by_id(s, community_id=intro.community_id)
            assert community is not None
        await self.ctx.tell(self.ctx.ref(community), other, "tandem.declined_dm")
        await self._rematch([other.id or 0, member.id or 0])
        return Answer("declined", other.display_name)

    async def expire_due(self, limit: int = 100) -> int:
        """Introductions not confirmed by both within `request_timeout` lapse; nothing starts."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as s:
            due = await tandem_repo.due_intros(s, now=now, limit=limit)
        expired = 0
        for intro_id in due:
            async with self.ctx.db.begin() as s:
                intro = await tandem_repo.get_intro(s, intro_id=intro_id)
                assert intro is not None
                if not await tandem_repo.close_intro(s, intro=intro, status="expired", now=now):
                    continue
                community = await member_repo.get_community_by_id(
                    s, community_id=intro.community_id
                )
                people = [await _member(s, intro.first_id), await _member(s, intro.second_id)]
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
            pair = await pair_repo.get_pair(s, pair_id=pair_id)
            assert pair is not None
            community = await member_repo.get_community_by_id(s, community_id=pair.community_id)
            a, b = await _member(s, pair.mentee_id), await _member(s, pair.mentor_member_id)
            pa = await tandem_repo.profile_of(s, member_id=pair.mentee_id)
            pb = await tandem_repo.profile_of(s, member_id=pair.mentor_member_id)
            assert community and a and b and pa and pb
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        locale = self.ctx.locale_of(None, community)
        name = t(locale, "tandem.space_name", a=user(a.display_name), b=user(b.display_name))
        users = [a.platform_user_id, b.platform_user_id]
        try:
            space = await platform.open_space(ref, cut(name, SPACE_NAME_LIMIT), users)
        except Exception:
            log.exception("could not open the space of tandem %s", pair_id)
            for person in (a, b):
                await self.ctx.tell(ref, person, "pair.space_failed")
            return None
        async with self.ctx.db.begin() as s:
            stored = await pair_repo.get_pair(s, pair_id=pair_id)
            assert stored is not None
            stored.space_ref = space
        a_gives, b_gives = exchange(pa, pb)
        guidelines = (community.settings or {}).get("guidelines") or t(locale, "pair.guidelines")
        text = "\n\n".join([
            t(locale, "tandem.welcome", a=platform.mention(a.platform_user_id),
              b=platform.mention(b.platform_user_id), a_name=user(a.display_name),
              b_name=user(b.display_name), a_gives=user(", ".join(a_gives)),
              b_gives=user(", ".join(b_gives))),
            guidelines, t(locale, "tandem.goals_prompt"),
        ])  # fmt: skip
        ack = PAIR_ACK.button(t(locale, "button.ack_guidelines"), "primary", pair=pair_id)
        await post(self.ctx, ref, space, Message(text, (ack,), tuple(users)),
                   key=f"tandem:welcome:{pair_id}")  # fmt: skip
        return space


async def _member(tx: Tx, member_id: int) -> Member | None:
    return await member_repo.get_member_by_id(tx, member_id=member_id)


def answer_message(locale: str, answer: Answer) -> Message:
    """After Confirm or Decline on a tandem introduction."""
    key = {"started": "tandem.started", "waiting": "tandem.confirmed_waiting"}.get(
        answer.outcome, "tandem.declined"
    )
    return Message(t(locale, key, partner=user(answer.partner), space=answer.space_link))


def tandem_message(locale: str, result: TandemResult, prefix: str) -> Message:
    """What `/tandem` or `!tandem` found."""
    offers, seeks = user(", ".join(result.offers)), user(", ".join(result.seeks))
    key = {"introduced": "tandem.introduced", "pending": "tandem.status_pending",
           "paired": "tandem.status_paired", "none": "tandem.usage"}.get(
        result.status, "tandem.waiting")  # fmt: skip
    partner = user(result.partner) if result.partner else ""
    return Message(t(locale, key, partner=partner, offers=offers, seeks=seeks,
                     prefix=prefix))  # fmt: skip


# ----- actions (buttons and reactions) ------------------------------------------------------
async def _on_confirm(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    return [answer_message(locale, await services.tandem.confirm(actor, args.number("intro")))]


async def _on_decline(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    return [answer_message(locale, await services.tandem.decline(actor, args.number("intro")))]


TANDEM_CONFIRM = Action("tandem:{intro}:confirm", _on_confirm, slow=True,
                        command="tandem confirm {intro}", emoji=ACCEPT)  # fmt: skip
# No ❌ on Matrix: like before, a decline here gets a keycap by its position.
TANDEM_DECLINE = Action("tandem:{intro}:decline", _on_decline, slow=True,
                        command="tandem decline {intro}")  # fmt: skip
