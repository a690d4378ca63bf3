"""Soft scoring: skills with aliases, DST-aware daytime overlap, fairness, reasons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.matching import MenteeWish, MentorFacts, daytime_hours, rank
from bot.core.vocab import normalize_skills, topic_terms

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


def mentor(mid: int, skills: list[str], *, tz: str | None = "Europe/Berlin", active: int = 0,
           recent: int = 0, langs: tuple[str, ...] = ("en",)) -> MentorFacts:  # fmt: skip
    return MentorFacts(mid, skills, list(langs), tz, active, 3, recent, 0, 0, 0)


def test_aliases_and_case_do_not_matter() -> None:
    assert normalize_skills("Py, JS,  K8s, Postgres") == [
        "python",
        "javascript",
        "kubernetes",
        "postgresql",
    ]
    assert "python" in topic_terms("Help with PY3 packaging")


def test_daytime_overlap_follows_dst() -> None:
    # Berlin and New York are 6 h apart in January -> 6 shared daytime hours (15-21 Berlin).
    assert daytime_hours("Europe/Berlin", "America/New_York", NOW) == 6
    # Between US DST start (8 March 2026) and EU DST start (29 March) they are 5 h apart.
    assert (
        daytime_hours("Europe/Berlin", "America/New_York", datetime(2026, 3, 20, tzinfo=UTC)) == 7
    )
    assert daytime_hours("Europe/Berlin", "Europe/Berlin", NOW) == 12
    assert daytime_hours("Pacific/Auckland", "Europe/Berlin", NOW) == 0
    assert daytime_hours(None, "Europe/Berlin", NOW) is None


def test_skill_overlap_ranks_first_and_reasons_say_why() -> None:
    wish = MenteeWish(["python", "git"], ["de"], "Europe/Berlin")
    ranked = rank(
        [mentor(1, ["rust"]), mentor(2, ["python", "git"], langs=("de", "en"))], wish, NOW
    )
    assert [s.mentor_id for s in ranked] == [2, 1]
    assert (
        ranked[0].reasons("en")
        == "shares: python, git · both speak de · 12 h daytime overlap · 3 free place(s)"
    )
    assert ranked[0].reasons("de").startswith("gemeinsam: python, git · beide sprechen de")


def test_fairness_prefers_the_less_busy_mentor_among_equals() -> None:
    wish = MenteeWish(["python"], [], None)
    ranked = rank([mentor(1, ["python"], active=2, recent=3), mentor(2, ["python"])], wish, NOW)
    assert ranked[0].mentor_id == 2


def test_responsiveness_counts() -> None:
    wish = MenteeWish(["python"], [], None)
    slow = MentorFacts(1, ["python"], ["en"], None, 0, 3, 0, 0, 1, 5)
    quick = MentorFacts(2, ["python"], ["en"], None, 0, 3, 0, 6, 0, 0)
    assert rank([slow, quick], wish, NOW)[0].mentor_id == 2
