"""Every report figure on a dataset whose answers are known by construction."""

from __future__ import annotations

import pytest

from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.reports import Report
from bot.core.services import Services
from storage.models import Community
from tests.conftest import actor
from tests.reports.seed import CURVE, EXPECTED, GUILD, NOW, WEEKS, expected_active_members


async def report_of(services: Services, days: int = 30) -> Report:
    return await services.reports.report(actor("mod", GUILD), days, moderator=True)


async def test_every_figure_matches_the_construction(seeded: Services) -> None:
    report = await report_of(seeded)
    figures = {f.key: f for f in report.figures()}
    for key, want in EXPECTED.items():
        got = figures[key]
        if isinstance(want, tuple):
            assert (got.numerator, got.denominator) == want, key
            assert got.value == pytest.approx(want[0] / want[1]), key
        else:
            assert got.value == pytest.approx(want), key
    assert figures["active_members"].value == expected_active_members() == 11


async def test_retention_curve_and_weekly_series(seeded: Services) -> None:
    report = await report_of(seeded)
    assert [p.day for p in report.retention] == list(range(31))
    for day, want in CURVE.items():
        p = report.point(day)
        assert (p.mentored, p.mentored_active, p.others, p.others_active) == want, day
    assert [(w.requests, w.matches) for w in report.weeks] == WEEKS
    assert report.weeks[0].start == report.start.date()


async def test_lines_are_localized_and_keep_the_known_labels(seeded: Services) -> None:
    report = await report_of(seeded)
    en = "\n".join(report.lines("en"))
    assert "Active pairs: 3" in en and "Requests matched: 4" in en and "Thanks given: 3" in en
    assert "Newcomers who asked for a mentor: 60% (6 of 10)" in en
    assert "Time from request to match, median: 3.0 h" in en
    assert "Average feedback rating: 3.7 / 5 (3 ratings)" in en
    de = "\n".join(report.lines("de"))
    assert "Aktive Paare: 3" in de and "Vermittelte Anfragen: 4" in de
    assert "8,2 Std." in de and "60 % (6 von 10)" in de


async def test_a_short_window_and_an_empty_community(seeded: Services) -> None:
    week = await report_of(seeded, 7)
    figures = {f.key: f for f in week.figures()}
    assert figures["newcomers"].value == 3  # n7, n8, n9 joined 2, 4 and 6 days ago
    assert figures["requests"].value == 0 and figures["accept_median_hours"].value is None
    assert figures["thanks"].value == 2 and len(week.weeks) == 1
    empty = await seeded.reports.report(actor("mod", "new-guild"), 30, moderator=True)
    assert all(f.value in (0, None) for f in empty.figures())
    assert "—" in "\n".join(empty.lines("en"))


async def test_only_moderators_and_sane_windows(seeded: Services) -> None:
    with pytest.raises(NotAllowed):
        await seeded.reports.report(actor("n1", GUILD), 30, moderator=False)
    with pytest.raises(InvalidInput):
        await report_of(seeded, 0)


async def test_operators_find_communities_by_platform_id(seeded: Services) -> None:
    report = await seeded.reports.for_community(GUILD, 30)
    assert report.figure("newcomers").value == 10 and report.platform == "fake"
    assert (await seeded.reports.for_community(GUILD, 30, "fake")).community == GUILD
    with pytest.raises(NotFound):
        await seeded.reports.for_community(GUILD, 30, "matrix")
    with pytest.raises(NotFound):
        await seeded.reports.for_community("nowhere")


async def test_the_same_id_on_two_platforms_needs_a_platform(seeded: Services) -> None:
    async with seeded.ctx.db.begin() as s:
        s.add(Community(platform="matrix", external_id=GUILD, created_at=NOW))
    with pytest.raises(InvalidInput) as problem:
        await seeded.reports.for_community(GUILD)
    assert problem.value.params["platforms"] == "fake, matrix"
    assert (await seeded.reports.for_community(GUILD, 30, "matrix")).figure("newcomers").value == 0
