"""Safety inside a pair: acknowledging the guidelines and asking moderators for help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.action import ACCEPT, Action, Args
from bot.core.context import Actor, Context, check_length
from bot.core.errors import InvalidInput
from bot.core.i18n import t, user
from bot.core.ports import Message
from storage.repositories import members as member_repo
from storage.repositories import pairs as pair_repo

if TYPE_CHECKING:
    from bot.core.pairs import PairService
    from bot.core.services import Services

MAX_WORDS = 1000


class SafetyService:
    """Guidelines and private help requests."""

    def __init__(self, ctx: Context, pairs: PairService) -> None:
        self.ctx = ctx
        self.pairs = pairs

    async def acknowledge(self, actor: Actor, pair_id: int) -> bool:
        """Record that a partner read the guidelines; True when both have."""
        pair = await self.pairs.pair_for(actor, pair_id, None)
        now = self.ctx.clock.now()
        async with self.ctx.db.begin() as tx:
            _, member = await self.ctx.resolve(tx, actor)
            stored = await pair_repo.get_pair(tx, pair_id=pair.id or 0)
            assert stored is not None
            if member.id == stored.mentee_id:
                stored.mentee_ack_at = stored.mentee_ack_at or now
            else:
                stored.mentor_ack_at = stored.mentor_ack_at or now
            return bool(stored.mentee_ack_at and stored.mentor_ack_at)

    async def contact_moderators(
        self, actor: Actor, words: str, *, pair_id: int | None = None, space_ref: str | None = None
    ) -> None:
        """Alert the moderation channel: who, which pair (a link), and the reporter's words."""
        words = check_length(words, MAX_WORDS, "message")
        if not words:
            raise InvalidInput("safety.words_needed")
        pair = await self.pairs.pair_for(actor, pair_id, space_ref)
        async with self.ctx.db() as tx:
            community = await member_repo.get_community_by_id(tx, community_id=pair.community_id)
            assert community is not None
        ref = self.ctx.ref(community)
        platform = self.ctx.platform(ref.platform)
        text = t(self.ctx.locale_of(None, community), "safety.alert",
                 name=platform.mention(actor.user_id), pair=pair.id,
                 space=platform.space_link(ref, pair.space_ref) if pair.space_ref else "—",
                 words=user(words))  # fmt: skip
        await self.ctx.announce(ref, "moderation", text, (actor.user_id,))


async def _on_ack(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    both = await services.safety.acknowledge(actor, args.number("pair"))
    key = "pair.ack_both" if both else "pair.ack_thanks"
    return [Message(t(locale, key, name=user(actor.name)))]


async def _on_helpmod(services: Services, actor: Actor, args: Args, locale: str) -> list[Message]:
    await services.pairs.pair_for(actor, args.number("pair"), None)
    return [Message(t(locale, "safety.how_to_ask", pair=args.word("pair")))]


PAIR_ACK = Action("pair:ack:{pair}", _on_ack, emoji=ACCEPT)
# Discord opens the help form; elsewhere the reply says how to write to the moderators.
PAIR_HELPMOD = Action("pair:helpmod:{pair}", _on_helpmod, form="helpmod")
