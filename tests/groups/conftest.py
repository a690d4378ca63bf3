"""Fixtures for group mentoring tests: a platform fake that can add people to spaces and the
Discord loopback fixtures (imported so they apply here too). Matrix group tests live in
tests/matrix, which has the session's one Synapse."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.core.ports import CommunityRef
from tests.discord.conftest import (  # noqa: F401
    error_logs,
    fake_discord,
    pytest_configure,
    pytest_runtest_call,
)
from tests.fakes import FakePlatform


@dataclass
class GroupPlatform(FakePlatform):
    """FakePlatform plus open spaces and adding people to an existing space."""

    public: set[str] = field(default_factory=set)

    async def open_space(self, community: CommunityRef, name: str, user_ids: list[str], *,
                         public: bool = False) -> str:  # fmt: skip
        ref = await super().open_space(community, name, user_ids)
        if public:
            self.public.add(ref)
        return ref

    async def add_to_space(self, community: CommunityRef, space_ref: str,
                           user_ids: list[str]) -> None:  # fmt: skip
        self.spaces[space_ref][1].extend(u for u in user_ids if u not in self.spaces[space_ref][1])

    def space_named(self, prefix: str) -> str:
        """The reference of the newest space whose name starts with `prefix`."""
        return [ref for ref, (name, _) in self.spaces.items() if name.startswith(prefix)][-1]


@pytest.fixture
def platform() -> GroupPlatform:
    return GroupPlatform()
