"""On a real Synapse: member text never mentions (notifies) anyone it names (issue 13)."""

from __future__ import annotations

from typing import Any

from tests.matrix.botworld import BotWorld, body
from tests.matrix.synapse import RegisteredUser


async def highlights(world: BotWorld, who: RegisteredUser) -> list[dict[str, Any]]:
    """The events Synapse highlighted for `who` (mentions: what pings them)."""
    found = await world.server.admin_request(
        "GET", "/_matrix/client/v3/notifications?only=highlight&limit=100", token=who.access_token
    )
    return list(found["notifications"])


async def test_thanks_naming_another_user_does_not_mention_them(world: BotWorld) -> None:
    helper, helper_c = await world.member("helper")
    bystander, _ = await world.member("bystander")
    thanker, thanker_c = await world.member("thanker")
    await world.bot_says(thanker_c, world.room, thanker.user_id, "Welcome")
    words = f"great review, ask {bystander.user_id} @room <b>too</b>"
    await world.ask(thanker_c, world.room, f"!thanks {helper.user_id} {words}", "posted")
    public = await world.bot_says(helper_c, world.room, "great review", helper.user_id)
    content = public["content"]
    # Only the thanked member and the thanker are mentioned; the named bystander is text.
    assert sorted(content["m.mentions"]["user_ids"]) == sorted([helper.user_id, thanker.user_id])
    assert "room" not in content["m.mentions"]
    html = content["formatted_body"]
    assert f'href="https://matrix.to/#/{helper.user_id}"' in html
    assert bystander.user_id in body(public) and bystander.user_id in html
    assert f"matrix.to/#/{bystander.user_id}" not in html
    assert "@room &lt;b&gt;too&lt;/b&gt;" in html and "\ue000" not in html + body(public)
    # What each of them notices: Synapse highlights the post for the helper, not the bystander.
    mine = [n["event"]["event_id"] for n in await highlights(world, helper)]
    assert public["event_id"] in mine
    assert public["event_id"] not in [
        n["event"]["event_id"] for n in await highlights(world, bystander)
    ]
