"""Mentors: signing up, availability (pause/resume) and the weekly digest opt-out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import Actor, Context, check_length
from bot.core.durations import parse_duration
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import t, user
from bot.core.inputs import ascii_int
from bot.core.ports import Message
from bot.core.profiles import parse_languages, parse_timezone
from bot.core.vocab import normalize_skills
from storage.models import MentorProfile
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo

MIN_CAPACITY, MAX_CAPACITY = 1, 10
MAX_SKILLS = 20


@dataclass(frozen=True)
class SignupResult:
    """What signing up changed."""

    profile: MentorProfile
    created: bool
    pending_approval: bool
    first_contact: bool

    def summary(self, locale: str, prefix: str) -> str:
        """The localized confirmation (with the privacy note on first contact)."""
        p = self.profile
        lines = [t(locale, "privacy.first_contact", prefix=prefix)] if self.first_contact else []
        lines.append(
            t(locale, "signup.created" if self.created else "signup.updated",
              skills=user(", ".join(p.skills)), capacity=p.capacity,
              languages=", ".join(p.languages) or "—", timezone=p.timezone or "—")
        )  # fmt: skip
        if self.pending_approval:
            lines.append(t(locale, "signup.pending"))
        return "\n".join(lines)


@dataclass(frozen=True)
class StatusResult:
    """A mentor's availability after a change."""

    status: str
    until: datetime | None


def parse_capacity(value: str | int | None, default: int) -> int:
    """A capacity between 1 and 10."""
    if value is None or value == "":
        return default
    try:
        number = ascii_int(str(value))
    except ValueError:
        raise InvalidInput("error.capacity", value=user(str(value)[:20])) from None
    if not MIN_CAPACITY <= number <= MAX_CAPACITY:
        raise InvalidInput("error.capacity", value=str(number))
    return number


def parse_until(value: str, now: datetime, tz: str | None) -> datetime:
    """'7d', '2w' or a date 'YYYY-MM-DD' (midnight in the member's zone) in the future."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise InvalidInput("error.until", value=user(value)) from None
        when = day.replace(tzinfo=ZoneInfo(tz) if tz else UTC).astimezone(UTC)
    else:
        try:
            when = now + parse_duration(value)
        except ValueError:
            raise InvalidInput("error.until", value=user(value[:40])) from None
    if when <= now:
        raise InvalidInput("error.until_past", value=user(value[:40]))
    if when > now + timedelta(days=366):
        raise InvalidInput("error.until", value=user(value[:40]))
    return when


class MentorService:
    """Mentor profiles as their owners manage them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def signup(
        self,
        actor: Actor,
        *,
        skills: str,
        languages: str | None = None,
        timezone: str | None = None,
        capacity: str | int | None = None,
    ) -> SignupResult:
        """Create or update a mentor profile; all input is checked before anything changes."""
        skill_list = normalize_skills(check_length(skills, 1000, "skills"))
        if not skill_list:
            raise InvalidInput("error.skills_missing")
        if len(skill_list) > MAX_SKILLS:
            raise InvalidInput("error.skills_too_many", limit=MAX_SKILLS)
        langs = parse_languages(languages) if languages else None
        tz = parse_timezone(timezone) if timezone else None
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            programme = self.ctx.programme_for(community)
            cap = parse_capacity(capacity, programme.default_capacity)
            first_contact = member.consent_at is None
            if first_contact:
                member.consent_at = now
            assert member.id is not None and community.id is not None
            profile = await mentor_repo.get_profile(s, member_id=member.id)
            created = profile is None
            if profile is None:
                profile = MentorProfile(
                    community_id=community.id,
                    member_id=member.id,
                    approved=not programme.mentor_approval,
                    created_at=now,
                )
                s.add(profile)
            profile.skills = skill_list
            # Without languages named, a mentor speaks the community's language.
            profile.languages = langs or profile.languages or [community.locale]
            if langs is not None:
                member.languages = langs
            if tz:
                profile.timezone = tz
                member.timezone = tz
            elif not profile.timezone:
                profile.timezone = member.timezone
            if capacity is not None or created:
                profile.capacity = cap
            await s.flush()
            pending = not profile.approved
            ref = self.ctx.ref(community)
            locale = self.ctx.locale_of(None, community)
        if pending and created:
            platform = self.ctx.platform(ref.platform)
            await platform.send_to_channel(
                ref,
                "moderation",
                Message(t(locale, "signup.approval_needed", name=user(member.display_name))),
            )
        return SignupResult(profile, created, pending, first_contact)

    async def set_status(self, actor: Actor, status: str, until: str | None = None) -> StatusResult:
        """Pause (optionally until a time) or resume a mentor."""
        status = status.strip().lower()
        if status not in ("available", "paused"):
            raise InvalidInput("error.status", value=user(status[:20]))
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            assert member.id is not None
            when = (
                parse_until(until, now, member.timezone) if until and status == "paused" else None
            )
            profile = await mentor_repo.get_profile(s, member_id=member.id)
            if profile is None:
                raise NotFound("error.not_mentor")
            profile.status = status
            profile.paused_until = when
            if status == "available":
                profile.consecutive_timeouts = 0
            return StatusResult(status, when)

    async def set_digest(self, actor: Actor, enabled: bool) -> None:
        """Whether the weekly digest may thank this mentor by name."""
        async with self.ctx.db.begin() as s:
            _, member = await self.ctx.resolve(s, actor)
            profile = await mentor_repo.get_profile(s, member_id=member.id or 0)
            if profile is None:
                raise NotFound("error.not_mentor")
            profile.digest_opt_out = not enabled

    async def profile(self, actor: Actor) -> MentorProfile | None:
        """The actor's mentor profile, if they signed up."""
        async with self.ctx.db() as s:
            community = await member_repo.get_community(
                s, platform=actor.platform, external_id=actor.community
            )
            if community is None or community.id is None:
                return None
            member = await member_repo.get_member(
                s, community_id=community.id, user_id=actor.user_id
            )
            if member is None or member.id is None:
                return None
            return await mentor_repo.get_profile(s, member_id=member.id)
