"""Office hours: a mentor's weekly session in local time, RSVPs and a reminder an hour before.

Sessions are computed in the session's own time zone (zoneinfo), so 18:00 Europe/Berlin
stays 18:00 local across daylight-saving changes; only its UTC instant moves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.core.action import Action, Args
from bot.core.clock import as_utc
from bot.core.context import Actor, Context, check_length
from bot.core.errors import Conflict, InvalidInput, NotAllowed
from bot.core.groups import MAX_TOPIC, find_group
from bot.core.i18n import t, user
from bot.core.inputs import is_digits
from bot.core.outbox import Letter, enqueue
from bot.core.ports import Message
from bot.core.spaces import announce
from bot.core.times import (
    local_day,
    local_start,
    occurrence_after,
    parse_clock,
    parse_weekday,
    when_text,
)
from bot.core.vocab import normalize_timezone
from storage.db import Tx
from storage.models import Group, Member
from storage.repositories import groups as group_repo
from storage.repositories import members as member_repo
from storage.repositories import mentors as mentor_repo

if TYPE_CHECKING:
    from bot.core.services import Services

REMIND_BEFORE = timedelta(hours=1)


@dataclass(frozen=True)
class Session:
    """One upcoming office-hours session as a viewer sees it."""

    id: int
    topic: str
    host: str
    host_user_id: str
    starts_at: datetime
    day: date
    duration: int
    zone: str
    going: int
    mine: bool

    def line(self, locale: str, viewer_zone: str | None) -> str:
        """'#3 “Python Q&A” with Bob: Tue 2026-03-31 18:00 (Europe/Berlin) · 60 min · 2 going'."""
        when = when_text(locale, self.starts_at, viewer_zone or self.zone)
        mark = " ✓" if self.mine else ""
        return t(locale, "oh.list_line", id=self.id, topic=user(self.topic),
                 host=user(self.host) if self.host_user_id else self.host, when=when,
                 minutes=self.duration, going=self.going) + mark  # fmt: skip


def _rule(group: Group) -> tuple[int, time, str]:
    assert group.weekday is not None and group.local_time and group.timezone
    return group.weekday, parse_clock(group.local_time), group.timezone


def _stamp(day: date) -> str:
    return day.strftime("%Y%m%d")


async def _host(tx: Tx, group: Group) -> Member | None:
    return (
        await member_repo.get_member_by_id(tx, member_id=group.owner_id) if group.owner_id else None
    )


class OfficeHoursService:
    """Schedule, list, RSVP and remind."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def schedule(self, actor: Actor, *, weekday: str, at: str, timezone: str, topic: str,
                       duration: int | str = 60, moderator: bool = False) -> Session:  # fmt: skip
        """A mentor's weekly session, announced in the welcome channel with an RSVP button."""
        day, clock = parse_weekday(weekday), parse_clock(at)
        zone = normalize_timezone(timezone)
        if zone is None:
            raise InvalidInput("error.timezone", value=user(timezone[:64]))
        topic = check_length(topic, MAX_TOPIC, "topic")
        if not topic:
            raise InvalidInput("oh.topic_needed")
        minutes = int(duration) if is_digits(str(duration).strip()) else 0
        if not 15 <= minutes <= 480:
            raise InvalidInput("oh.bad_duration", value=user(str(duration)[:10]))
        now = self.ctx.clock.now()
        first = occurrence_after(day, clock, zone, now)
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            profile = await mentor_repo.get_profile(s, member_id=member.id or 0)
            if not moderator and (profile is None or profile.status == "removed"):
                raise NotAllowed("oh.mentors_only")
            group = Group(community_id=community.id or 0, kind="office_hours", name=topic[:100],
                          topic=topic, owner_id=member.id, weekday=day,
                          local_time=clock.strftime("%H:%M"), timezone=zone,
                          duration_minutes=minutes, next_at=first, created_at=now)  # fmt: skip
            s.add(group)
            await s.flush()
        ref = self.ctx.ref(community)
        locale = self.ctx.locale_of(None, community)
        platform = self.ctx.platform(ref.platform)
        text = t(locale, "oh.announce", host=platform.mention(actor.user_id), topic=user(topic),
                 weekday=t(locale, f"groups.weekday_{day}"), time=clock.strftime("%H:%M"),
                 zone=zone, minutes=minutes, next=when_text(locale, first, zone))  # fmt: skip
        button = OH_RSVP.button(t(locale, "button.rsvp"), "primary", group=group.id)
        await announce(self.ctx, ref, Message(text, (button,), (actor.user_id,)))
        return Session(group.id or 0, topic, member.display_name, actor.user_id, first,
                       local_day(first, zone), minutes, zone, 0, False)  # fmt: skip

    async def upcoming(self, actor: Actor) -> tuple[list[Session], str | None]:
        """The next session of every series, soonest first, and the viewer's time zone."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            groups = await group_repo.open_office_hours(s, community_id=community.id or 0,
                                                        limit=50)  # fmt: skip
            sessions = [await self._session(s, g, member, now) for g in groups]
        return sorted(sessions, key=lambda x: (x.starts_at, x.id))[:10], member.timezone

    async def _session(self, s: Tx, group: Group, viewer: Member, now: datetime
                       ) -> Session:  # fmt: skip
        weekday, at, zone = _rule(group)
        start = occurrence_after(weekday, at, zone, now)
        day = local_day(start, zone)
        host = await _host(s, group)
        going = await group_repo.rsvp_ids(s, group_id=group.id or 0, day=day)
        return Session(group.id or 0, group.topic, host.display_name if host else "—",
                       host.platform_user_id if host else "", start, day,
                       group.duration_minutes or 60, zone, len(going),
                       viewer.id in going)  # fmt: skip

    async def rsvp(self, actor: Actor, key: str | int, day: str | None = None
                   ) -> tuple[Session, bool, str | None]:  # fmt: skip
        """RSVP for the next session (or the one on `day`, YYYYMMDD); returns (session, new, tz)."""
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "office_hours", key)
            if group.status != "open":
                raise Conflict("oh.cancelled", topic=user(group.topic))
            weekday, at, zone = _rule(group)
            session = await self._session(s, group, member, now)
            if day:
                try:
                    wanted = datetime.strptime(day, "%Y%m%d").date()
                except ValueError as err:
                    raise InvalidInput("oh.bad_date", value=user(day[:10])) from err
                start = local_start(wanted, at, zone)
                if wanted.weekday() != weekday or start <= now:
                    raise Conflict("oh.session_over", topic=user(group.topic))
                session = replace(session, starts_at=start, day=wanted)
            member.consent_at = member.consent_at or now
            new = await group_repo.add_rsvp(s, group_id=group.id or 0, member_id=member.id or 0,
                                            day=session.day, now=now)  # fmt: skip
        return session, new, member.timezone

    async def cancel(self, actor: Actor, key: str | int, *, moderator: bool = False) -> str:
        """The host (or a moderator) ends a series; returns its topic."""
        async with self.ctx.db.begin() as s:
            community, member = await self.ctx.resolve(s, actor)
            group = await find_group(s, community.id or 0, "office_hours", key)
            if group.owner_id != member.id and not moderator:
                raise NotAllowed("oh.not_host")
            group.status, group.next_at = "cancelled", None
        return group.topic

    async def remind_due(self) -> int:
        """An hour before each session: remind everyone who RSVPed, and the host."""
        now = self.ctx.clock.now()
        async with self.ctx.db() as s:
            due = await group_repo.office_hours_due(s, before=now + REMIND_BEFORE)
        queued = 0
        for gid, old in due:
            async with self.ctx.db.begin() as s:
                group = await group_repo.get_group(s, group_id=gid)
                assert group is not None
                weekday, at, zone = _rule(group)
                start = as_utc(old) or now
                following = occurrence_after(weekday, at, zone, max(start, now))
                won = await group_repo.claim_next(s, group_id=gid, old=old, following=following)
                if not won or start <= now:
                    continue  # another process took it, or the session already began
                queued += await self._remind(s, group, start, now)
        return queued

    async def _remind(self, s: Tx, group: Group, start: datetime, now: datetime) -> int:
        zone = group.timezone or "UTC"
        day = local_day(start, zone)
        people = await group_repo.rsvped(s, group_id=group.id or 0, day=day)
        host = await _host(s, group)
        base = f"oh:{group.id}:{_stamp(day)}"
        letters = []
        for person in people:
            locale = self.ctx.locale_of(person)
            when = when_text(locale, start, person.timezone or zone)
            letters.append(Letter(
                f"{base}:{person.id}", group.community_id, "oh_reminder", "member",
                str(person.id), "oh.reminder", {"topic": user(group.topic), "when": when},
                {"host": host.platform_user_id if host else ""}, group=group.id,
            ))  # fmt: skip
        if host is not None:
            locale = self.ctx.locale_of(host)
            letters.append(Letter(
                f"{base}:host", group.community_id, "oh_reminder", "member", str(host.id),
                "oh.host_reminder", {"topic": user(group.topic), "going": len(people),
                                     "when": when_text(locale, start, host.timezone or zone)}, {},
                group=group.id,
            ))  # fmt: skip
        return await enqueue(s, letters, now)


def sessions_message(locale: str, sessions: list[Session], viewer_zone: str | None) -> Message:
    """Upcoming sessions with one RSVP button each."""
    if not sessions:
        return Message(t(locale, "oh.list_empty"))
    lines = [t(locale, "oh.list_title")]
    lines += [s.line(locale, viewer_zone) for s in sessions]
    if not viewer_zone:
        lines.append(t(locale, "oh.zone_hint"))
    buttons = tuple(OH_RSVP_DAY.button(t(locale, "button.rsvp_for", id=s.id), "secondary",
                                       group=s.id, day=_stamp(s.day))
                    for s in sessions[:5])  # fmt: skip
    return Message("\n".join(lines), buttons=buttons)


def rsvp_message(locale: str, session: Session, new: bool, zone: str | None) -> Message:
    """The RSVP confirmation, with the time in the member's own zone when known."""
    when = when_text(locale, session.starts_at, zone or session.zone)
    return Message(t(locale, "oh.rsvp_done" if new else "oh.rsvp_again", topic=user(session.topic),
                     when=when))  # fmt: skip


# ----- actions (buttons and reactions) ------------------------------------------------------
async def _on_rsvp(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    day = args.word("day") or None
    found = await services.office_hours.rsvp(actor, args.number("group"), day)
    return [rsvp_message(locale, *found)]


OH_RSVP = Action("oh:rsvp:{group}", _on_rsvp, command="office-hours rsvp {group}")
# `day` is the session's local date as YYYYMMDD.
OH_RSVP_DAY = Action("oh:rsvp:{group}:{day}", _on_rsvp, command="office-hours rsvp {group} {day}")
