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


async def read_payload(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    """Body of a JSON or ``multipart/form-data`` (payload_json + files[n]) request."""
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
