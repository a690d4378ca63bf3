"""The Matrix front-end: login, the sync loop with backoff, and jobs run in order per sender."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from nio import MessageDirection, RoomMessagesResponse, SyncError, SyncResponse

from bot.config import MatrixSection
from bot.core.services import Services
from bot.platforms.matrix.client import LoginRefused, MatrixClient, MatrixError
from bot.platforms.matrix.events import EventHandler
from bot.platforms.matrix.invites import InvitePolicy, Membership
from bot.platforms.matrix.moderators import Moderators
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.state import StateStore
from bot.startup import PATIENCE, StartupError
from bot.text.router import TextRouter

log = logging.getLogger(__name__)

GAP_PAGES = 5  # pages of 100 events fetched when a sync skipped part of a room's timeline


class MatrixFrontend:
    """One Matrix account serving every configured community room."""

    def __init__(
        self,
        settings: MatrixSection,
        services: Services,
        *,
        locale: str = "en",
        greeting_window: float = 5.0,
        poll_ms: int = 30_000,
        concurrency: int = 8,
        send_rate: float = 20.0,
        encryption: bool | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self.locale = locale
        self.poll_ms = poll_ms
        self.client = MatrixClient(settings, rate=send_rate, encryption=encryption)
        self.state = StateStore(settings.store_path, settings.user_id)
        self.platform = MatrixPlatform(
            self.client, settings, self.state, locale_of=self.community_locale, locale=locale
        )
        self.membership = Membership(self.client, settings)
        self.invites = InvitePolicy(self.client, settings, self.state, self.membership)
        self.router = TextRouter(
            services,
            prefix=settings.command_prefix,
            is_moderator=Moderators(self.client, settings.moderator_power_level),
        )
        self.greeter = services.greeting.batcher("matrix", window=greeting_window)
        self.handler = EventHandler(
            client=self.client, settings=settings, state=self.state, platform=self.platform,
            services=services, router=self.router, greeter=self.greeter,
            membership=self.membership,
        )  # fmt: skip
        self.ready = asyncio.Event()
        self.fatal: StartupError | None = None  # why the first login cannot succeed
        self._failed = asyncio.Event()
        self._since = self.state.next_batch
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_error = ""
        self._chains: dict[str, asyncio.Task[None]] = {}
        self._sem = asyncio.Semaphore(concurrency)
        self._batches: deque[tuple[str, list[asyncio.Task[None]]]] = deque()
        self._logged_in = False
        self._interruptible = False

    # ----- lifecycle ------------------------------------------------------------------------
    async def start(self, ready_timeout: float = PATIENCE) -> None:
        """Log in, sync once (accepting pending invites), then keep syncing in a task.

        Returns when the first sync is handled. A refused token or password, or a homeserver
        still unreachable after `ready_timeout` seconds, stops the task and raises
        StartupError. Once running, outages are retried for as long as they last.
        """
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="matrix-sync")
        ready = asyncio.create_task(self.ready.wait())
        failed = asyncio.create_task(self._failed.wait())
        try:
            await asyncio.wait({ready, failed}, timeout=ready_timeout,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        finally:
            ready.cancel()
            failed.cancel()
        if self.ready.is_set():
            return
        await self.stop(grace=1.0)
        raise self.fatal or StartupError(
            f"matrix.homeserver: cannot reach {self.settings.homeserver} within "
            f"{ready_timeout:.0f} s ({self._last_error or 'no answer'}); check the URL and "
            "that the homeserver is up"
        )

    async def stop(self, grace: float = 30.0) -> None:
        """Stop syncing, finish running jobs and greetings, save the sync token, close."""
        self._stopping = True
        if self._task is not None:
            # A sync or a backoff sleep can be cut short; handing out a batch cannot (its
            # token must be saved with its jobs, or they would run again after a restart).
            if self._interruptible:
                self._task.cancel()
            done, _ = await asyncio.wait([self._task], timeout=grace)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        pending = [task for _, tasks in self._batches for task in tasks if not task.done()]
        pending += [task for task in self._chains.values() if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=grace)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.greeter.drain(), grace)
        self._commit()
        await self.client.close()

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """start(), wait for `stop` (or cancellation), stop()."""
        await self.start()
        try:
            await (stop.wait() if stop is not None else asyncio.Event().wait())
        finally:
            await self.stop()

    # ----- the sync loop --------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = 1.0
        while not self._stopping:
            try:
                if not self._logged_in:
                    await self._login()
                self._interruptible = True
                try:
                    resp = await self.client.nio.sync(
                        timeout=self.poll_ms if self.ready.is_set() else 0,
                        sync_filter=self.client.filter_id,
                        since=self._since or None,
                    )
                finally:
                    self._interruptible = False
                if self._stopping:
                    return
                if isinstance(resp, SyncError):
                    raise MatrixError(f"sync failed: {resp.status_code} {resp.message}")
                await self._handle(resp)
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as err:
                if isinstance(err, LoginRefused) and not self.ready.is_set():
                    what = "access_token" if self.settings.access_token.get_secret_value() else (
                        "password")  # fmt: skip
                    self.fatal = StartupError(f"matrix.{what}: {self.settings.homeserver} "
                                              f"refused the login of {self.settings.user_id} "
                                              f"({err}); create a new {what.replace('_', ' ')} "
                                              "for the bot account")  # fmt: skip
                    self._failed.set()
                    return
                if "M_UNKNOWN_TOKEN" in str(err):
                    self._logged_in = False
                self._last_error = _describe(err)
                log.warning("Matrix: %s; retrying in %.0f s", _describe(err), backoff)
                self._interruptible = True
                try:
                    await asyncio.sleep(backoff * (0.8 + 0.4 * random.random()))
                finally:
                    self._interruptible = False
                backoff = min(backoff * 2, 300.0 if not self._logged_in else 60.0)

    async def _login(self) -> None:
        await self.client.login()
        self._logged_in = True
        log.info("logged in to Matrix as %s (device %s, end-to-end encryption: %s)",
                 self.client.user_id, self.client.nio.device_id,
                 "on" if self.client.e2e else "off: install mentorbot[e2e]")  # fmt: skip
        await self.client.check_rate_limits()
        if self.settings.encrypt_rooms and not self.client.e2e:
            log.warning("matrix.encrypt_rooms is on, but this installation cannot encrypt "
                        "(pip install 'mentorbot[e2e]'); new rooms stay unencrypted")  # fmt: skip
        for room_id in self.invites.rooms:  # public configured rooms can be joined directly
            if room_id not in self.client.nio.rooms and not self.ready.is_set():
                await self.client.join(room_id)

    async def _handle(self, resp: SyncResponse) -> None:
        first = not self._since
        tasks: list[asyncio.Task[None]] = []
        for room_id, info in resp.rooms.invite.items():
            tasks.append(self._submit(room_id, partial_invite(self.invites, room_id, info)))
        for room_id, info in resp.rooms.join.items():
            if first:
                continue  # a fresh store: history is not replayed, only new events count
            try:
                events = await self._timeline(room_id, info)
                jobs = self.handler.jobs(room_id, events)
            except Exception:  # one odd room must never stall the sync loop
                log.exception("could not read the new events of %s; skipping them", room_id)
                continue
            tasks.extend(self._submit(key, job) for key, job in jobs)
        self._since = resp.next_batch
        self._batches.append((resp.next_batch, tasks))
        for task in tasks:
            task.add_done_callback(lambda _t: self._commit())
        self._commit()
        if self.client.e2e:
            await self._e2e_housekeeping()
        if not self.ready.is_set():
            if tasks:
                await asyncio.wait(tasks, timeout=30)
            self.ready.set()

    async def _timeline(self, room_id: str, info: Any) -> list[Any]:
        """The room's new events; a limited timeline is completed from /messages.

        When the bot has just joined, what happened before its invite is history; what
        was said between invite and join (a DM's first "!help") still counts.
        """
        events = list(info.timeline.events)
        joined = _own_membership(events, self.client.user_id, "join")
        if joined is not None:
            invited = _own_membership(events[:joined], self.client.user_id, "invite")
            start = invited + 1 if invited is not None else joined
            return [e for i, e in enumerate(events[start:], start) if i != joined]
        if info.timeline.limited and info.timeline.prev_batch and self._since:
            try:
                events = await self._fill_gap(room_id, info.timeline.prev_batch) + events
            except Exception:
                log.warning("could not fetch the events a sync skipped in %s", room_id,
                            exc_info=True)  # fmt: skip
        return events

    async def _fill_gap(self, room_id: str, start: str) -> list[Any]:
        older: list[Any] = []
        token: str | None = start
        for _ in range(GAP_PAGES):
            resp = await self.client.nio.room_messages(
                room_id, start=token, end=self._since, direction=MessageDirection.back, limit=100
            )
            if not isinstance(resp, RoomMessagesResponse) or not resp.chunk:
                break
            older.extend(resp.chunk)
            if not resp.end or resp.end == token:
                break
            token = resp.end
        older.reverse()
        log.info("filled a gap of %d events in %s", len(older), room_id)
        return older

    async def _e2e_housekeeping(self) -> None:
        nio = self.client.nio
        try:
            if nio.should_upload_keys:
                await nio.keys_upload()
            if nio.should_query_keys:
                await nio.keys_query()
            if nio.should_claim_keys:
                await nio.keys_claim(nio.get_users_for_key_claiming())
            await nio.send_to_device_messages()
        except Exception:
            log.warning("end-to-end key maintenance failed; retrying after the next sync",
                        exc_info=True)  # fmt: skip

    # ----- jobs: in order per key, a few at a time, sync token saved when a batch is done ---
    def _submit(self, key: str, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        previous = self._chains.get(key)
        task = asyncio.create_task(self._run_job(previous, job))
        self._chains[key] = task

        def _forget(done: asyncio.Task[None]) -> None:
            if self._chains.get(key) is done:
                del self._chains[key]

        task.add_done_callback(_forget)
        return task

    async def _run_job(
        self, previous: asyncio.Task[None] | None, job: Callable[[], Awaitable[None]]
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        async with self._sem:
            try:
                await job()
            except Exception:
                log.exception("a Matrix event could not be handled")

    def _commit(self) -> None:
        """Save the newest sync token whose events (and all before) are fully handled."""
        token = None
        while self._batches and all(task.done() for task in self._batches[0][1]):
            token = self._batches.popleft()[0]
        if token:
            try:
                self.state.set_next_batch(token)
            except OSError:
                log.exception("could not save the Matrix sync token")

    # ----- greetings and locale -------------------------------------------------------------
    async def community_locale(self, community: str) -> str:
        """The community room's language (the bot's default for unknown rooms)."""
        ref = await self.services.community.ref_for("matrix", community)
        return await self.services.community.locale_for(ref) if ref else self.locale


def partial_invite(policy: InvitePolicy, room_id: str, info: Any) -> Callable[[], Awaitable[None]]:
    """The job that answers one invite."""

    async def job() -> None:
        await policy.handle(room_id, list(info.invite_state))

    return job


def _own_membership(events: list[Any], me: str, membership: str) -> int | None:
    """Index of the newest change of the bot's own membership to `membership`."""
    for index in range(len(events) - 1, -1, -1):
        src = getattr(events[index], "source", None) or {}
        content = src.get("content") or {}
        prev = (src.get("unsigned") or {}).get("prev_content") or {}
        if (
            src.get("type") == "m.room.member"
            and src.get("state_key") == me
            and content.get("membership") == membership
            and prev.get("membership") != membership
        ):
            return index
    return None


def _describe(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return f"{type(err).__name__}: {text}"[:300]
