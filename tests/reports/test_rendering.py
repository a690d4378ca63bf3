"""PNG chart, CSV with the documented columns, text table, JSON and router messages."""

from __future__ import annotations

import csv
import io
import json

import matplotlib.image
from PIL import Image

from bot.core.reports import Report
from bot.core.services import Services
from bot.reporting import (
    CSV_COLUMNS,
    render_csv,
    render_json,
    render_png,
    render_text,
    report_messages,
)  # fmt: skip
from tests.conftest import actor
from tests.reports.seed import GUILD

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def report_of(services: Services, community: str = GUILD) -> Report:
    return await services.reports.report(actor("mod", community), 30, moderator=True)


def assert_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE)
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[0] >= 300 and pixels.shape[1] >= 800 and pixels.shape[2] in (3, 4)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        assert image.format == "PNG"


async def test_the_chart_is_a_valid_png_in_both_languages(seeded_sqlite: Services) -> None:
    report = await report_of(seeded_sqlite)
    assert_png(render_png(report, "en"))
    assert_png(render_png(report, "de"))
    assert_png(render_png(await report_of(seeded_sqlite, "empty-guild"), "en"))


async def test_the_csv_has_the_documented_columns(seeded_sqlite: Services) -> None:
    report = await report_of(seeded_sqlite)
    text = render_csv(report, "en").decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    rows = list(reader)
    by_metric = {r["metric"]: r for r in rows if not r["point"]}
    assert by_metric["days"]["value"] == "30"
    assert by_metric["window_end"]["value"] == "2026-03-01T12:00:00Z"
    assert by_metric["newcomers"] | {} == {
        "metric": "newcomers", "value": "10", "unit": "count", "numerator": "",
        "denominator": "", "point": "", "label": "Newcomers joined",
    }  # fmt: skip
    asked = by_metric["asked_share"]
    assert (asked["value"], asked["unit"], asked["numerator"], asked["denominator"]) == (
        "0.6000", "share", "6", "10",
    )  # fmt: skip
    assert by_metric["accept_p90_hours"]["value"] == "8.20"
    assert by_metric["accept_p90_hours"]["unit"] == "hours"
    assert by_metric["feedback_average"]["value"] == "3.67"
    assert by_metric["feedback_average"]["denominator"] == "3"
    assert {f.key for f in report.figures()} <= set(by_metric)
    weekly = [(r["point"], r["value"]) for r in rows if r["metric"] == "weekly_requests"]
    assert [v for _, v in weekly] == ["0", "1", "4", "1", "0"]
    assert weekly[0][0] == "2026-01-30"
    curve = {r["point"]: r for r in rows if r["metric"] == "retention_mentored"}
    assert len(curve) == 31
    assert (curve["7"]["value"], curve["7"]["numerator"], curve["7"]["denominator"]) == (
        "0.8333", "5", "6",
    )  # fmt: skip
    for row in rows:
        if row["value"] and row["unit"] in ("count", "share", "hours", "rating", "days"):
            float(row["value"])
    german = list(csv.DictReader(io.StringIO(render_csv(report, "de").decode())))
    assert german[3]["label"] == "Neue Mitglieder" and german[3]["value"] == "10"


async def test_text_table_and_json(seeded_sqlite: Services) -> None:
    report = await report_of(seeded_sqlite)
    text = render_text(report, "en")
    assert text.startswith("Mentoring report, last 30 days\n2026-01-30 to 2026-03-01 (UTC)")
    assert "\nRetention\n  Active 7 days after joining, mentored: 83% (5 of 6)" in text
    assert "Requests and matches per week\n  Week from   " in text
    assert "  2026-02-13         4        2" in text
    assert "Aktive Paare: 3" in render_text(report, "de")
    data = json.loads(render_json(report))
    assert data["community"] == GUILD and data["days"] == 30
    assert data["figures"]["matched_share"] == {
        "value": 0.4, "unit": "share", "numerator": 4, "denominator": 10
    }  # fmt: skip
    assert data["weekly"][2] == {"week_start": "2026-02-13", "requests": 4, "matches": 2}
    assert data["retention_curve"][30]["not_mentored"] == 3


async def test_router_messages_carry_table_png_and_csv(seeded_sqlite: Services) -> None:
    report = await report_of(seeded_sqlite)
    (message,) = await report_messages(report, "en")
    assert "Active pairs: 3" in message.text and "last 30 days" in message.text
    png, table = message.files
    assert (png.filename, png.mime) == ("mentoring-report-30d.png", "image/png")
    assert (table.filename, table.mime) == ("mentoring-report-30d.csv", "text/csv")
    assert_png(png.data)
    assert table.data.decode().startswith(",".join(CSV_COLUMNS))
