"""Bad input gets a clear, localized message and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.core.errors import InvalidInput
from bot.core.i18n import t, unmark
from bot.core.services import Services
from bot.text.commands import COMMANDS
from bot.text.router import Incoming, TextRouter
from storage.models import Member, MentorProfile, MentorRequest
from tests.conftest import actor


async def counts(services: Services) -> tuple[int, int, int]:
    async with services.ctx.db() as s:
        found = [
            (await s.execute(select(func.count()).select_from(m))).scalar_one()
            for m in (Member, MentorProfile, MentorRequest)
        ]
    return found[0], found[1], found[2]


@pytest.mark.parametrize(
    ("kwargs", "key", "shown"),
    [
        ({"timezone": "Mars/Olympus"}, "error.timezone", "Mars/Olympus"),
        ({"capacity": 0}, "error.capacity", "0"),
        ({"capacity": 10000}, "error.capacity", "10000"),
        ({"capacity": "lots"}, "error.capacity", "lots"),
        ({"languages": "klingon"}, "error.language", "klingon"),
        ({"skills": " , ;"}, "error.skills_missing", None),
        ({"skills": "x" * 5000}, "error.too_long", "5000"),
    ],
)
async def test_signup_rejects_bad_values_without_changes(
    services: Services, kwargs: dict, key: str, shown: str | None
) -> None:
    args = {"skills": "python", **kwargs}
    before = await counts(services)
    with pytest.raises(InvalidInput) as err:
        await services.mentors.signup(actor("bob"), **args)
    assert err.value.key == key
    text = t("en", err.value.key, **err.value.params)
    if shown:
        assert shown in text
    assert await counts(services) == before


async def test_update_of_an_existing_profile_is_all_or_nothing(services: Services) -> None:
    await services.mentors.signup(actor("bob"), skills="python", capacity=2)
    with pytest.raises(InvalidInput):
        await services.mentors.signup(actor("bob"), skills="rust", capacity=11)
    profile = await services.mentors.profile(actor("bob"))
    assert profile is not None and profile.skills == ["python"] and profile.capacity == 2


async def test_a_5000_character_note_is_refused_clearly(services: Services) -> None:
    with pytest.raises(InvalidInput) as err:
        await services.requests.request_mentor(actor("alice"), "python", "n" * 5000)
    assert "5000" in t("en", err.value.key, **err.value.params)
    assert "5000" in t("de", err.value.key, **err.value.params)
    assert await counts(services) == (0, 0, 0)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("!frobnicate", 'I don\'t know the command "frobnicate"'),
        (
            "!mentor-signup skills=python tz=Nowhere/City",
            'I don\'t know the time zone "Nowhere/City"',
        ),
        ("!mentor-signup skills=python capacity=0", 'Capacity "0" is not possible'),
        ("!mentor-signup skills=python capacity=10000", 'Capacity "10000" is not possible'),
        ("!mentor-signup languages=en", "Tell me your skills"),
        ("!mentor-status sleeping", 'Unknown status "sleeping"'),
        ("!mentor-status paused yesterday", 'I can\'t read "yesterday"'),
        ("!ask seven", "Pick a mentor with !ask 1"),
        ("!ask 1", "You have no open request"),
        ("!accept", "There is no request waiting"),
        ("!accept abc", "Use !accept on its own"),
        ("!thanks", "Whom do you want to thank?"),
        ("!thanks nobody", 'I don\'t know a member called "nobody"'),
        ("!feedback x", "Use !feedback <pair id>"),
        ("!end", "You have no active mentoring pair."),
        ("!mentor " + "n" * 5000, "too long"),
    ],
)
async def test_text_commands_explain_bad_input(
    services: Services, line: str, expected: str
) -> None:
    router = TextRouter(services)
    before = await counts(services)
    (reply,) = await router.handle(Incoming(actor("alice"), line))
    assert expected in unmark(reply.text)
    after = await counts(services)
    assert after[1:] == before[1:]  # no mentor profile or request appeared


async def test_german_replies(services: Services) -> None:
    router = TextRouter(services)
    (reply,) = await router.handle(
        Incoming(actor("alice", locale="de"), "!mentor-signup skills=py capacity=0")
    )
    assert "Kapazität „0“ ist nicht möglich" in reply.text


async def test_unexpected_errors_become_an_apology_with_an_id(services: Services, caplog) -> None:
    router = TextRouter(services)

    async def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("db exploded")

    services.requests.request_mentor = broken  # type: ignore[method-assign]
    (reply,) = await router.handle(Incoming(actor("alice"), "!mentor python"))
    assert "error id" in reply.text
    assert "db exploded" not in reply.text
    assert any("command failed" in r.message for r in caplog.records)


# Arguments no handler expects: words for numbers, non-ASCII digits, stray quotes and signs,
# numbers beyond the id columns, NUL.
ODD_ARGS = ["", "abc", "#", "١٢", "#١", "-1", "@", "x=", 'name="', "add", "done ١", "1 ١",
            "add ١ x", "²", "help ¹²", "①", "well 99999999999999999999", "#2147483648",
            "1 9223372036854775808", "a\x00b", "done ²", "add 2147483648 x"]  # fmt: skip


async def test_no_command_crashes_on_odd_arguments(services: Services) -> None:
    router = TextRouter(services)
    for name in sorted(COMMANDS):
        for args in ODD_ARGS:
            for reply in await router.handle(Incoming(actor("alice"), f"!{name} {args}")):
                assert "error id" not in reply.text, (name, args, reply.text)
