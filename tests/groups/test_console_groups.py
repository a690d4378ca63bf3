"""The console community runs the group commands too (cohort space, open circle space)."""

from __future__ import annotations

from bot.platforms.console.platform import ConsolePlatform
from bot.platforms.console.runner import ConsoleCommunity
from tests.conftest import make_services


async def test_console_cohort_circle_and_tandem(sqlite_engine, clock) -> None:
    out: list[str] = []
    platform = ConsolePlatform(write=out.append)
    services = make_services(sqlite_engine, clock, platform)  # type: ignore[arg-type]
    console = ConsoleCommunity(services, platform)
    for line in ("/join alice", "/join bob", "/join mod", "/mod mod",
                 "mod> !cohort create name=Spring leaders=bob capacity=3",
                 "alice> !cohort join spring", "alice> !circle create name=Rust topic=rust",
                 "bob> !circle join rust", "alice> !tandem offer=rust seek=german",
                 "bob> !tandem offer=german seek=rust", "bob> 1", "alice> 1"):  # fmt: skip
        await console.line(line)
    await services.cohorts.start_due()
    text = "\n".join(out)
    assert "[to mod] Cohort “Spring” (#1) is open (places: 3)" in text
    assert '[open space] "Circle: Rust" opened for alice' in text
    assert "[to bob] You joined the circle “Rust”" in text
    assert "[to alice] Your tandem with bob has begun" in text
    assert '[space] "Tandem: bob & alice" opened for bob, alice' in text
    assert '[space] "Cohort: Spring" opened for bob, alice' in text
