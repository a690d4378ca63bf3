"""End-to-end checks that the real discord.py 2.7 client works against FakeDiscord."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import PRIVATE_THREAD, FakeDiscord, running


def intents(*, members: bool = True, messages: bool = False) -> discord.Intents:
    value = discord.Intents.none()
    value.guilds = True
    value.members = members
    value.guild_messages = messages
    value.dm_messages = messages
    return value


def collect(bot: commands.Bot, event: str) -> list:
    """Record the first argument of every ``event`` dispatched to ``bot``."""
    seen: list = []

    async def listener(*args) -> None:
        seen.append(args[0] if args else None)

    bot.add_listener(listener, event)
    return seen


def make_bot(
    *, members: bool = True, cls: type[commands.Bot] = commands.Bot, **kwargs
) -> commands.Bot:
    return cls(
        command_prefix="!", intents=intents(members=members), guild_ready_timeout=0.05, **kwargs
    )


async def setup_guild(server: FakeDiscord):
    guild = await server.add_guild("Mentoring", locale="de")
    general = await server.add_channel(guild.id, "general")
    alice = await server.add_member(guild.id, None, "alice", nick="Ali")
    bob = await server.add_member(guild.id, None, "bob", global_name="Bobby", dm_closed=True)
    return guild, general, alice, bob


# ---------------------------------------------------------------- gateway basics
async def test_login_sees_guild_and_members(fake_discord: FakeDiscord) -> None:
    guild, general, alice, bob = await setup_guild(fake_discord)
    bot = make_bot()
    async with running(bot, fake_discord):
        dguild = bot.get_guild(guild.id)
        assert dguild is not None and dguild.name == "Mentoring"
        assert dguild.get_channel(general.id).name == "general"
        assert dguild.get_member(alice.id).display_name == "Ali"
        assert dguild.get_member(bob.id).display_name == "Bobby"
        assert dguild.me.id == fake_discord.bot_user.id
        assert bot.application_id == fake_discord.application_id
        assert dguild.chunked
    (identify,) = fake_discord.gateway.identifies
    assert identify["intents"] == intents().value


async def test_member_join_reaches_on_member_join(fake_discord: FakeDiscord) -> None:
    guild, *_ = await setup_guild(fake_discord)
    bot = make_bot()
    joined: list[discord.Member] = []

    @bot.listen()
    async def on_member_join(member: discord.Member) -> None:
        joined.append(member)

    async with running(bot, fake_discord):
        carol = await fake_discord.add_member(guild.id, None, "carol")
        await fake_discord.wait_for(lambda: joined)
        assert joined[0].id == carol.id and joined[0].guild.id == guild.id


async def test_no_member_events_without_members_intent(fake_discord: FakeDiscord) -> None:
    guild, *_ = await setup_guild(fake_discord)
    bot = make_bot(members=False)
    joined = collect(bot, "on_member_join")
    created = collect(bot, "on_guild_channel_create")
    async with running(bot, fake_discord):
        await fake_discord.add_member(guild.id, None, "carol")
        await fake_discord.add_channel(guild.id, "sentinel")  # sent after the join
        await fake_discord.wait_for(lambda: created)
        assert joined == []
    log = fake_discord.gateway.dispatch_log
    assert [n for event, _, n in log if event == "GUILD_MEMBER_ADD"][-1] == 0  # carol: nobody


async def test_resume_after_dropped_connection(fake_discord: FakeDiscord) -> None:
    guild, *_ = await setup_guild(fake_discord)
    bot = make_bot()
    joined = collect(bot, "on_member_join")
    async with running(bot, fake_discord):
        await fake_discord.gateway.drop_connections(code=4000)
        await fake_discord.add_member(guild.id, None, "during-outage")  # buffered, replayed
        await fake_discord.wait_for(lambda: len(fake_discord.gateway.live_sessions) == 1)
        await fake_discord.wait_for(lambda: joined)
    assert len(fake_discord.gateway.sessions) == 1  # resumed, not re-identified


@pytest.mark.parametrize("shard_count", [2, None])
async def test_autosharded_bot_connects(fake_discord: FakeDiscord, shard_count: int | None) -> None:
    fake_discord.recommended_shards = 2
    base = fake_discord.state.new_id() >> 22
    g0 = await fake_discord.add_guild("even", guild_id=(base + base % 2) << 22)
    g1 = await fake_discord.add_guild("odd", guild_id=(base + 1 - base % 2) << 22)

    class Sharded(commands.AutoShardedBot):
        async def before_identify_hook(self, shard_id, *, initial=False):
            return None  # skip discord.py's 5 s pause between shards

    bot = make_bot(cls=Sharded, shard_count=shard_count)
    async with running(bot, fake_discord):
        assert sorted(bot.shards) == [0, 1]
        assert bot.get_guild(g0.id).shard_id == 0 and bot.get_guild(g1.id).shard_id == 1
    shards = sorted(s.shard for s in fake_discord.gateway.sessions.values())
    assert shards == [(0, 2), (1, 2)]
    assert fake_discord.limiter.count("GET", "/gateway/bot") == (1 if shard_count is None else 0)


# ------------------------------------------------------------- app commands
class GermanTranslator(app_commands.Translator):
    async def translate(self, string, locale, context):
        if locale is discord.Locale.german:
            return {"mentor": "mentorin", "Find a mentor": "Finde eine Mentorin"}.get(
                string.message
            )
        return None


class MentorView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Accept", custom_id="mentor:accept", style=discord.ButtonStyle.success)
    async def accept(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message(
            f"accepted by {interaction.user.display_name}", ephemeral=True
        )


class GoalModal(discord.ui.Modal, title="Your goal"):
    goal = discord.ui.TextInput(label="Goal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"goal saved: {self.goal.value}", ephemeral=True)


class MentorBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=intents(), guild_ready_timeout=0.05)

    async def setup_hook(self) -> None:
        self.add_view(MentorView())
        await self.tree.set_translator(GermanTranslator())

        @self.tree.command(name="mentor", description="Find a mentor")
        @app_commands.describe(topic="What you want to learn", mentor="Preferred mentor")
        async def mentor(
            interaction: discord.Interaction,
            topic: str,
            level: int = 1,
            mentor: discord.Member | None = None,
        ) -> None:
            who = mentor.display_name if mentor else "anyone"
            perms = interaction.permissions.manage_guild
            await interaction.response.send_message(
                f"{topic}/{level}/{who}/{interaction.locale.value}/admin={perms}", ephemeral=True
            )

        @self.tree.command(name="goal", description="Set a goal")
        async def goal(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(GoalModal())

        @self.tree.command(name="slow", description="Deferred answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("psst", ephemeral=True)

        @self.tree.command(name="pick", description="Autocomplete")
        async def pick(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(topic)

        @pick.autocomplete("topic")
        async def pick_topic(interaction: discord.Interaction, current: str):
            return [
                app_commands.Choice(name=t, value=t)
                for t in ("python", "rust", "go")
                if t.startswith(current)
            ]


async def test_global_command_sync_stores_localizations(fake_discord: FakeDiscord) -> None:
    guild, *_ = await setup_guild(fake_discord)
    bot = MentorBot()
    async with running(bot, fake_discord):
        synced = await bot.tree.sync()
        await bot.tree.sync(guild=discord.Object(guild.id))
    assert {c.name for c in synced} == {"mentor", "goal", "slow", "pick"}
    mentor = fake_discord.commands()["mentor"]
    assert mentor["name_localizations"]["de"] == "mentorin"
    assert mentor["description_localizations"]["de"] == "Finde eine Mentorin"
    assert {o["name"] for o in mentor["options"]} == {"topic", "mentor", "level"}
    assert fake_discord.commands(guild.id) == {}
    assert fake_discord.command_syncs[-1] == (guild.id, [])


async def test_slash_command_gets_ephemeral_reply(fake_discord: FakeDiscord) -> None:
    guild, general, alice, bob = await setup_guild(fake_discord)
    bot = MentorBot()
    async with running(bot, fake_discord):
        await bot.tree.sync()
        handle = await fake_discord.send_slash(
            guild.id,
            general.id,
            alice.id,
            "mentor",
            {"topic": "rust", "level": 3, "mentor": bob},
            locale="de",
            permissions=discord.Permissions(manage_guild=True),
        )
        reply = await handle.response(timeout=3)
    assert reply["type"] == 4
    assert reply["data"]["content"] == "rust/3/Bobby/de/admin=True"
    assert handle.ephemeral and handle.original.ephemeral
    assert handle.latency is not None and handle.latency >= 0
    assert handle.payload["data"]["resolved"]["members"][str(bob.id)]


async def test_deferred_response_and_followups(fake_discord: FakeDiscord) -> None:
    guild, general, alice, _ = await setup_guild(fake_discord)
    bot = MentorBot()
    async with running(bot, fake_discord):
        handle = await fake_discord.send_slash(guild.id, general.id, alice.id, "slow")
        assert (await handle.response())["type"] == 5
        followups = await handle.wait_followups(2)
    assert handle.original.content == "done thinking" and not handle.original.ephemeral
    assert followups[1].content == "psst" and followups[1].ephemeral
    assert [m.content for m in fake_discord.messages(general.id, include_ephemeral=False)] == [
        "done thinking"
    ]


async def test_autocomplete_returns_choices(fake_discord: FakeDiscord) -> None:
    guild, general, alice, _ = await setup_guild(fake_discord)
    bot = MentorBot()
    async with running(bot, fake_discord):
        await bot.tree.sync()
        handle = await fake_discord.autocomplete(
            guild.id, general.id, alice.id, "pick", {"topic": "r"}, focused="topic"
        )
        reply = await handle.response()
    assert reply["type"] == 8
    assert handle.choices == [{"name": "rust", "value": "rust"}]


async def test_persistent_view_survives_restart(fake_discord: FakeDiscord) -> None:
    _guild, general, alice, _ = await setup_guild(fake_discord)
    first = MentorBot()
    async with running(first, fake_discord):
        await first.get_channel(general.id).send("Need a mentor?", view=MentorView())
    (posted,) = fake_discord.messages(general.id)
    assert posted.custom_ids() == ["mentor:accept"]

    second = MentorBot()  # a new process: only add_view() knows the button
    async with running(second, fake_discord):
        handle = await fake_discord.click_button(posted, "mentor:accept", alice.id)
        reply = await handle.response()
    assert reply["type"] == 4 and reply["data"]["content"] == "accepted by Ali"
    assert reply["data"]["flags"] & 64


async def test_modal_is_visible_and_submit_reaches_bot(fake_discord: FakeDiscord) -> None:
    guild, general, alice, _ = await setup_guild(fake_discord)
    bot = MentorBot()
    async with running(bot, fake_discord):
        opened = await fake_discord.send_slash(guild.id, general.id, alice.id, "goal")
        assert (await opened.response())["type"] == 9
        assert opened.modal["title"] == "Your goal"
        assert list(opened.modal_labels()) == ["Goal"]
        submitted = await fake_discord.submit_modal(opened, {"Goal": "learn asyncio"})
        reply = await submitted.response()
    assert reply["data"]["content"] == "goal saved: learn asyncio"


# ------------------------------------------------------------------ REST state
async def test_dm_to_closed_member_is_forbidden(fake_discord: FakeDiscord) -> None:
    _guild, _general, alice, bob = await setup_guild(fake_discord)
    bot = make_bot()
    async with running(bot, fake_discord):
        await bot.get_user(alice.id).send("welcome!")
        with pytest.raises(discord.Forbidden) as excinfo:
            await bot.get_user(bob.id).send("welcome!")
        with pytest.raises(discord.NotFound) as missing:
            await bot.fetch_channel(1234)
    assert excinfo.value.code == 50007
    assert missing.value.code == 10003
    assert [m.content for m in fake_discord.dm_messages(alice.id)] == ["welcome!"]
    assert fake_discord.dm_messages(bob.id) == []


async def test_private_thread_with_member(fake_discord: FakeDiscord) -> None:
    _guild, general, alice, _ = await setup_guild(fake_discord)
    bot = make_bot()
    joined = collect(bot, "on_thread_member_join")
    async with running(bot, fake_discord):
        channel = bot.get_channel(general.id)
        thread = await channel.create_thread(name="alice-mentoring", invitable=False)
        await thread.add_user(discord.Object(alice.id))
        await fake_discord.wait_for(lambda: joined)
        cached = await fake_discord.wait_for(lambda: bot.get_channel(thread.id))
        assert (
            isinstance(cached, discord.Thread) and cached.type is discord.ChannelType.private_thread
        )
        assert joined[0].id == alice.id
        await thread.send("hello both")
    server_thread = fake_discord.channel(thread.id)
    assert server_thread.type == PRIVATE_THREAD and not server_thread.invitable
    assert set(server_thread.thread_members) == {fake_discord.bot_user.id, alice.id}
    assert [m.content for m in fake_discord.messages(thread.id)] == ["hello both"]


async def test_roles_files_and_edits(fake_discord: FakeDiscord) -> None:
    guild, general, alice, _ = await setup_guild(fake_discord)
    role = await fake_discord.add_role(guild.id, "mentee")
    bot = make_bot()
    async with running(bot, fake_discord):
        member = bot.get_guild(guild.id).get_member(alice.id)
        await member.add_roles(discord.Object(role.id))
        await fake_discord.wait_for(lambda: role.id in [r.id for r in member.roles])
        msg = await bot.get_channel(general.id).send(
            "notes", file=discord.File(io.BytesIO(b"hello mentee"), "notes.txt")
        )
        assert await msg.attachments[0].read() == b"hello mentee"
        await msg.edit(content="notes (edited)")
    assert fake_discord.member(guild.id, alice.id).roles == [role.id]
    (stored,) = fake_discord.messages(general.id)
    assert stored.content == "notes (edited)" and stored.edited_timestamp
    assert [(a.filename, a.data) for a in stored.attachments] == [("notes.txt", b"hello mentee")]


async def test_message_bucket_is_respected_without_429(fake_discord: FakeDiscord) -> None:
    _guild, general, *_ = await setup_guild(fake_discord)
    fake_discord.limiter.set_limit("POST", "/channels/{channel_id}/messages", 2, 0.25)
    bot = make_bot()
    async with running(bot, fake_discord):
        channel = bot.get_channel(general.id)
        await asyncio.gather(*(channel.send(f"m{i}") for i in range(5)))
    assert sorted(m.content for m in fake_discord.messages(general.id)) == [
        f"m{i}" for i in range(5)
    ]
    assert fake_discord.rate_limited == []
    posts = fake_discord.limiter.select("POST", "/channels/{channel_id}/messages")
    assert posts[-1].at - posts[0].at >= 0.45  # 5 sends at 2 per 0.25 s need two waits
    assert fake_discord.limiter.peak_rps(1.0, "POST") <= 5


async def test_exhausted_bucket_gets_429_that_discord_py_waits_out(
    fake_discord: FakeDiscord,
) -> None:
    _guild, general, *_ = await setup_guild(fake_discord)
    route = "/channels/{channel_id}/messages"
    fake_discord.limiter.set_limit("POST", route, 5, 0.3)
    bot = make_bot()
    async with running(bot, fake_discord):
        fake_discord.limiter.drain("POST", route, channel_id=general.id)  # e.g. an old process
        await bot.get_channel(general.id).send("after the wait")
    (limited,) = fake_discord.rate_limited
    assert limited.route == route and not limited.global_limit
    assert [m.content for m in fake_discord.messages(general.id)] == ["after the wait"]
    ok = fake_discord.limiter.select("POST", route, status=200)
    assert ok[0].at - limited.at >= 0.2


async def test_global_rate_limit(fake_discord: FakeDiscord) -> None:
    _guild, _, alice, bob = await setup_guild(fake_discord)
    bot = make_bot()
    async with running(bot, fake_discord):
        fake_discord.limiter.global_limit = 3
        fake_discord.limiter.global_window = 0.5  # 1 solo request, then 3 at once: 1 gets 429
        users = await asyncio.gather(*(bot.fetch_user(u) for u in [alice.id, bob.id] * 2))
    assert {u.name for u in users} == {"alice", "bob"}
    assert fake_discord.rate_limited and all(r.global_limit for r in fake_discord.rate_limited)


# ----------------------------------------------------- more component flows
class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Edit", custom_id="p:edit")
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        button.disabled = True
        await interaction.response.edit_message(content="edited", view=self)

    @discord.ui.button(label="Defer", custom_id="p:defer")
    async def defer(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="deferred edit")

    @discord.ui.button(label="Ask", custom_id="p:modal")
    async def ask(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        modal = discord.ui.Modal(title="About you", custom_id="m:about")
        name = discord.ui.TextInput(label="Name", custom_id="name")
        pick = discord.ui.Select(
            custom_id="lang",
            options=[discord.SelectOption(label="de"), discord.SelectOption(label="en")],
        )
        modal.add_item(name).add_item(discord.ui.Label(text="Language", component=pick))

        async def on_submit(inter: discord.Interaction) -> None:
            await inter.response.send_message(f"hi {name.value} ({pick.values[0]})")

        modal.on_submit = on_submit
        await interaction.response.send_modal(modal)

    @discord.ui.select(
        custom_id="p:sel",
        options=[discord.SelectOption(label="x"), discord.SelectOption(label="y")],
    )
    async def sel(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {select.values}", ephemeral=True)
        original = await interaction.original_response()
        await interaction.followup.send(
            f"re {original.id}", file=discord.File(io.BytesIO(b"abc"), "a.txt")
        )


async def test_component_update_defer_select_and_modal_from_button(
    fake_discord: FakeDiscord,
) -> None:
    _guild, general, alice, _ = await setup_guild(fake_discord)
    bot = make_bot()
    bot.add_view(Panel())
    async with running(bot, fake_discord):
        msg = await bot.get_channel(general.id).send("panel", view=Panel())
        stored = fake_discord.messages(general.id)[0]

        edit = await fake_discord.click_button(msg, "p:edit", alice.id)
        assert (await edit.response())["type"] == 7
        assert stored.content == "edited" and stored.find_component("p:edit")["disabled"]
        with pytest.raises(ValueError, match="disabled"):
            await fake_discord.click_button(msg, "p:edit", alice.id)

        defer = await fake_discord.click_button(msg, "p:defer", alice.id)
        assert (await defer.response())["type"] == 6
        await fake_discord.wait_for(lambda: stored.content == "deferred edit")

        ask = await fake_discord.click_button(stored, "p:modal", alice.id)
        assert (await ask.response())["type"] == 9
        submit = await fake_discord.submit_modal(ask, {"name": "Al", "Language": ["de"]})
        assert (await submit.response())["data"]["content"] == "hi Al (de)"

        chosen = await fake_discord.select(msg, "p:sel", alice.id, ["y"])
        assert (await chosen.response())["data"]["content"] == "picked ['y']"
        (followup,) = await chosen.wait_followups(1)
    assert followup.content == f"re {chosen.original.id}"
    assert followup.attachments[0].data == b"abc"


async def test_dm_command_subcommand_group_and_context_menus(fake_discord: FakeDiscord) -> None:
    guild, general, alice, bob = await setup_guild(fake_discord)
    role = await fake_discord.add_role(guild.id, "mentor")
    bot = make_bot()
    admin = app_commands.Group(
        name="admin", description="a", parent=app_commands.Group(name="mentor", description="m")
    )

    @admin.command(name="assign", description="Assign a mentor")
    async def assign(
        interaction: discord.Interaction,
        who: discord.User,
        where: discord.TextChannel,
        role: discord.Role,
    ) -> None:
        await interaction.response.send_message(f"{who.name} {where.name} {role.name}")

    @bot.tree.command(name="ping", description="p")
    async def ping(interaction: discord.Interaction) -> None:
        kind = type(interaction.channel).__name__
        await interaction.response.send_message(
            f"pong {interaction.user.name} {interaction.guild_id} {kind}"
        )

    @bot.tree.context_menu(name="Request mentor")
    async def request_mentor(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"requested {member.display_name}", ephemeral=True)

    @bot.tree.context_menu(name="Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"quoted {message.content}", ephemeral=True)

    bot.tree.add_command(admin.parent)
    async with running(bot, fake_discord):
        await bot.tree.sync()
        dm = await fake_discord.send_slash(None, None, alice.id, "ping")
        assert (await dm.response())["data"]["content"] == "pong alice None DMChannel"
        sub = await fake_discord.send_slash(
            guild.id,
            general.id,
            alice.id,
            "mentor admin assign",
            {"who": bob.id, "where": general, "role": role},
        )
        assert (await sub.response())["data"]["content"] == "bob general mentor"
        menu = await fake_discord.send_context_menu(
            guild.id, general.id, alice.id, "Request mentor", bob
        )
        assert (await menu.response())["data"]["content"] == "requested Bobby"
        quoted = await fake_discord.send_context_menu(
            guild.id, general.id, alice.id, "Quote", sub.original, kind="message"
        )
        assert (await quoted.response())["data"]["content"] == "quoted bob general mentor"
        route = discord.http.Route(
            "POST", "/interactions/{i}/{t}/callback", i=quoted.id, t=quoted.token
        )
        with pytest.raises(discord.HTTPException) as twice:
            await bot.http.request(route, json={"type": 4, "data": {"content": "again"}})
    assert twice.value.code == 40060


async def test_on_message_content_intent_replies_and_two_bots(fake_discord: FakeDiscord) -> None:
    _guild, general, alice, _ = await setup_guild(fake_discord)
    with_content = discord.Intents(
        guilds=True, members=True, guild_messages=True, dm_messages=True, message_content=True
    )
    reader = commands.Bot(command_prefix="!", intents=with_content, guild_ready_timeout=0.05)
    blind = commands.Bot(
        command_prefix="!", intents=intents(messages=True), guild_ready_timeout=0.05
    )
    seen, blind_seen = collect(reader, "on_message"), collect(blind, "on_message")
    async with running(reader, fake_discord), running(blind, fake_discord):
        sent = await fake_discord.send_message(general.id, alice.id, "secret plan")
        await fake_discord.wait_for(lambda: seen and blind_seen)
        assert seen[0].content == "secret plan" and blind_seen[0].content == ""
        await seen[0].reply("noted")
        reply = await fake_discord.wait_for_message(
            general.id, lambda m: m.author_id == reader.user.id
        )
        assert reply.message_reference["message_id"] == str(sent.id)
        await fake_discord.send_dm(alice.id, "psst")
        await fake_discord.wait_for(lambda: len(seen) >= 3 and len(blind_seen) >= 3)
        assert isinstance(seen[-1].channel, discord.DMChannel) and blind_seen[-1].content == "psst"
        history = [m.content async for m in reader.get_channel(general.id).history(limit=5)]
    assert history == ["noted", "secret plan"]
