"""Database engine and session factory (SQLite in WAL mode, or PostgreSQL via asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# What core holds: a transaction (unit of work) and the factory that opens one. Core adds new
# rows to a Tx and commits it; every query goes through storage.repositories.
Tx = AsyncSession
Engine = AsyncEngine
SessionFactory = async_sessionmaker[AsyncSession]


def async_url(database_url: str) -> URL:
    """Turn a user-facing URL (sqlite:///x.db, postgresql://...) into an async driver URL."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database backend {backend!r}: use sqlite:/// or postgresql://")


def is_sqlite(engine: AsyncEngine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def create_engine(database_url: str, *, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = async_url(database_url)
    # Statement parameters are member text: keep them out of error messages and logs.
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, start transactions (SAVEPOINTs then work).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            if read_only:  # e.g. the source of `db copy`: never writes, never converts to WAL
                cursor.execute("PRAGMA query_only=ON")
            else:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Writers take the write lock up front: a read-then-write transaction can then
            # wait (busy_timeout) instead of failing on a stale snapshot under concurrency.
            # A reader begins deferred: a WAL snapshot that never blocks the bot's writers.
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class DatabaseProblem(Exception):
    """Why the database cannot be used; `transient` when waiting may help."""

    def __init__(self, what: str, *, transient: bool, fix: str) -> None:
        super().__init__(what)
        self.what, self.transient, self.fix = what, transient, fix


def prepare_sqlite(database_url: str) -> None:
    """Create the folder of an SQLite file if it is missing (raises OSError if it cannot)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def error_chain(err: BaseException) -> list[BaseException]:
    """The error and what caused it (SQLAlchemy wraps the driver's error in `orig`)."""
    chain = [err]
    while True:
        nxt = getattr(chain[-1], "orig", None) or chain[-1].__cause__
        if not isinstance(nxt, BaseException) or nxt in chain:
            return chain
        chain.append(nxt)


def _problem(err: BaseException, url: URL) -> DatabaseProblem:
    """Sort a connection error into 'wait and retry' or 'fix the settings'."""
    import asyncpg.exceptions as pg  # the driver's own error types

    chain = error_chain(err)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    sqlite = url.get_backend_name() == "sqlite"
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, pg.InvalidAuthorizationSpecificationError) for e in chain):
        what = f"PostgreSQL at {where} refused the login of '{url.username}'"
        return DatabaseProblem(what, transient=False, fix="check the user and password")
    if any(isinstance(e, pg.InvalidCatalogNameError) for e in chain):
        what = f"PostgreSQL at {where} has no database '{url.database}'"
        return DatabaseProblem(what, transient=False, fix="create it or name an existing one")
    if sqlite and ("readonly" in text or "unable to open" in text):
        what = f"the SQLite file {url.database} cannot be written"
        fix = "make it and its folder writable for the bot's user, or choose another path"
        return DatabaseProblem(what, transient=False, fix=fix)
    if sqlite and "locked" in text:
        what = f"the SQLite file {url.database} is locked by another program"
        return DatabaseProblem(what, transient=True, fix="stop the other program")
    transient = (OSError, pg.CannotConnectNowError, pg.TooManyConnectionsError)
    if any(isinstance(e, transient) for e in chain):
        what = f"cannot reach PostgreSQL at {where} ({type(chain[-1]).__name__})"
        return DatabaseProblem(what, transient=True, fix="start it, or fix the host and port")
    what = f"the database failed ({type(chain[-1]).__name__})"
    return DatabaseProblem(what, transient=False, fix="see the log for details")


async def check_usable(engine: AsyncEngine) -> None:
    """Open a write transaction and run a trivial query; raise DatabaseProblem if we can't."""
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("SELECT 1")
    except Exception as err:
        raise _problem(err, engine.url) from err
