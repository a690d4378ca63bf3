"""/mentoring-report on the loopback Discord server: embed + PNG + CSV for moderators only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.reporting import CSV_COLUMNS
from tests.discord.env import MANAGE_GUILD, bot_env
from tests.discord.helpers import ask, signup
from tests.fakediscord import FakeDiscord
from tests.reports.test_rendering import assert_png


async def test_moderators_get_embed_chart_and_csv_others_nothing(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with bot_env(fake_discord, tmp_path) as env:
        bob, alice = await env.member("bob"), await env.member("alice")
        await signup(env, bob)
        await ask(env, alice)

        for options in ({"days": 7}, {"days": 7, "public": True}):
            refused = await env.slash(alice, "mentoring-report", options)
            assert refused.ephemeral
            assert "Only moderators" in await env.text_of(refused)
            shown = [*refused.followups, *([refused.original] if refused.original else [])]
            assert all(not m.attachments and not m.embeds for m in shown)

        mod = await env.member("mod")
        handle = await env.slash(mod, "mentoring-report", {"days": 7}, permissions=MANAGE_GUILD)
        assert handle.ephemeral
        details = await env.answer_message(handle)
        original = await handle.wait_original(lambda m: m.embeds, timeout=10)
        (embed,) = original.embeds
        assert embed["title"] == "Mentoring report, last 7 days"
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields["Newcomers joined"] == "3"  # bob, alice and mod joined today
        assert fields["Newcomers who asked for a mentor"] == "33% (1 of 3)"
        assert fields["Pairs held by the busiest 10% of mentors"] == "—"
        (chart,) = original.attachments
        assert chart.filename == "mentoring-report-7d.png"
        assert embed["image"]["url"].endswith("mentoring-report-7d.png")
        assert_png(chart.data)

        assert "Mentor requests: 1" in details.content and "Mentors: 1" in details.content
        (table,) = details.attachments
        assert table.filename == "mentoring-report-7d.csv"
        rows = list(csv.DictReader(io.StringIO(table.data.decode())))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert {r["metric"]: r["value"] for r in rows if not r["point"]}["requests"] == "1"

        public = await env.slash(
            mod, "mentoring-report", {"public": True}, permissions=MANAGE_GUILD, locale="de"
        )
        assert not public.ephemeral
        german = await env.answer_message(public)
        assert "Mentoring-Bericht, letzte 30 Tage" in german.content
        original = await public.wait_original(lambda m: m.embeds, timeout=10)
        assert original.embeds[0]["title"] == "Mentoring-Bericht, letzte 30 Tage"
        assert not original.flags & 64 and not german.flags & 64
