"""Member text never pings anyone and never pulls anyone into a private thread (issue 13).

A hostile member writes mention syntax, masked links, headings, bold and HTML into every
Discord feature that echoes member text. What the loopback server received is the truth:
who each message pinged (Discord's rules: content mentions that `allowed_mentions` lets
through), who a message pulled into a private thread (Discord adds whoever the thread's
creator pings there), and what the text shows (Discord hides a backslash before
punctuation, so escaped text shows exactly as typed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from bot.core.i18n import user
from bot.core.ports import Button, CommunityRef, Message
from bot.platforms.discord.render import CONTENT_LIMIT, inert, send_parts, split_content
from storage.models import Group
from tests.discord.env import MANAGE_GUILD, Community, Env, bot_env, make_community
from tests.discord.helpers import button, signup
from tests.fakediscord import PRIVATE_THREAD, FakeDiscord
from tests.fakediscord.models import Member
from tests.fakediscord.models import Message as Posted

# What follows is not escaped: no backslash before it, or an even run of them.
ACTIVE = r"(?<!\\)(?:\\\\)*"


def shown(content: str) -> str:
    """What Discord shows: a backslash before punctuation is hidden (`\\*` shows `*`)."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", content)


class Hostile:
    """The bystander and role a hostile member tries to reach, and the texts that try."""

    def __init__(self, bystander: int, role: int) -> None:
        self.by, self.role = bystander, role

    def long(self, tag: str) -> str:
        """Every trick at once (for notes, messages, topics: up to 200 characters)."""
        return (f"# Big {tag} <@{self.by}> <@!{self.by}> <@&{self.role}> @everyone @here "
                f"[x](https://evil.example) **bold** <b>html</b>")  # fmt: skip

    def short(self, tag: str) -> str:
        """The tricks that fit a group name (80 characters)."""
        return f"# {tag} <@{self.by}> <@&{self.role}> @everyone **bold**"

    def active(self, content: str) -> list[str]:
        """Markup of the hostile texts that would still work in this message content."""
        checks = {
            "user mention": ACTIVE + f"<@!?{self.by}>",
            "role mention": ACTIVE + f"<@&{self.role}>",
            "@everyone/@here": ACTIVE + r"@(?:everyone|here)",
            "masked link": ACTIVE + r"\[x\]\(",
            "bold": ACTIVE + r"\*\*bold",
            "heading": r"(?m)^[ \t]*#{1,3}[ \t]",
        }
        return [name for name, pattern in checks.items() if re.search(pattern, content)]


async def _setup(server: FakeDiscord) -> tuple[Community, Member, int]:
    """A community whose bystander (holding a mentionable role) was there before the bot."""
    community = await make_community(server)
    role = await server.add_role(community.guild.id, "Staff", mentionable=True)
    bystander = await server.add_member(community.guild.id, None, "bystander", roles=[role])
    return community, bystander, role.id


async def say(env: Env, who: Member, name: str, options: dict[str, Any] | None = None,
              **kw: Any) -> str:  # fmt: skip
    return await env.text_of(await env.slash(who, name, options or {}, **kw))


def bot_posts(server: FakeDiscord) -> list[Posted]:
    return [m for m in server.all_messages() if m.author_id == server.bot_user.id and m.content]


def thread_named(server: FakeDiscord, parent: int, prefix: str) -> Any:
    return next(t for t in server.threads(parent) if (t.name or "").startswith(prefix))


