"""What every service needs: database, platforms, clock, defaults; and who is acting."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.core.clock import Clock
from bot.core.i18n import normalize_locale, t, user
from bot.core.inputs import check_text, clean_line
from bot.core.ports import CommunityRef, Message, Platform
from bot.core.settings import Programme
from storage.db import SessionFactory, Tx
from storage.models import Community, Member
from storage.repositories import members as member_repo

log = logging.getLogger(__name__)

MAX_NAME = 100


@dataclass(frozen=True)
class Actor:
    """A person doing something, as a front-end knows them."""

    platform: str
    community: str
    user_id: str
    name: str
    locale: str | None = None


@dataclass
class Context:
    """Injected into every service."""

    db: SessionFactory
    clock: Clock
    platforms: dict[str, Platform] = field(default_factory=dict)
    programme: Programme = field(default_factory=Programme)
    locale: str = "en"

    def platform(self, name: str) -> Platform:
        """The front-end serving a platform."""
        return self.platforms[name]

    @staticmethod
    def ref(community: Community) -> CommunityRef:
        """The port-level reference to a community."""
        assert community.id is not None
        return CommunityRef(community.id, community.platform, community.external_id)

    def programme_for(self, community: Community) -> Programme:
        """File defaults with the community's own overrides."""
        return self.programme.merged(community.settings or {})

    def locale_of(self, member: Member | None, community: Community | None = None) -> str:
        """The language to talk to a member in."""
        if member is not None and member.locale:
            return normalize_locale(member.locale, self.locale)
        if community is not None and community.locale:
            return normalize_locale(community.locale, self.locale)
        return self.locale

    async def tell(self, ref: CommunityRef, member: Member, key: str, /, **params: Any) -> bool:
        """Send a localized private note; a failed delivery is logged, never raised.

        Members who withdrew consent get no private messages.
        """
        if member.consent_withdrawn_at is not None:
            return False
        text = t(self.locale_of(member), key, name=user(member.display_name), **params)
        try:
            await self.platform(ref.platform).send_to_member(
                ref, member.platform_user_id, Message(text)
            )
        except Exception:
            log.exception("could not send %s to member %s", key, member.id)
            return False
        return True

    async def announce(
        self, ref: CommunityRef, channel: str, text: str, mentions: tuple[str, ...] = ()
    ) -> bool:
        """Post to a configured channel; a failure is logged, never raised."""
        try:
            await self.platform(ref.platform).send_to_channel(
                ref, channel, Message(text, mentions=mentions)
            )
        except Exception:
            log.exception("could not post to the %s channel of community %s", channel, ref.id)
            return False
        return True

    async def resolve(
        self, session: Tx, actor: Actor, **member_fields: Any
    ) -> tuple[Community, Member]:
        """The actor's community and member rows, created on first contact."""
        now = self.clock.now()
        community = await member_repo.ensure_community(
            session,
            platform=actor.platform,
            external_id=actor.community,
            name=actor.community,
            locale=self.locale,
            now=now,
        )
        assert community.id is not None
        member = await member_repo.ensure_member(
            session,
            community_id=community.id,
            user_id=actor.user_id,
            display_name=clean_name(actor.name),
            now=now,
            **member_fields,
        )
        if actor.locale and not member.locale:
            member.locale = normalize_locale(actor.locale, self.locale)
        return community, member


def clean_name(name: str) -> str:
    """A display name safe to store and show: one line, no control characters, bounded."""
    return clean_line(name, MAX_NAME)


def check_length(value: str, limit: int, what: str, *, newlines: bool = True) -> str:
    """Free text as it is stored: without NUL, control characters (a newline stays where
    `newlines` allows it) or user-text marks, stripped and bounded; too long is an error
    naming the field `what`, not a silent cut."""
    return check_text(value, limit, what, newlines=newlines)
