"""Text commands for data rights, safety and moderators (registered on import)."""

from __future__ import annotations

from bot.core.errors import InvalidInput, NotAllowed
from bot.core.i18n import t
from bot.core.ports import Attachment, Button, Message
from bot.reporting import report_messages
from bot.text.parser import Command
from bot.text.router import Incoming, TextRouter, command


@command("my-data")
async def _my_data(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, what = router.locale(msg.actor), (cmd.word(0) or "").lower()
    if what == "export":
        data = await router.services.privacy.export(msg.actor)
        file = Attachment("my-data.json", data, "application/json")
        return [Message(t(loc, "privacy.exported"), files=(file,))]
    if what == "delete" and (cmd.word(1) or "").lower() == "confirm":
        return await router.run(msg.actor, "privacy:delete:confirm")
    if what == "consent" and (cmd.word(1) or "").lower() in ("on", "off"):
        given = (cmd.word(1) or "").lower() == "on"
        await router.services.privacy.set_consent(msg.actor, given)
        return [Message(t(loc, "privacy.consent_on" if given else "privacy.consent_off"))]
    if what == "delete":
        button = Button(t(loc, "button.delete_data"), "privacy:delete:confirm", "danger")
        return [Message(t(loc, "privacy.confirm_delete", prefix=router.prefix), buttons=(button,))]
    raise InvalidInput("usage.my_data", prefix=router.prefix)


@command("mentoring-setup")
async def _setup(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc = router.locale(msg.actor), router.services.community
    moderator = await router.is_moderator(msg.actor)
    if not cmd.words and not cmd.options:
        if not moderator:
            raise NotAllowed("setup.not_allowed")
        current = await svc.settings(msg.actor)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(current.items())) or "—"
        return [Message(t(loc, "setup.current", settings=shown, prefix=router.prefix))]
    pairs = list(cmd.options.items()) or [(cmd.words[0], " ".join(cmd.words[1:]))]
    for key, value in pairs:
        if not value:
            raise InvalidInput("usage.setup", prefix=router.prefix)
        await svc.configure(msg.actor, key, value, moderator=moderator)
    return [Message(t(loc, "setup.saved", keys=", ".join(k for k, _ in pairs)))]


@command("mentoring-report")
async def _report(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, word = router.locale(msg.actor), cmd.word(0)
    if word is not None and not word.isdigit():
        raise InvalidInput("usage.report", prefix=router.prefix)
    days = int(word) if word else 30
    moderator = await router.is_moderator(msg.actor)
    report = await router.services.reports.report(msg.actor, days, moderator=moderator)
    return await report_messages(report, loc)


@command("help-mod")
async def _help_mod(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    words = cmd.text
    first = cmd.word(0)
    pair_id = int(first) if first and first.isdigit() and msg.room is None else None
    if pair_id is not None:
        words = words.split(None, 1)[1] if len(words.split(None, 1)) > 1 else ""
    await router.services.safety.contact_moderators(
        msg.actor, words, pair_id=pair_id, space_ref=msg.room if pair_id is None else None
    )
    return [Message(t(router.locale(msg.actor), "safety.sent"))]


@command("mod")
async def _mod(router: TextRouter, msg: Incoming, cmd: Command) -> list[Message]:
    loc, svc, words = router.locale(msg.actor), router.services.moderation, cmd.words
    moderator = await router.is_moderator(msg.actor)
    what = words[0].lower() if words else ""
    target = (words[1] if len(words) > 1 else "").lstrip("@") if what != "reassign" else ""
    if what == "approve" and target:
        return [
            Message(
                t(
                    loc,
                    "mod.approved",
                    name=await svc.approve(msg.actor, _who(words[1]), moderator=moderator),
                )
            )
        ]
    if what == "remove" and target:
        return [
            Message(
                t(
                    loc,
                    "mod.removed",
                    name=await svc.remove(msg.actor, _who(words[1]), moderator=moderator),
                )
            )
        ]
    if what == "end" and len(words) > 1 and words[1].isdigit():
        await svc.end_pair(msg.actor, int(words[1]), moderator=moderator)
        return [Message(t(loc, "mod.ended", id=words[1]))]
    if what == "reassign" and len(words) > 2 and words[1].isdigit():
        new = await svc.reassign(msg.actor, int(words[1]), _who(words[2]), moderator=moderator)
        return [Message(t(loc, "mod.reassigned", id=words[1], new=new))]
    if what == "requests":
        waiting = await svc.open_requests(msg.actor, moderator=moderator)
        lines = [t(loc, "mod.requests_title", count=len(waiting))]
        lines += [t(loc, "mod.request_line", id=r.id, mentee=r.mentee, topic=r.topic or "—",
                    status=r.status) for r in waiting]  # fmt: skip
        return [Message("\n".join(lines))]
    if what == "export":
        data = await svc.export_csv(msg.actor, moderator=moderator)
        return [
            Message(t(loc, "mod.exported"), files=(Attachment("programme.csv", data, "text/csv"),))
        ]
    if not moderator:
        raise NotAllowed("mod.not_allowed")
    raise InvalidInput("usage.mod", prefix=router.prefix)


def _who(word: str) -> str:
    """Matrix ids keep their '@' (@user:server); console names lose it."""
    return word if ":" in word else word.lstrip("@")
