"""Fixtures for end-to-end tests of discord.py code against the fake Discord server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakediscord import FakeDiscord, point_discord_at
from tests.fakediscord.logcheck import WATCHED_LOGGERS, ErrorLogCollector


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_error_logs: do not fail the test on ERROR records from discord/bot/cogs"
    )


@pytest.fixture(autouse=True)
def error_logs(request: pytest.FixtureRequest) -> Iterator[ErrorLogCollector]:
    """Fails the test when loggers ``discord``, ``bot`` or ``cogs`` log an ERROR.

    A failing event handler in discord.py is only logged, so without this a
    broken handler shows up as a mysterious timeout.  Use
    ``@pytest.mark.allow_error_logs`` or ``error_logs.take()`` when errors are expected.
    """
    collector = ErrorLogCollector()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
    if collector.records and request.node.get_closest_marker("allow_error_logs") is None:
        pytest.fail(f"ERROR log records during teardown:\n{collector.format_all()}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not just its teardown) on ERROR records logged during the call."""
    result = yield
    collector = getattr(item, "funcargs", {}).get("error_logs")
    if (
        isinstance(collector, ErrorLogCollector)
        and collector.records
        and item.get_closest_marker("allow_error_logs") is None
    ):
        message = collector.format_all()
        collector.clear()
        pytest.fail(f"ERROR log records during the test:\n{message}", pytrace=False)
    return result


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord server with discord.py pointed at it."""
    server = FakeDiscord()
    await server.start()
    try:
        with point_discord_at(server):
            yield server
    finally:
        await server.stop()
