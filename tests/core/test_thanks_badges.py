"""Badges from thanks mean something: they count different thankers, a repeat within the
cooldown is posted but not counted, thanking yourself is refused — and a badge's role follows
the badge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.core.errors import InvalidInput
from bot.core.outbox import Letter, enqueue
from bot.core.ports import CommunityRef
from bot.core.recognition import THANKS_COOLDOWN
from bot.core.services import Services
from bot.text.router import Incoming, TextRouter
from tests.conftest import actor
from tests.fakes import FakePlatform


@dataclass
class RolePlatform(FakePlatform):
    """The fake platform plus the badge-role hook Discord has (`badge_roles`)."""

    granted: list[tuple[str, str]] = field(default_factory=list)

    async def grant_badge(self, community: CommunityRef, user_id: str, badge: str) -> None:
        self.granted.append((user_id, badge))


@pytest.fixture
def platform() -> RolePlatform:
    return RolePlatform()


def badge_posts(platform: RolePlatform) -> list[str]:
    return [m.text for m in platform.to("channel", "recognition") if "Ten thanks" in m.text]


async def test_one_member_thanking_bob_ten_times_earns_him_nothing(
    services: Services, platform: RolePlatform, clock
) -> None:
    router = TextRouter(services)
    await router.handle(Incoming(actor("bob"), "!profile bio=hi"))
    for i in range(10):
        (reply,) = await router.handle(Incoming(actor("ann"), f"!thanks bob great help #{i}"))
        assert "has been posted" in reply.text
    thanks = [m.text for m in platform.to("channel", "recognition") if "great help" in m.text]
    assert len(thanks) == 10  # every thank-you is still posted
    await services.postman.drain()
    assert badge_posts(platform) == [] and platform.granted == []
    repeat = await services.recognition.thank(actor("ann"), "bob", "again")
    assert (repeat.counted, repeat.total_received) == (False, 1)
    for day in range(2, 12):  # once a day, after the cooldown each time: counted, one thanker
        clock.advance(THANKS_COOLDOWN + timedelta(minutes=1))
        later = await services.recognition.thank(actor("ann"), "bob", "a day later")
        assert (later.counted, later.total_received) == (True, day)
    await services.postman.drain()
    assert badge_posts(platform) == [] and platform.granted == []


async def test_ten_different_members_earn_ten_thanks_once_with_its_role(
    services: Services, platform: RolePlatform
) -> None:
    await services.profiles.update_profile(actor("bob"), bio="hi")
    for i in range(9):
        await services.recognition.thank(actor(f"m{i}"), "bob")
        await services.recognition.thank(actor(f"m{i}"), "bob")
    await services.postman.drain()
    assert badge_posts(platform) == [] and platform.granted == []  # nine thankers, 18 thanks
    await services.recognition.thank(actor("m9"), "bob")
    await services.recognition.thank(actor("m10"), "bob")  # the eleventh changes nothing
    await services.postman.drain()
    (post,) = badge_posts(platform)
    assert "<@bob>" in post
    assert platform.granted == [("bob", "ten_thanks")]


async def test_thanking_yourself_is_still_refused(services: Services, platform) -> None:
    await services.profiles.update_profile(actor("bob"), bio="hi")
    with pytest.raises(InvalidInput, match=r"thanks\.self"):
        await services.recognition.thank(actor("bob"), "bob", "me")
    router = TextRouter(services)
    (reply,) = await router.handle(Incoming(actor("bob"), "!thanks bob"))
    assert "does not count" in reply.text
    assert platform.to("channel", "recognition") == []


async def test_a_queued_badge_of_someone_who_deleted_their_data_is_not_posted(
    services: Services, platform: RolePlatform
) -> None:
    """Even a row queued before the recipient column existed (found by its mention)."""
    await services.profiles.update_profile(actor("bob"), bio="hi")
    async with services.ctx.db.begin() as tx:
        community = (await services.profiles.member(actor("bob"))).community_id
        await enqueue(tx, [Letter("badge:old", community, "badge", "channel", "recognition",
                                  "badge.announce", {"badge_key": "badge.ten_thanks",
                                                     "badge_id": "ten_thanks"},
                                  {"member": "bob"})], services.ctx.clock.now())  # fmt: skip
    await services.privacy.delete(actor("bob"))
    assert await services.postman.drain() == 0
    assert badge_posts(platform) == [] and platform.granted == []
