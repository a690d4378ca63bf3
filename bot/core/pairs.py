"""Pairs: created on accept, a private space with a welcome, ended early or at the programme's
end (wrap-up, graduation invite, badges), extended once, rated by both partners."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.action import Action, Args
from bot.core.context import Actor, Context, check_length
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.i18n import t, user
from bot.core.outbox import Letter, enqueue
from bot.core.ports import Message
from bot.core.recognition import award_badges
from bot.core.safety import PAIR_ACK, PAIR_HELPMOD
from bot.core.spaces import cut
from storage.db import Tx
from storage.models import Feedback, Member, MentorProfile, MentorRequest, Pair
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import pairs as pair_repo

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

SPACE_NAME_LIMIT = 100


@dataclass(frozen=True)
class PairView:
    """A pair as front-ends show it."""

    id: int
    mentee_name: str
    mentee_user_id: str
    mentor_name: str
    mentor_user_id: str
    space_ref: str | None
    status: str


def space_name(mentee: str, mentor: str) -> str:
    """'Mentoring: <mentee> & <mentor>' (names marked as member text), cut to 100 characters."""
    return cut(f"Mentoring: {user(mentee)} & {user(mentor)}", SPACE_NAME_LIMIT)


class PairService:
    """The life of a pair."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def create(self, tx: Tx, request: MentorRequest, profile: MentorProfile) -> Pair:
        """A new active pair (inside the caller's transaction)."""
        now = self.ctx.clock.now()
        community = await member_repo.get_community_by_id(tx, community_id=request.community_id)
        assert community is not None
        programme = self.ctx.programme_for(community)
        pair = Pair(
            community_id=request.community_id,
            kind=request.kind if request.kind in ("mentoring", "buddy") else "mentoring",
            mentor_id=profile.id,
            mentor_member_id=profile.member_id,
            mentee_id=request.mentee_id,
            request_id=request.id,
            started_at=now,
            ends_at=now + programme.program_length,
            next_checkin_at=now + programme.checkin_interval,
        )
        tx.add(pair)
        await tx.flush()
        return pair

    async def view(self, pair_id: int) -> PairView:
        """Names and ids of a pair."""
        async with self.ctx.db() as tx:
            pair = await pair_repo.get_pair(tx, pair_id=pair_id)
            if pair is None:
                raise NotFound("pair.unknown")
            mentee, mentor = await _partners(tx, pair)
        return PairView(pair.id or 0, mentee.display_name, mentee.platform_user_id,
                        mentor.display_name, mentor.platform_user_id, pair.space_ref,
                        pair.status)  # fmt: skip

    async def open_space(self, pair_id: int) -> str | None:
        """Open the private space through the port and post the welcome with guidelines."""
        async with self.ctx.db() as tx:
            pair = await pair_repo.get_pair(tx, pair_id=pair_id)
            assert pair is not None
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            mentee, mentor = await _partners(tx, pair)
            assert community is not None
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        name = space_name(mentee.display_name, mentor.display_name)
        users = [mentee.platform_user_id, mentor.platform_user_id]
        try:
            space = await platform.open_space(ref, name, users)
        except Exception:
            log.exception("could not open the space of pair %s", pair_id)
            await self.ctx.tell(ref, mentee, "pair.space_failed")
            await self.ctx.tell(ref, mentor, "pair.space_failed")
            return None
        async with self.ctx.db.begin() as tx:
            stored = await pair_repo.get_pair(tx, pair_id=pair_id)
            assert stored is not None
            stored.space_ref = space
        locale = self.ctx.locale_of(None, community)
        guidelines = (community.settings or {}).get("guidelines") or t(locale, "pair.guidelines")
        welcome = Message(
            t(locale, "pair.welcome", mentee=platform.mention(mentee.platform_user_id),
              mentor=platform.mention(mentor.platform_user_id))
            + "\n\n" + guidelines + "\n\n" + t(locale, "pair.goals_prompt"),
            buttons=(
                PAIR_ACK.button(t(locale, "button.ack_guidelines"), "primary", pair=pair_id),
                PAIR_HELPMOD.button(t(locale, "button.contact_mod"), "secondary", pair=pair_id),
            ),
            mentions=tuple(users),
        )  # fmt: skip
        try:
            await platform.post_in_space(ref, space, welcome)
            await self.ctx.tell(ref, mentee, "pair.accepted_dm", mentor=user(mentor.display_name),
                                space=name)  # fmt: skip
        except Exception:
            log.exception("could not post the welcome of pair %s", pair_id)
        return space

    async def pair_for(self, actor: Actor, pair_id: int | None, space_ref: str | None) -> Pair:
        """The pair the actor means: by id, by the space they are in, or their only active one."""
        async with self.ctx.db() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            await tx.commit()
            pair: Pair | None = None
            if pair_id is not None:
                pair = await pair_repo.get_pair(tx, pair_id=pair_id)
            elif space_ref is not None:
                pair = await pair_repo.pair_by_space(
                    tx, community_id=member.community_id, space_ref=space_ref
                )
            else:
                mine = await pair_repo.active_pairs_of(tx, member_id=member.id or 0)
                if len(mine) > 1:
                    raise InvalidInput("pair.which")
                pair = mine[0] if mine else None
            if pair is None:
                raise NotFound("pair.none")
            if member.id not in (pair.mentee_id, pair.mentor_member_id):
                raise NotAllowed("pair.not_member")
            return pair

    async def _partner_of(self, tx: Tx, actor: Actor, pair_id: int) -> tuple[Member, Pair]:
        """The actor and the pair, if the actor is one of its two partners."""
        _, member = await self.ctx.resolve(tx, actor)
        pair = await pair_repo.get_pair(tx, pair_id=pair_id)
        if pair is None:
            raise NotFound("pair.unknown")
        if member.id not in (pair.mentee_id, pair.mentor_member_id):
            raise NotAllowed("pair.not_member")
        return member, pair

    async def end(self, actor: Actor, pair_id: int) -> PairView:
        """End an active pair early (either partner); capacity is given back."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            member, pair = await self._partner_of(tx, actor, pair_id)
            if pair.status != "active":
                raise Conflict("pair.already_ended")
            pair.status, pair.ended_at, pair.ended_by = "ended", now, member.id
            if pair.mentor_id is not None:
                await mentor_repo.release_capacity(tx, mentor_id=pair.mentor_id)
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
        view = await self.view(pair_id)
        if view.space_ref:
            ref = self.ctx.ref(community)
            locale = self.ctx.locale_of(None, community)
            text = t(locale, "pair.ended", name=user(member.display_name))
            buttons = tuple(PAIR_RATE.button(str(n), pair=pair_id, rating=n) for n in range(1, 6))
            try:
                await self.ctx.platform(ref.platform).post_in_space(
                    ref, view.space_ref, Message(text, buttons=buttons)
                )
            except Exception:
                log.exception("could not announce the end of pair %s", pair_id)
        return view

    async def wrap_up_due(self, limit: int = 200) -> int:
        """Complete pairs at the end of their programme: wrap-up, graduation invite, badges."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as tx:
            due = await pair_repo.due_to_end(tx, now=now, limit=limit)
        done = 0
        for pair_id in due:
            async with self.ctx.db.begin() as tx:
                if not await pair_repo.claim_completion(tx, pair_id=pair_id, now=now):
                    continue  # another process wrapped it up
                pair = await pair_repo.get_pair(tx, pair_id=pair_id)
                assert pair is not None
                if pair.mentor_id is not None:
                    await mentor_repo.release_capacity(tx, mentor_id=pair.mentor_id)
                mentee, mentor = await _partners(tx, pair)
                mentoring = pair.kind != "tandem"  # tandem partners are peers: no graduation
                await enqueue(tx, _wrap_up_letters(pair, mentee, mentor, mentoring), now)
                if mentoring:
                    await award_badges(self.ctx, tx, mentor.id or 0)
                done += 1
        return done

    async def extend(self, actor: Actor, pair_id: int) -> PairView:
        """Continue a completed pair for another programme length, once."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            _, pair = await self._partner_of(tx, actor, pair_id)
            if pair.status == "active":
                raise Conflict("pair.still_active_extend")
            if pair.extended or pair.status != "completed":
                raise Conflict("pair.no_extension")
            if pair.mentor_id is not None and not await mentor_repo.claim_capacity(
                tx, mentor_id=pair.mentor_id
            ):
                raise Conflict("offer.at_capacity")
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
            programme = self.ctx.programme_for(community)
            pair.status, pair.extended, pair.ended_at = "active", True, None
            pair.ends_at = now + programme.program_length
            pair.next_checkin_at = now + programme.checkin_interval
        return await self.view(pair_id)

    async def feedback(self, actor: Actor, pair_id: int, rating: int, comment: str = "") -> None:
        """A partner's rating 1-5 and comment; once per partner (a second one replaces it)."""
        if not 1 <= rating <= 5:
            raise InvalidInput("error.rating", value=str(rating)[:10])
        comment = check_length(comment, 1000, "comment")
        async with self.ctx.db.begin() as tx:
            member, pair = await self._partner_of(tx, actor, pair_id)
            if pair.status == "active":
                raise Conflict("pair.still_active")
            existing = await pair_repo.feedback_of(tx, pair_id=pair_id, member_id=member.id or 0)
            if existing is None:
                existing = Feedback(pair_id=pair_id, member_id=member.id or 0, rating=rating)
                tx.add(existing)
            existing.rating, existing.comment = rating, comment
            existing.created_at = self.ctx.clock.now()