async def test_member_text_pings_nobody_and_pulls_nobody_into_a_thread(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    server = fake_discord
    community, bystander, role = await _setup(server)
    h = Hostile(bystander.user.id, role)
    async with bot_env(server, tmp_path, [community]) as env:
        mod, bob, carol = [await env.member(n) for n in ("mod", "bob", "carol")]
        # Display names are member text too: alice's nickname tries to ping the bystander.
        alice = await env.member("alice", nick=f"<@{h.by}> @here")
        greeting = await server.wait_for_message(
            community.welcome.id, lambda m: f"<@{alice.user.id}>" in m.content)  # fmt: skip

        # /mentor note -> the request to bob (closed DMs: the public mentors channel).
        server.set_dm_closed(bob.user.id)
        await signup(env, bob, "python")
        asked = await env.slash(alice, "mentor", {"topic": "python", "note": h.long("N1")})
        suggestions = await env.answer_message(asked)
        await env.click(suggestions, button(suggestions, "Ask any mentor"), alice)
        offer = await server.wait_for_message(community.mentors.id, lambda m: "N1" in m.content)
        assert "You are now mentoring" in await env.click(offer, button(offer, "Accept"), bob)
        pair = thread_named(server, community.mentoring.id, "Mentoring:")
        welcome = await server.wait_for_message(pair.id, lambda m: "Welcome" in m.content)

        # A goal title, completed by alice (her nickname is in the celebration), a milestone.
        await say(env, alice, "mentoring goals", {"action": "add", "text": h.long("G1")},
                  channel=pair)  # fmt: skip
        await say(env, alice, "milestone add", {"goal": 1, "text": h.long("M1")}, channel=pair)
        await say(env, bob, "milestone complete", {"number": "1.1"}, channel=pair)
        await say(env, alice, "mentoring goals", {"action": "complete", "text": "1"},
                  channel=pair)  # fmt: skip
        await say(env, alice, "mentoring goals", {"action": "list"}, channel=pair)
        await server.wait_for_message(
            pair.id, lambda m: "G1" in m.content and "completed" in m.content
        )

        # /thanks with a message.
        await say(env, alice, "thanks", {"member": bob.user.id, "message": h.long("T1")})
        thanks = await server.wait_for_message(
            community.recognition.id, lambda m: "T1" in m.content
        )

        # A topic circle: name and topic.
        await say(env, carol, "circle create", {"name": h.short("C1"), "topic": h.long("C2")})
        await server.wait_for_message(community.welcome.id, lambda m: "C1" in m.content)
        await say(env, bob, "circle list")

        # A cohort: its name in the announcement and in the welcome inside its private thread.
        await say(env, mod, "cohort create", {"name": h.short("K1"), "leader": carol.user.id},
                  permissions=MANAGE_GUILD)  # fmt: skip
        await server.wait_for_message(community.welcome.id, lambda m: "K1" in m.content)
        await say(env, alice, "cohort join", {"cohort": "1"})
        async with env.services.ctx.db.begin() as s:
            await s.execute(update(Group).where(Group.kind == "cohort")
                            .values(starts_at=Group.created_at))  # fmt: skip
        assert await env.services.cohorts.sweep() == 1
        await env.services.postman.drain()
        cohort = thread_named(server, community.mentoring.id, "Cohort:")
        await server.wait_for_message(cohort.id, lambda m: "K1" in m.content)
        await say(env, alice, "cohort list")

        # Office hours: the topic in the announcement.
        await say(env, bob, "office-hours schedule", {
            "weekday": "tuesday", "time": "18:00", "timezone": "Europe/Berlin",
            "topic": h.long("O1")})  # fmt: skip
        await server.wait_for_message(community.welcome.id, lambda m: "O1" in m.content)
        await say(env, carol, "office-hours list")

        # A tandem: what each offers, in the introduction DMs and the private thread.
        erin, frank = await env.member("erin"), await env.member("frank")
        gives = f"u1 <@{h.by}> @everyone; r1 <@&{h.role}> **bold**"
        await say(env, erin, "tandem", {"offer": gives, "seek": "german"})
        await say(env, frank, "tandem", {"offer": "german", "seek": gives})
        for who in (erin, frank):
            intro = await server.wait_for_dm(
                who.user.id, lambda m: "Tandem introduction" in m.content
            )
            await env.click(intro, button(intro, "Confirm"), who)
        await env.services.postman.drain()
        tandem = thread_named(server, community.mentoring.id, "Tandem:")
        await server.wait_for_message(tandem.id, lambda m: "u1" in m.content)

        await env.services.postman.drain()
        posts = bot_posts(server)

    # Nobody was pinged or pulled in by member text ...
    assert server.pings_of(h.by) == []
    assert server.role_pings() == [] and server.everyone_pings() == []
    assert server.mention_thread_adds() == []
    threads = server.threads(community.mentoring.id)
    assert {t.name.split(":")[0] for t in threads} >= {"Mentoring", "Circle", "Cohort", "Tandem"}
    assert all(h.by not in t.thread_members for t in threads)
    assert pair.type == cohort.type == tandem.type == PRIVATE_THREAD
    # ... every bot message named its pings: users only, never roles, everyone or a reply.
    for post in posts:
        allowed = post.allowed_mentions
        assert allowed is not None and not allowed.get("parse"), post.content
        assert not allowed.get("roles") and not allowed.get("replied_user"), post.content
        assert h.by not in {int(u) for u in allowed.get("users") or ()}, post.content
    # ... while the people a message is meant for are still pinged.
    assert alice.user.id in greeting.pinged
    assert {alice.user.id, bob.user.id} <= set(welcome.pinged)
    assert {alice.user.id, bob.user.id} <= set(thanks.pinged)
    assert {alice.user.id, bob.user.id} <= set(pair.thread_members)  # thread-members API

    # Every message echoing the hostile texts shows them literally, with nothing active.
    tags = ("N1", "G1", "M1", "T1", "C1", "C2", "K1", "O1", "u1", "r1")
    echoes = [m for m in server.all_messages() if m.content and any(t in m.content for t in tags)]
    seen = {t for t in tags if any(t in m.content for m in echoes)}
    assert seen == set(tags), f"never echoed: {set(tags) - seen}"
    live = [f"{h.active(m.content)} in {m.content!r}" for m in echoes if h.active(m.content)]
    assert not live, "member text still active:\n" + "\n".join(live)
    for tag in ("N1", "T1", "O1", "G1", "M1", "C2"):
        assert any(h.long(tag) in shown(m.content) for m in echoes), f"{tag} not shown as typed"
    for tag in ("C1", "K1"):
        assert any(h.short(tag) in shown(m.content) for m in echoes), f"{tag} not shown as typed"
    assert any(f"<@{h.by}> @here" in shown(m.content) for m in echoes)  # the nickname


async def test_allowed_mentions_alone_keep_unmarked_text_from_pinging(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """Even text nobody marked (a call site that forgot `user(...)`) pings only the ids a
    message names, in channels, DMs and the pair's private thread."""
    server = fake_discord
    community, bystander, role = await _setup(server)
    by = bystander.user.id
    async with bot_env(server, tmp_path, [community]) as env:
        alice, bob = await env.member("alice"), await env.member("bob")
        platform = env.bot.platform
        ref = CommunityRef(1, "discord", str(community.guild.id))  # the only community
        raw = f"<@{by}> <@!{by}> <@&{role}> @everyone @here for <@{alice.user.id}>"
        space = await platform.open_space(ref, "Mentoring: raw", [str(alice.user.id),
                                                                  str(bob.user.id)])  # fmt: skip
        message = Message(raw, mentions=(str(alice.user.id),))
        await platform.post_in_space(ref, space, message)
        await platform.send_to_channel(ref, "recognition", message)
        await platform.send_to_member(ref, str(bob.user.id), message)
        sent = [m for m in server.all_messages() if m.content.endswith(f"<@{alice.user.id}>")]
    assert len(sent) == 3
    for post in sent:
        assert post.pinged == [alice.user.id]
        assert post.pinged_roles == [] and not post.pinged_everyone
    thread = server.channel(int(space))
    assert by not in thread.thread_members and server.mention_thread_adds() == []


# ----- the loopback server models Discord's rules (so the tests above can fail) ----------


async def test_loopback_pulls_pinged_members_into_private_threads(
    fake_discord: FakeDiscord,
) -> None:
    server = fake_discord
    community, bystander, role = await _setup(server)
    guild, by = community.guild.id, bystander.user.id
    other = await server.add_member(guild, None, "other")
    thread = await server.add_thread(community.mentoring.id, "private", type=PRIVATE_THREAD)
    bot = server.bot_user.id
    # Allowed mentions that forbid the ping: nobody pinged, nobody added.
    quiet = server.state.create_message(
        server.channel(thread.id), bot,
        {"content": f"<@{by}> <@&{role}> @everyone", "allowed_mentions": {"parse": []}})  # fmt: skip
    await server.emit_message("MESSAGE_CREATE", quiet)
    assert quiet.pinged == [] and quiet.pinged_roles == [] and not quiet.pinged_everyone
    assert by not in thread.thread_members
    # An escaped mention is text: it pings nobody even without allowed_mentions.
    escaped = server.state.create_message(thread, bot, {"content": f"\\<@{by}> \\@everyone"})
    await server.emit_message("MESSAGE_CREATE", escaped)
    assert escaped.pinged == [] and by not in thread.thread_members
    # A member who neither created the thread nor manages threads adds nobody.
    by_member = await server.send_message(thread.id, other.user.id, f"<@{by}>")
    assert by_member.pinged == [by] and by not in thread.thread_members
    # The creator's unrestricted mention pings and adds (a role pulls in its members).
    loud = server.state.create_message(thread, bot, {"content": f"hi <@&{role}>"})
    await server.emit_message("MESSAGE_CREATE", loud)
    assert loud.pinged_roles == [role] and loud.added_to_thread == [by]
    assert by in thread.thread_members and server.mention_thread_adds(by) == [loud]


async def test_loopback_refuses_contradicting_allowed_mentions_and_reports_marks(
    fake_discord: FakeDiscord, error_logs: Any
) -> None:
    import aiohttp

    server = fake_discord
    community, _, _ = await _setup(server)
    url = f"{server.api_base}/channels/{community.general.id}/messages"
    headers = {"Authorization": f"Bot {server.token}"}
    async with aiohttp.ClientSession() as http:
        bad = {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}
        async with http.post(url, json=bad, headers=headers) as resp:
            assert resp.status == 400
        marked = {"content": "a " + user("b"), "allowed_mentions": {"parse": []}}
        async with http.post(url, json=marked, headers=headers) as resp:
            assert resp.status == 200
    assert len(server.mark_leaks) == 1 and "body.content" in server.mark_leaks[0]
    assert [r.getMessage() for r in error_logs.take()] == [
        f"fakediscord: member-text marks reached Discord in {server.mark_leaks[0]}"
    ]
    server.mark_leaks.clear()  # sent on purpose


# ----- rendering (no server) ---------------------------------------------------------------


def test_rendered_member_text_is_inert_and_shows_as_typed() -> None:
    h = Hostile(123456789012345678, 987654321098765432)
    text = h.long("X") + "\n- list\n  - indented\n1. one\n> quote\n-# small\n```code```"
    rendered = inert(text)
    assert shown(rendered) == text
    assert h.active(rendered) == []
    assert not re.search(r"(?m)^[ \t]*(?:[-*+>]|\d+[.)])[ \t]", rendered)  # no list or quote
    assert "`" not in rendered.replace("\\`", "")
    parts = send_parts(Message(f"Thanks <@1>: {user(text)}", (Button("Ask " + user("**x**"), "a:b"),),
                               mentions=("1", "2", "not-an-id")), 7)  # fmt: skip
    (part,) = parts
    assert part["content"] == f"Thanks <@1>: {rendered}"
    assert part["allowed_mentions"].to_dict() == {"parse": [], "users": [1, 2]}
    assert part["view"].children[0].item.label == "Ask **x**"  # a label shows no markdown


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\\*_~|`>#-+1.)[]()<@&!:/everyonhr"), max_size=60))
def test_any_member_text_shows_exactly_as_typed(text: str) -> None:
    rendered = inert(text)
    assert shown(rendered) == text
    assert not re.search(ACTIVE + r"(?:<[@#/:at]|@(?:everyone|here)|\[[^\]]*\]\()", rendered)


def test_long_texts_are_split_at_line_breaks_never_cut() -> None:
    lines = [f"line {i} " + "\\*" * 30 for i in range(200)]
    text = "\n".join(lines)
    chunks = split_content(text)
    assert len(chunks) > 1 and all(len(c) <= CONTENT_LIMIT for c in chunks)
    assert "\n".join(chunks) == text
    one_line = "word\\* " * 700
    pieces = split_content(one_line)
    assert all(len(p) <= CONTENT_LIMIT for p in pieces) and "".join(pieces) == one_line
    assert all(not re.search(r"(?<!\\)(?:\\\\)*\\$", p) for p in pieces)  # no split escape
