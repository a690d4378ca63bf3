"""The request lifecycle: suggest, ask, accept, decline, time out, pass on, waitlist."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.action import ACCEPT, DECLINE, Action, Args
from bot.core.context import Actor, Context, check_length
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.groups import GroupView
from bot.core.groups.circles import CircleService
from bot.core.i18n import t, user
from bot.core.matching import MenteeWish, MentorFacts, Score, rank
from bot.core.pairs import PairService
from bot.core.ports import CommunityRef, Message
from bot.core.recognition import award_badges
from bot.core.vocab import topic_terms
from storage.db import Tx
from storage.models import Community, Member, MentorProfile, MentorRequest, RequestOffer
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo
from storage.repositories import requests as request_repo
from storage.repositories.mentors import Candidate

if TYPE_CHECKING:
    from bot.core.services import Services

log = logging.getLogger(__name__)

MAX_TOPIC, MAX_NOTE = 200, 1000
SUGGESTIONS = 3
_ALREADY = {
    "accepted": "offer.already_accepted",
    "declined": "offer.already_declined",
    "timed_out": "offer.passed_on",
}


@dataclass(frozen=True)
class Suggestion:
    """One suggested mentor with the reasons, ready to show."""

    index: int
    mentor_id: int
    user_id: str
    name: str
    reasons: str


@dataclass(frozen=True)
class Suggestions:
    """The answer to `/mentor`: up to three mentors, or the waitlist."""

    request_id: int
    suggestions: list[Suggestion]
    waitlisted: bool
    first_contact: bool
    circles: list[GroupView] = field(default_factory=list)  # when no mentor fits


@dataclass(frozen=True)
class Offered:
    """A request handed to a mentor."""

    request_id: int
    offer_id: int
    mentor_name: str
    mentor_user_id: str


@dataclass(frozen=True)
class Declined:
    """What happened after a decline: passed on or waitlisted."""

    mentee_name: str
    outcome: str  # passed_on | waitlisted


class RequestService:
    """Matching newcomers with mentors."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    # ----- asking -------------------------------------------------------------------------
    async def request_mentor(self, actor: Actor, topic: str = "", note: str = "") -> Suggestions:
        """Open (or refresh) the member's request and suggest up to three mentors."""
        topic = check_length(topic, MAX_TOPIC, "topic")
        note = check_length(note, MAX_NOTE, "note")
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            first_contact = member.consent_at is None
            if first_contact:
                member.consent_at = now
            assert member.id is not None and community.id is not None
            request = await request_repo.open_request_of(s, mentee_id=member.id)
            if request is not None and request.status != "open":
                raise Conflict(f"request.already_{request.status}")
            if request is None:
                request = MentorRequest(
                    community_id=community.id, mentee_id=member.id, created_at=now
                )
                s.add(request)
            request.topic, request.note, request.updated_at = topic, note, now
            ranked = await self._rank(s, community, member, request, exclude=[])
            top = ranked[:SUGGESTIONS]
            request.suggested_mentor_ids = [sc.mentor_id for sc, _ in top]
            if not top:
                request.status = "waitlisted"
            await s.flush()
            assert request.id is not None
            locale = self.ctx.locale_of(member, community)
            suggestions = [
                Suggestion(i + 1, sc.mentor_id, m.user_id, m.name,
                           sc.reasons(locale))
                for i, (sc, m) in enumerate(top)
            ]  # fmt: skip
            ref = self.ctx.ref(community)
        circles: list[GroupView] = []
        if not suggestions:
            await self._tell_moderators_waitlisted(ref, community, member, topic)
            terms = topic_terms(topic) or list(member.interests or [])
            circles = await CircleService(self.ctx).circles_for(community.id, terms)
        return Suggestions(request.id, suggestions, not suggestions, first_contact, circles)

    async def ask(
        self, actor: Actor, choice: int | None, *, request_id: int | None = None
    ) -> Offered:
        """Send the open request to suggestion number `choice` (1-based) or the best mentor.

        `request_id` (from a button) must still be the member's open request.
        """
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            assert member.id is not None
            request = await request_repo.open_request_of(s, mentee_id=member.id)
            if request_id is not None and (request is None or request.id != request_id):
                old = await request_repo.get_request(s, request_id=request_id)
                if old is None or old.mentee_id != member.id:
                    raise NotAllowed("request.not_yours")
                if request is None or old.status != "open":
                    raise Conflict(f"request.already_{old.status}")
                raise Conflict("request.outdated")
            if request is None:
                raise NotFound("request.none_open")
            if request.status != "open":
                raise Conflict(f"request.already_{request.status}")
            ranked = await self._rank(s, community, member, request, exclude=[])
            by_id = {sc.mentor_id: (sc, m) for sc, m in ranked}
            if choice is None:
                if not ranked:
                    raise Conflict("request.nobody_free")
                picked = ranked[0]
            else:
                ids = request.suggested_mentor_ids or []
                if not 1 <= choice <= len(ids):
                    raise NotFound("request.bad_choice", count=len(ids))
                if ids[choice - 1] not in by_id:
                    raise Conflict("request.mentor_gone")
                picked = by_id[ids[choice - 1]]
            offer = await self._make_offer(s, community, request, picked[0])
        await self._deliver_offer(offer.id or 0)
        return Offered(request.id or 0, offer.id or 0, picked[1].name, picked[1].user_id)

    # ----- answering ----------------------------------------------------------------------
    async def accept(self, actor: Actor, offer_id: int | None = None) -> int:
        """The addressed mentor accepts; returns the new pair's id."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            offer, profile, _ = await self._own_offer(s, actor, offer_id)
            if not await request_repo.answer_offer(
                s, offer_id=offer.id or 0, status="accepted", now=now
            ):
                raise Conflict(await _already(s, offer.id or 0))
            if not await mentor_repo.claim_capacity(s, mentor_id=profile.id or 0):
                raise Conflict("offer.at_capacity")
            request = await request_repo.get_request(s, request_id=offer.request_id)
            assert request is not None
            request.status, request.accepted_at, request.updated_at = "accepted", now, now
            await mentor_repo.reload_profile(s, profile=profile)
            profile.offers_accepted += 1
            profile.total_mentees += 1
            profile.consecutive_timeouts = 0
            profile.last_matched_at = now
            pair = await self.pairs.create(s, request, profile)
            await award_badges(self.ctx, s, profile.member_id)
        await self.pairs.open_space(pair.id or 0)
        return pair.id or 0

    async def decline(self, actor: Actor, offer_id: int | None = None) -> Declined:
        """The addressed mentor declines; the request moves on by itself."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            offer, profile, _ = await self._own_offer(s, actor, offer_id)
            if not await request_repo.answer_offer(
                s, offer_id=offer.id or 0, status="declined", now=now
            ):
                raise Conflict(await _already(s, offer.id or 0))
            profile.offers_declined += 1
            profile.consecutive_timeouts = 0
            request_id = offer.request_id
        outcome, mentee = await self._pass_on(request_id)
        return Declined(mentee, outcome)

    async def expire_due(self, limit: int = 100) -> int:
        """Time out offers past `request_timeout`; each passes on. Returns how many."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as s:
            due = await request_repo.due_offers(s, now=now, limit=limit)
        expired = 0
        for offer_id in due:
            async with self.ctx.db.begin() as s:
                if not await request_repo.answer_offer(
                    s, offer_id=offer_id, status="timed_out", now=now
                ):
                    continue  # answered or claimed by someone else meanwhile
                offer = await request_repo.get_offer(s, offer_id=offer_id)
                assert offer is not None
                profile = await mentor_repo.get_profile_by_id(s, mentor_id=offer.mentor_id)
                assert profile is not None
                profile.offers_timed_out += 1
                profile.consecutive_timeouts += 1
                community = await member_repo.get_community_by_id(
                    s, community_id=profile.community_id
                )
                assert community is not None
                limit = self.ctx.programme_for(community).auto_pause_after
                paused = profile.status == "available" and profile.consecutive_timeouts >= limit
                if paused:
                    profile.status, profile.paused_until = "paused", None
                mentor = await member_repo.get_member_by_id(s, member_id=profile.member_id)
                request_id, ref = offer.request_id, self.ctx.ref(community)
            expired += 1
            if paused and mentor is not None:
                await self.ctx.tell(
                    ref, mentor, "offer.auto_paused", count=profile.consecutive_timeouts
                )
            await self._pass_on(request_id)
        return expired

    async def serve_waitlist(self, community_id: int) -> int:
        """Offer waitlisted requests to mentors who became free. Returns offers made."""
        made = 0
        async with self.ctx.db() as s:
            waiting = [r.id for r in await request_repo.waitlisted(s, community_id=community_id)]
        for request_id in waiting:
            async with self.ctx.db.begin() as s:
                request = await request_repo.get_request(s, request_id=request_id or 0)
                if request is None or request.status != "waitlisted":
                    continue
                community = await member_repo.get_community_by_id(
                    s, community_id=request.community_id
                )
                mentee = await member_repo.get_member_by_id(s, member_id=request.mentee_id)
                assert community is not None and mentee is not None
                tried = await request_repo.offered_mentor_ids(s, request_id=request.id or 0)
                ranked = await self._rank(s, community, mentee, request, exclude=tried)
                if not ranked:
                    break  # nobody free for this one; later ones compete for the same mentors
                offer = await self._make_offer(s, community, request, ranked[0][0])
            await self._deliver_offer(offer.id or 0)
            made += 1
        return made

    # ----- internals ----------------------------------------------------------------------
    async def _rank(
        self,
        s: Tx,
        community: Community,
        mentee: Member,
        request: MentorRequest,
        exclude: list[int],
    ) -> list[tuple[Score, Candidate]]:
        terms = topic_terms(request.topic) or list(mentee.interests or [])
        wish = MenteeWish(terms, list(mentee.languages or []), mentee.timezone)
        assert community.id is not None and mentee.id is not None
        found = await mentor_repo.candidates(
            s,
            community_id=community.id,
            mentee_member_id=mentee.id,
            skills=terms,
            languages=wish.languages,
            exclude_mentor_ids=exclude,
            now=self.ctx.clock.now(),
        )
        facts = [_facts(c) for c in found]
        by_id = {c.mentor_id: c for c in found}
        return [(sc, by_id[sc.mentor_id]) for sc in rank(facts, wish, self.ctx.clock.now())]

    async def _own_offer(
        self, s: Tx, actor: Actor, offer_id: int | None
    ) -> tuple[RequestOffer, MentorProfile, Member]:
        _, member = await self.ctx.resolve(s, actor)
        assert member.id is not None
        profile = await mentor_repo.get_profile(s, member_id=member.id)
        offer: RequestOffer | None
        if offer_id is None:
            if profile is None:
                raise NotFound("offer.none_pending")
            offer = await request_repo.newest_pending_offer(s, mentor_id=profile.id or 0)
            if offer is None:
                raise NotFound("offer.none_pending")
        else:
            offer = await request_repo.get_offer(s, offer_id=offer_id)
            if offer is None:
                raise NotFound("offer.unknown")
        if profile is None or offer.mentor_id != profile.id:
            raise NotAllowed("offer.not_yours")
        return offer, profile, member

    async def _make_offer(
        self, s: Tx, community: Community, request: MentorRequest, score: Score
    ) -> RequestOffer:
        now = self.ctx.clock.now()
        programme = self.ctx.programme_for(community)
        mentor = await mentor_repo.get_profile_by_id(s, mentor_id=score.mentor_id)
        mentor_member = (
            await member_repo.get_member_by_id(s, member_id=mentor.member_id) if mentor else None
        )
        locale = self.ctx.locale_of(mentor_member, community)
        offer = RequestOffer(
            request_id=request.id or 0,
            mentor_id=score.mentor_id,
            reasons=score.reasons(locale)[:500],
            offered_at=now,
            expires_at=now + programme.request_timeout,
        )
        s.add(offer)
        request.status, request.updated_at = "offered", now
        request.attempts += 1
        await s.flush()
        return offer

    async def _deliver_offer(self, offer_id: int) -> None:
        """DM the mentor the request with Accept/Decline (platform falls back to a channel)."""
        async with self.ctx.db() as s:
            offer = await request_repo.get_offer(s, offer_id=offer_id)
            assert offer is not None
            request = await request_repo.get_request(s, request_id=offer.request_id)
            profile = await mentor_repo.get_profile_by_id(s, mentor_id=offer.mentor_id)
            assert request is not None and profile is not None
            mentor = await member_repo.get_member_by_id(s, member_id=profile.member_id)
            mentee = await member_repo.get_member_by_id(s, member_id=request.mentee_id)
            community = await member_repo.get_community_by_id(s, community_id=request.community_id)
            assert mentor is not None and mentee is not None and community is not None
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        locale = self.ctx.locale_of(mentor, community)
        lines = [t(locale, "offer.dm", mentee=platform.mention(mentee.platform_user_id),
                   mentor=user(mentor.display_name))]  # fmt: skip
        if request.topic:
            lines.append(t(locale, "offer.topic", topic=user(request.topic)))
        if request.note:
            lines.append(t(locale, "offer.note", note=user(request.note)))
        # The reasons name the skills members typed: the whole line is shown as member text.
        lines.append(t(locale, "offer.reasons", reasons=user(offer.reasons)))
        lines.append(t(locale, "offer.how", timeout=_hours(offer.expires_at, offer.offered_at)))
        message = Message(
            "\n".join(lines),
            buttons=(
                OFFER_ACCEPT.button(t(locale, "button.accept"), "success", offer=offer.id),
                OFFER_DECLINE.button(t(locale, "button.decline"), "danger", offer=offer.id),
            ),
            mentions=(mentee.platform_user_id, mentor.platform_user_id),
        )
        try:
            sent = await platform.send_to_member(ref, mentor.platform_user_id, message)
        except Exception:
            log.exception("could not deliver offer %s", offer_id)
            return
        if sent.ref:
            async with self.ctx.db.begin() as s:
                stored = await request_repo.get_offer(s, offer_id=offer_id)
                if stored is not None:
                    stored.message_ref = sent.ref

    async def _pass_on(self, request_id: int) -> tuple[str, str]:
        """After a decline or time-out: the next-best mentor, or the waitlist."""
        async with self.ctx.db.begin() as s:
            request = await request_repo.get_request(s, request_id=request_id)
            assert request is not None
            community = await member_repo.get_community_by_id(s, community_id=request.community_id)
            mentee = await member_repo.get_member_by_id(s, member_id=request.mentee_id)
            assert community is not None and mentee is not None
            if request.status != "offered":
                return request.status, mentee.display_name
            tried = await request_repo.offered_mentor_ids(s, request_id=request_id)
            programme = self.ctx.programme_for(community)
            ranked = []
            if request.attempts < programme.max_offer_attempts:
                ranked = await self._rank(s, community, mentee, request, exclude=tried)
            offer = None
            if ranked:
                offer = await self._make_offer(s, community, request, ranked[0][0])
            else:
                request.status, request.updated_at = "waitlisted", self.ctx.clock.now()
            ref = self.ctx.ref(community)
        if offer is not None:
            await self._deliver_offer(offer.id or 0)
            return "passed_on", mentee.display_name
        await self.ctx.tell(ref, mentee, "request.waitlisted_dm")
        await self._tell_moderators_waitlisted(ref, community, mentee, request.topic)
        return "waitlisted", mentee.display_name

    async def _tell_moderators_waitlisted(
        self, ref: CommunityRef, community: Community, mentee: Member, topic: str
    ) -> None:
        mention = self.ctx.platform(ref.platform).mention(mentee.platform_user_id)
        text = t(self.ctx.locale_of(None, community), "request.waitlisted_mods",
                 mentee=mention, topic=user(topic) if topic else "—")  # fmt: skip
        await self.ctx.announce(ref, "moderation", text, (mentee.platform_user_id,))


async def _already(s: Tx, offer_id: int) -> str:
    """The message key for an offer someone answered first, by its status now."""
    status = await request_repo.offer_status(s, offer_id=offer_id)
    return _ALREADY.get(status or "", "offer.already_answered")


def _facts(c: Candidate) -> MentorFacts:
    return MentorFacts(
        mentor_id=c.mentor_id,
        skills=c.skills or [],
        languages=c.languages or [],
        timezone=c.timezone,
        active_mentees=c.active_mentees,
        capacity=c.capacity,
        recent_mentees=c.recent_mentees,
        accepted=c.accepted,
        declined=c.declined,
        timed_out=c.timed_out,
    )


def _hours(until: datetime | None, since: datetime | None) -> int:
    if until is None or since is None:
        return 0
    return max(1, round((until - since).total_seconds() / 3600))


# ----- actions (buttons and reactions) ------------------------------------------------------
async def _on_ask(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    request_id = args.number("request")
    offered = await services.requests.ask(actor, args.optional("index"), request_id=request_id)
    return [Message(t(locale, "ask.sent", mentor=user(offered.mentor_name)))]


async def _on_accept(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    pair_id = await services.requests.accept(actor, args.optional("offer"))
    view = await services.pairs.view(pair_id)
    return [Message(t(locale, "offer.accepted_reply", mentee=user(view.mentee_name)))]


async def _on_decline(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    declined = await services.requests.decline(actor, args.optional("offer"))
    key = f"offer.declined_{declined.outcome}"
    return [Message(t(locale, key, mentee=user(declined.mentee_name)))]


ASK = Action("ask:{request}:{index}", _on_ask)  # the suggestion numbered `index`
ASK_ANY = Action("ask:{request}:any", _on_ask)  # the best free mentor
OFFER_ACCEPT = Action(
    "offer:accept:{offer?}", _on_accept, slow=True, command="accept {offer}", emoji=ACCEPT
)
OFFER_DECLINE = Action(
    "offer:decline:{offer?}", _on_decline, slow=True, command="decline {offer}", emoji=DECLINE
)
