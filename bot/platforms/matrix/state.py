"""What the Matrix front-end remembers between runs: sync token, DM rooms, room owners."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

STATE_FILE = "mentorbot-state.json"
TOKEN_FILE = "mentorbot-sync-token"


@dataclass
class StoredState:
    """Plain data written as JSON next to nio's own store."""

    user_id: str = ""
    dm_rooms: dict[str, str] = field(default_factory=dict)  # user id -> direct room id
    room_community: dict[str, str] = field(default_factory=dict)  # DM/pair room -> community
    pair_rooms: list[str] = field(default_factory=list)
    told_encrypted: list[str] = field(default_factory=list)  # rooms told "cannot decrypt"


class StateStore:
    """Two small files under `store_path`, each replaced atomically: the sync token (saved
    after every handled sync) and the room mappings (saved when they change)."""

    def __init__(self, store_path: str | Path, user_id: str) -> None:
        self.dir = Path(store_path)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / STATE_FILE
        self.token_path = self.dir / TOKEN_FILE
        self.data = self._load(user_id)
        self._token = self._load_token(user_id)

    def _load_token(self, user_id: str) -> str:
        try:
            owner, _, token = self.token_path.read_text("utf-8").strip().partition("\n")
        except FileNotFoundError:
            return ""
        except OSError as err:
            log.warning("ignoring unreadable sync token %s: %s", self.token_path, err)
            return ""
        if owner != user_id:
            log.warning("the sync token in %s belongs to %s; starting fresh", self.dir, owner)
            return ""
        return token.strip()

    def _load(self, user_id: str) -> StoredState:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return StoredState(user_id=user_id)
        except (OSError, ValueError) as err:
            log.warning("ignoring unreadable Matrix state file %s: %s", self.path, err)
            return StoredState(user_id=user_id)
        known = {k: v for k, v in raw.items() if k in StoredState.__dataclass_fields__}
        state = StoredState(**known)
        if state.user_id != user_id:
            # Another account's sync token would skip or replay events: start clean.
            log.warning("Matrix state in %s belongs to %s; starting fresh", self.dir, state.user_id)
            return StoredState(user_id=user_id)
        state.user_id = user_id
        return state

    def save(self) -> None:
        """Write the mappings (tmp file + rename, so a crash never leaves half a file)."""
        _write(self.path, json.dumps(asdict(self.data), indent=1))

    # ----- convenience ---------------------------------------------------------------------
    @property
    def next_batch(self) -> str:
        return self._token

    def set_next_batch(self, token: str) -> None:
        if token and token != self._token:
            _write(self.token_path, f"{self.data.user_id}\n{token}\n")
            self._token = token

    def remember_dm(self, user_id: str, room_id: str, community: str | None) -> None:
        self.data.dm_rooms[user_id] = room_id
        if community:
            self.data.room_community[room_id] = community
        self.save()

    def forget_dm(self, room_id: str) -> None:
        users = [u for u, r in self.data.dm_rooms.items() if r == room_id]
        for user in users:
            del self.data.dm_rooms[user]
        self.data.room_community.pop(room_id, None)
        self.save()

    def remember_pair_room(self, room_id: str, community: str) -> None:
        self.data.room_community[room_id] = community
        if room_id not in self.data.pair_rooms:
            self.data.pair_rooms.append(room_id)
        self.save()

    def is_dm(self, room_id: str) -> bool:
        return room_id in self.data.dm_rooms.values()

    def dm_user(self, room_id: str) -> str | None:
        return next((u for u, r in self.data.dm_rooms.items() if r == room_id), None)

    def mark_told_encrypted(self, room_id: str) -> bool:
        """True the first time for a room."""
        if room_id in self.data.told_encrypted:
            return False
        self.data.told_encrypted.append(room_id)
        self.save()
        return True


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
