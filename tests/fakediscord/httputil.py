"""Small HTTP helpers shared by the REST and interaction handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .models import Attachment
from .state import ApiError, DiscordState


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json``.

    discord.py only decodes bodies whose content type equals that string, so
    aiohttp's ``json_response`` (which appends ``; charset=utf-8``) can't be used.
    """
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


@dataclass
class UploadedFile:
    index: int
    filename: str
    data: bytes
    content_type: str | None


# The private-use characters mentorbot marks member-written text with inside a message
# (bot.core.i18n.user). They must never reach Discord: every request body, file name and
# text file is searched, and the server fails the test when it finds one.
MARKS = ("\ue000", "\ue001")
LEAKS_KEY = web.RequestKey("fakediscord.mark_leaks", list[str])
_TEXT_FILES = (".txt", ".csv", ".json", ".ics", ".md", ".html")


def marked_places(value: Any, where: str = "body") -> list[str]:
    """Where in a JSON value a string (or key) carries a mark, with the string."""
    if isinstance(value, str):
        return [f"{where}={value!r}"] if any(m in value for m in MARKS) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found += marked_places(str(key), f"{where} key")
            found += marked_places(item, f"{where}.{key}")
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in marked_places(item, f"{where}[{i}]")]
    return []


def _note_marks(request: web.Request, body: Any, files: list[UploadedFile]) -> None:
    found = marked_places(body)
    for f in files:
        found += marked_places(f.filename, f"files[{f.index}].filename")
        text_like = (f.content_type or "").startswith(("text/", "application/json")) or (
            f.filename.lower().endswith(_TEXT_FILES)
        )
        if text_like:
            found += marked_places(f.data.decode("utf-8", "replace"), f"files[{f.index}].data")
    if found:
        request.setdefault(LEAKS_KEY, []).extend(found)


async def read_payload(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    """Body of a JSON or ``multipart/form-data`` (payload_json + files[n]) request.

    Marks around member text (`MARKS`) anywhere in it are noted on the request for the
    server to report (see ``FakeDiscord._api_middleware``).
    """
    body, files = await _read_payload(request)
    _note_marks(request, body, files)
    return body, files


async def _read_payload(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    if request.content_type == "multipart/form-data":
        body: dict[str, Any] = {}
        files: list[UploadedFile] = []
        reader = await request.multipart()
        async for part in reader:
            name = part.name or ""
            if name == "payload_json":
                body = json.loads(await part.text())
            elif name.startswith("file"):  # files[0], files[1], ... (or "file")
                digits = "".join(c for c in name if c.isdigit())
                data = bytes(await part.read())
                files.append(
                    UploadedFile(
                        int(digits or len(files)),
                        part.filename or "file",
                        data,
                        part.headers.get("Content-Type"),
                    )
                )
        return body, files
    if not request.can_read_body:
        return {}, []
    text = await request.text()
    if not text:
        return {}, []
    try:
        data = json.loads(text)
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
    return data, []


def make_attachments(
    state: DiscordState, channel_id: int, body: dict[str, Any], files: list[UploadedFile]
) -> list[Attachment]:
    """Turn uploaded files into stored attachments (served back at their ``url``)."""
    meta = {}
    for item in body.get("attachments") or []:
        try:
            meta[int(item["id"])] = item
        except (KeyError, TypeError, ValueError):
            continue
    out = []
    for f in files:
        info = meta.get(f.index, {})
        att_id = state.new_id()
        filename = info.get("filename") or f.filename
        url = f"{state.public_base}/attachments/{channel_id}/{att_id}/{filename}"
        out.append(
            Attachment(att_id, filename, f.data, url, f.content_type, info.get("description"))
        )
    return out