async def _partners(tx: Tx, pair: Pair) -> tuple[Member, Member]:
    """The mentee and the mentor of a pair."""
    mentee = await member_repo.get_member_by_id(tx, member_id=pair.mentee_id)
    mentor = await member_repo.get_member_by_id(tx, member_id=pair.mentor_member_id)
    assert mentee is not None and mentor is not None
    return mentee, mentor


def _wrap_up_letters(pair: Pair, mentee: Member, mentor: Member, mentoring: bool) -> list[Letter]:
    """The graduation invite (mentoring only) and the wrap-up in the pair space."""
    pair_id, cid = pair.id or 0, pair.community_id
    names = {"mentee": mentee.platform_user_id, "mentor": mentor.platform_user_id}
    letters = [
        Letter(f"graduate:{pair_id}", cid, "graduate", "member", str(mentee.id),
               "wrapup.graduate", {"pair": pair_id}, {},
               (("button.become_mentor", GRADUATE.id(pair=pair_id), "primary"),)),
    ] if mentoring else []  # fmt: skip
    if pair.space_ref:
        letters.append(Letter(
            f"wrapup:{pair_id}:{pair.extended}", cid, "wrap_up", "space",
            pair.space_ref, "wrapup.space", {"pair": pair_id}, names,
            (("button.give_feedback", PAIR_FEEDBACK.id(pair=pair_id), "primary"),
             ("button.extend", PAIR_EXTEND.id(pair=pair_id), "secondary")),
        ))  # fmt: skip
    return letters


async def _on_rate(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.pairs.feedback(actor, args.number("pair"), args.number("rating"))
    return [Message(t(locale, "pair.feedback_thanks"))]


async def _on_extend(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.pairs.extend(actor, args.number("pair"))
    return [Message(t(locale, "pair.extended"))]


async def _on_feedback(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.pairs.pair_for(actor, args.number("pair"), None)
    return [Message(t(locale, "pair.feedback_how", id=args.word("pair")))]


async def _on_graduate(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    return [Message(t(locale, "wrapup.graduate_how"))]


PAIR_RATE = Action(
    "pair:rate:{pair}:{rating}", _on_rate, command="feedback {pair} {rating}", keycap="rating"
)
PAIR_EXTEND = Action("pair:extend:{pair}", _on_extend)
# Discord opens the feedback form; elsewhere the reply says how to give feedback by text.
PAIR_FEEDBACK = Action("pair:feedback:{pair}", _on_feedback, form="feedback")
GRADUATE = Action("graduate:{pair}", _on_graduate)
