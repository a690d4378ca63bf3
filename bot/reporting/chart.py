"""The report chart: retention curves mentored vs not, and weekly requests vs matches (PNG).

matplotlib is optional (the `charts` extra, `pip install "mentorbot[charts]"`) and imported
only when a chart is drawn, so start-up and the resident memory of the bot do not pay for it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.core.i18n import normalize_locale, t
from bot.core.reports import Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MENTORED, OTHERS, REQUESTS, MATCHES = "#2a9d8f", "#e76f51", "#8d99ae", "#264653"


class ChartUnavailable(RuntimeError):
    """matplotlib is not installed (the `charts` extra): the report goes out without its chart."""


def render_png(report: Report, locale: str | None, *, dpi: int = 100) -> bytes:
    """The chart as PNG bytes; the Agg canvas is used directly, so no global pyplot state.

    Raises ChartUnavailable when matplotlib cannot be imported.
    """
    try:
        import matplotlib  # noqa: F401  (the package first: a blocked or broken install fails here)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ChartUnavailable(str(err)) from None
    fig = Figure(figsize=(11, 4.2), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, width_ratios=(1, 1.2))
    fig.suptitle(report.title(locale), fontsize=13, fontweight="bold")
    _retention(left, report, locale)
    _weekly(right, report, locale)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def _retention(ax: Axes, report: Report, locale: str | None) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.set_title(t(locale, "report.chart_retention"), fontsize=11)
    drawn = False
    for label, base, active, color in (
        ("report.chart_mentored", "mentored", "mentored_active", MENTORED),
        ("report.chart_not_mentored", "others", "others_active", OTHERS),
    ):
        points = [
            (p.day, getattr(p, active) / getattr(p, base))
            for p in report.retention
            if getattr(p, base)
        ]
        if points:
            drawn = True
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", markersize=3, color=color, label=t(locale, label))
    ax.set_xlabel(t(locale, "report.chart_days"))
    ax.set_ylabel(t(locale, "report.chart_share"))
    ax.set_xlim(0, max((p.day for p in report.retention), default=30))
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(loc="lower left")
    else:
        _empty(ax, locale)


def _weekly(ax: Axes, report: Report, locale: str | None) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_title(t(locale, "report.chart_weekly"), fontsize=11)
    weeks = list(report.weeks)[-26:]  # a long window keeps its latest half year readable
    xs = list(range(len(weeks)))
    width = 0.4
    ax.bar([x - width / 2 for x in xs], [w.requests for w in weeks], width,
           color=REQUESTS, label=t(locale, "report.chart_requests"))  # fmt: skip
    ax.bar([x + width / 2 for x in xs], [w.matches for w in weeks], width,
           color=MATCHES, label=t(locale, "report.chart_matches"))  # fmt: skip
    step = max(1, len(weeks) // 8)
    ax.set_xticks(xs[::step], [w.start.strftime(_day_format(locale)) for w in weeks][::step])
    ax.set_xlabel(t(locale, "report.chart_week"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    if any(w.requests or w.matches for w in weeks):
        ax.legend(loc="upper left")
    else:
        ax.set_ylim(0, 1)
        _empty(ax, locale)


def _empty(ax: Axes, locale: str | None) -> None:
    ax.text(0.5, 0.5, t(locale, "report.chart_empty"), transform=ax.transAxes,
            ha="center", va="center", color="#888888", fontsize=12)  # fmt: skip


def _day_format(locale: str | None) -> str:
    return "%d.%m." if normalize_locale(locale) == "de" else "%m-%d"
