"""Small steps shared by the Discord end-to-end tests."""

from __future__ import annotations

from typing import Any

from tests.discord.env import Env
from tests.fakediscord.models import Member, Message


def button(message: Message, label: str) -> str:
    """The custom id of the button with this label."""
    for row in message.components:
        for comp in row["components"]:
            if comp.get("label") == label:
                return str(comp["custom_id"])
    raise LookupError(f"no button {label!r} on {message.content!r}")


def labels(message: Message) -> list[str]:
    return [c.get("label", "") for row in message.components for c in row["components"]]


async def signup(env: Env, who: Member, skills: str = "python", **options: Any) -> str:
    handle = await env.slash(who, "mentor-signup", {"skills": skills, **options})
    return await env.text_of(handle)


async def ask(env: Env, who: Member, topic: str = "python", choice: str = "Ask any mentor") -> str:
    """`/mentor topic` then press a suggestion button; returns the answer."""
    handle = await env.slash(who, "mentor", {"topic": topic})
    suggestions = await env.answer_message(handle)
    return await env.click(suggestions, button(suggestions, choice), who)


async def request_dm(env: Env, mentor: Member, mentee: Member) -> Message:
    """The newest request DM to `mentor` about `mentee`."""
    return await env.server.wait_for_dm(
        mentor.user.id, lambda m: f"<@{mentee.user.id}>" in m.content and m.components
    )
