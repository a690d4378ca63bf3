"""Office hours in core: weekly sessions in local time across DST changes, RSVPs, one reminder
an hour before each session (exactly once), lists in the viewer's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.actions import run_action
from bot.core.errors import Conflict, InvalidInput, NotAllowed
from bot.core.i18n import unmark
from bot.core.services import Services
from bot.core.times import occurrence_after
from bot.scheduler import Sweeper
from bot.text.router import Incoming, TextRouter
from tests.conftest import actor, make_services

BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reminders(platform, who: str) -> list[str]:
    return [m.text for m in platform.to("dm", who) if "Reminder" in m.text or "start in" in m.text]


async def say(router: TextRouter, who: str, line: str) -> str:
    return "\n".join(unmark(m.text) for m in await router.handle(Incoming(actor(who), line)))


def test_sessions_keep_their_local_time_across_both_dst_changes() -> None:
    tue_18 = (1, time(18, 0), BERLIN)
    assert occurrence_after(*tue_18, utc(2026, 3, 20, 12)) == utc(2026, 3, 24, 17)  # CET
    assert occurrence_after(*tue_18, utc(2026, 3, 24, 17)) == utc(2026, 3, 31, 16)  # CEST
    assert occurrence_after(*tue_18, utc(2026, 10, 20, 15)) == utc(2026, 10, 20, 16)
    assert occurrence_after(*tue_18, utc(2026, 10, 20, 16)) == utc(2026, 10, 27, 17)  # CET again
    # Sunday 02:30 does not exist on 2026-03-29 in Berlin: it falls an hour later, never lost.
    assert occurrence_after(6, time(2, 30), BERLIN, utc(2026, 3, 28)) == utc(2026, 3, 29, 1, 30)


async def test_reminders_an_hour_before_in_local_time_across_dst(
    sqlite_engine, clock, platform
) -> None:
    clock.set(utc(2026, 3, 20, 12))
    services: Services = make_services(sqlite_engine, clock, platform)
    with pytest.raises(NotAllowed):
        await services.office_hours.schedule(actor("alice"), weekday="tue", at="18:00",
                                             timezone=BERLIN, topic="Python Q&A")  # fmt: skip
    await services.mentors.signup(actor("bob"), skills="python")
    session = await services.office_hours.schedule(
        actor("bob"), weekday="Dienstag", at="18:00", timezone="europe/berlin", topic="Python Q&A")
    assert session.starts_at == utc(2026, 3, 24, 17)
    (announcement,) = platform.to("channel", "welcome")
    assert "every Tue at 18:00 (Europe/Berlin)" in announcement.text
    rsvp = await run_action(services, actor("alice"), announcement.buttons[0].action, "en")
    assert "Tue 2026-03-24 18:00 (Europe/Berlin)" in rsvp[0].text

    async def at(*when: int) -> None:
        clock.set(utc(*when))
        await services.office_hours.remind_due()
        await services.postman.drain()

    await at(2026, 3, 24, 15, 59)
    assert reminders(platform, "alice") == []
    await at(2026, 3, 24, 16, 0, 30)
    await at(2026, 3, 24, 16, 1)
    (first,) = reminders(platform, "alice")
    assert "start in one hour, Tue 2026-03-24 18:00 (Europe/Berlin)" in first and "<@bob>" in first
    assert "RSVPs so far: 1" in reminders(platform, "bob")[0]
    # After the change to summer time the session is still at 18:00 local (16:00 UTC).
    await at(2026, 3, 25)
    await services.office_hours.rsvp(actor("alice"), session.id)
    await at(2026, 3, 31, 14, 59)
    assert len(reminders(platform, "alice")) == 1
    await at(2026, 3, 31, 15, 0, 30)
    assert "Tue 2026-03-31 18:00 (Europe/Berlin)" in reminders(platform, "alice")[-1]
    # October: 18:00 local is 16:00 UTC before the change and 17:00 UTC after it.
    await at(2026, 10, 19, 12)  # months later: stale sessions are skipped, nothing sent
    assert len(reminders(platform, "alice")) == 2
    await services.office_hours.rsvp(actor("alice"), session.id, "20261020")
    await services.office_hours.rsvp(actor("alice"), session.id, "20261027")
    await at(2026, 10, 20, 15, 0, 30)
    assert "Tue 2026-10-20 18:00" in reminders(platform, "alice")[-1]
    await at(2026, 10, 27, 15, 30)
    assert len(reminders(platform, "alice")) == 3
    await at(2026, 10, 27, 16, 0, 30)
    assert "Tue 2026-10-27 18:00" in reminders(platform, "alice")[-1]
    assert len(reminders(platform, "alice")) == 4
    assert platform.duplicates == 0


async def test_list_in_viewer_zone_rsvp_by_text_and_errors(sqlite_engine, clock, platform) -> None:
    clock.set(utc(2026, 3, 20, 12))
    services = make_services(sqlite_engine, clock, platform)
    router = TextRouter(services)
    await say(router, "bob", "!mentor-signup skills=python")
    scheduled = await say(router, "bob", '!office-hours schedule day=tue time=18:00 '
                                         'tz=Europe/Berlin topic="Python Q&A" duration=45')  # fmt: skip
    assert "#1 “Python Q&A”" in scheduled
    await say(router, "carol", "!profile tz=America/New_York")
    listed = await say(router, "carol", "!office-hours")
    assert "Tue 2026-03-24 13:00 (America/New_York) · 45 min · 0 going" in listed
    no_zone = await router.handle(Incoming(actor("dave"), "!office-hours list"))
    assert "(Europe/Berlin)" in no_zone[0].text and "set yours in your profile" in no_zone[0].text
    assert [b.action for b in no_zone[0].buttons] == ["oh:rsvp:1:20260324"]
    assert "You're on the list" in await say(router, "carol", "!office-hours rsvp 1 2026-03-31")
    assert "already on the list" in await say(router, "carol", "!office-hours rsvp 1 20260331")
    assert "not on its day" in await say(router, "carol", "!office-hours rsvp 1 2026-03-30")
    with pytest.raises(InvalidInput):
        await services.office_hours.schedule(actor("bob"), weekday="someday", at="18:00",
                                             timezone=BERLIN, topic="x")  # fmt: skip
    with pytest.raises(InvalidInput):
        await services.office_hours.schedule(actor("bob"), weekday="mon", at="25:00",
                                             timezone=BERLIN, topic="x")  # fmt: skip
    assert "Only the host" in await say(router, "carol", "!office-hours cancel 1")
    assert "are cancelled" in await say(router, "bob", "!office-hours cancel 1")
    with pytest.raises(Conflict):
        await services.office_hours.rsvp(actor("carol"), 1)
    assert "No office hours" in await say(router, "carol", "!office-hours list")


async def test_an_rsvp_survives_a_restart(sqlite_engine, clock, platform) -> None:
    services = make_services(sqlite_engine, clock, platform)
    await services.mentors.signup(actor("bob"), skills="python")
    session = await services.office_hours.schedule(actor("bob"), weekday="fri", at="09:30",
                                                   timezone="UTC", topic="Git")  # fmt: skip
    await services.office_hours.rsvp(actor("alice"), session.id)
    restarted = make_services(sqlite_engine, clock, platform)
    (again,) = (await restarted.office_hours.upcoming(actor("alice")))[0]
    assert again.mine and again.going == 1
    clock.set(session.starts_at - timedelta(minutes=59))
    await Sweeper(restarted).sweep()
    assert len(reminders(platform, "alice")) == 1
