"""`mentorbot db copy`: move a community's database (SQLite) into an empty PostgreSQL one.

The source is read in one read-only transaction, so a bot still writing to it cannot make the
copy inconsistent (it gets the state of one moment; later writes are not carried over). The
target gets the schema from the migrations and every table, in dependency order and in
batches, inside one transaction: if anything fails or does not verify, nothing is left behind.
Row counts are compared table by table and PostgreSQL's id sequences continue after the
largest copied id.

Nothing here prints a URL: messages name "the source" and "the target", and the command line
masks passwords in what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import asyncpg.exceptions as pg
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    bindparam,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import async_url, create_engine, error_chain
from storage.migrate import current_revision, head, revisions, upgrade_connection

VERSION_TABLE = "alembic_version"
BATCH_SIZE = 1000
EXIT_CONFIG = 2
EXIT_CONNECTION = 3

Progress = Callable[[str, int, int], None]
"""Called as rows arrive: (table, rows copied so far, rows in the table)."""


class CopyError(Exception):
    """Why a copy did not start or did not finish: one line for the operator, and the exit
    code (2: the databases given cannot be used as they are, 3: cannot connect, 1: failed)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CopiedTable:
    """One table as verified after the copy."""

    name: str
    rows: int


@dataclass
class CopyReport:
    """What was copied."""

    revision: str
    tables: list[CopiedTable] = field(default_factory=list)
    sequences: int = 0  # PostgreSQL id sequences moved past the copied ids

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


async def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every mentorbot table from `source_url` into the empty database at `target_url`."""
    _urls(source_url, target_url)  # both usable, the source file there: else one clear line
    source = create_engine(source_url, read_only=True)
    target = create_engine(target_url)
    try:
        async with _connect(source, "source") as src:
            await _begin_snapshot(src)
            revision = await _source_revision(src)
            tables = await _reflect(src)
            counts = {t.name: await _count(src, t) for t in tables}
            async with _connect(target, "target") as dst, dst.begin():
                await _check_empty(dst, {t.name for t in tables})
                return await _copy(src, dst, revision, tables, counts, batch_size, progress)
    finally:
        await source.dispose()
        await target.dispose()


# ----- opening both ends ------------------------------------------------------------------------
def _urls(source_url: str, target_url: str) -> URL:
    """The source's async URL, after checking both can be used."""
    try:
        source, target = async_url(source_url), async_url(target_url)
    except ValueError as err:
        raise CopyError(f"cannot use the database URL: {err}", EXIT_CONFIG) from None
    except SQLAlchemyError:  # its message quotes the URL, password and all
        raise CopyError(
            "cannot parse a database URL: use sqlite:///path or postgresql://"
            "user:password@host/database",
            EXIT_CONFIG,
        ) from None
    if source.get_backend_name() == "sqlite":
        path = source.database
        if not path or path == ":memory:" or path.startswith("file:"):
            raise CopyError(
                "the source must be an SQLite file: sqlite:///path/to/mentorbot.db", EXIT_CONFIG
            )
        if not Path(path).is_file():
            raise CopyError(f"the source database file {path} does not exist", EXIT_CONFIG)
    if _same(source, target):
        raise CopyError("the source and the target are the same database", EXIT_CONFIG)
    return source


def _same(a: URL, b: URL) -> bool:
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return (
            bool(b.database)
            and Path(a.database or "").resolve() == Path(b.database or "").resolve()
        )
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)


class _connect:
    """`async with engine.connect()`, with connection failures as one line: a database that
    does not exist is a setting to fix (exit code 2), a refused login or an unreachable
    server a connection problem (3)."""

    def __init__(self, engine: AsyncEngine, which: str) -> None:
        self.engine, self.which = engine, which
        self.conn: AsyncConnection | None = None

    async def __aenter__(self) -> AsyncConnection:
        try:
            self.conn = await self.engine.connect()
        except (OSError, DBAPIError, pg.PostgresError) as err:
            chain = error_chain(err)
            if any(isinstance(e, pg.InvalidCatalogNameError) for e in chain):
                raise CopyError(
                    f"the {self.which} database does not exist: create it first ({_reason(err)})",
                    EXIT_CONFIG,
                ) from None
            if any(isinstance(e, pg.InvalidAuthorizationSpecificationError) for e in chain):
                raise CopyError(
                    f"the {self.which} database refused the login: check the user "
                    f"and password in its URL",
                    EXIT_CONNECTION,
                ) from None
            raise CopyError(
                f"cannot connect to the {self.which} database: {_reason(err)}", EXIT_CONNECTION
            ) from None
        return self.conn

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            await self.conn.close()


def _reason(err: BaseException) -> str:
    """The driver's own first line, without SQL or parameters."""
    cause = getattr(err, "orig", None) or err
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


async def _begin_snapshot(src: AsyncConnection) -> None:
    """One read transaction for everything read from the source."""
    if src.dialect.name == "postgresql":
        await src.execution_options(isolation_level="REPEATABLE READ")
        await src.begin()
        await src.execute(text("SET TRANSACTION READ ONLY"))
    else:
        await src.begin()


async def _source_revision(src: AsyncConnection) -> str:
    try:
        revision = await src.run_sync(current_revision)
    except DBAPIError as err:
        raise CopyError(f"cannot read the source database: {_reason(err)}", EXIT_CONFIG) from None
    wanted = head()
    if revision is None:
        raise CopyError(
            "the source database has no mentorbot tables: check the --from URL", EXIT_CONFIG
        )
    if revision == wanted:
        return revision
    if revision in revisions():
        raise CopyError(
            f"the source database is at revision {revision}, this mentorbot copies {wanted}: "
            "run `mentorbot db upgrade` on it first (with the bot stopped)",
            EXIT_CONFIG,
        )
    raise CopyError(
        f"the source database is at revision {revision}, which this mentorbot does not know: "
        "copy it with the mentorbot version that wrote it",
        EXIT_CONFIG,
    )


async def _reflect(conn: AsyncConnection) -> list[Table]:
    """The tables of a database in dependency order (parents first), without Alembic's."""

    def _run(sync: Connection) -> list[Table]:
        metadata = MetaData()
        metadata.reflect(sync)
        return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]

    return await conn.run_sync(_run)


async def _count(conn: AsyncConnection, table: Table) -> int:
    return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _check_empty(conn: AsyncConnection, ours: set[str]) -> None:
    """Refuse a target holding anything: other tables, rows, or an unknown revision."""
    names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    foreign = sorted(set(names) - ours - {VERSION_TABLE})
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise CopyError(
            f"the target database is not empty (it has tables {shown}): copy only "
            "into a new, empty database",
            EXIT_CONFIG,
        )
    filled = []
    for name in sorted(set(names) & ours):
        rows = (await conn.execute(text(f"SELECT count(*) FROM {_quote(conn, name)}"))).scalar()
        if rows:
            filled.append(f"{name}: {rows} row{'' if rows == 1 else 's'}")
    if filled:
        shown = ", ".join(filled[:3]) + (", …" if len(filled) > 3 else "")
        raise CopyError(
            f"the target database is not empty ({shown}): copy only into a new, empty database",
            EXIT_CONFIG,
        )
    if VERSION_TABLE in names:
        revision = await conn.run_sync(current_revision)
        if revision is not None and revision not in revisions():
            raise CopyError(
                f"the target database is at revision {revision}, which this "
                "mentorbot does not know: use a new, empty database",
                EXIT_CONFIG,
            )


def _quote(conn: AsyncConnection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


# ----- the copy ---------------------------------------------------------------------------------
async def _copy(
    src: AsyncConnection,
    dst: AsyncConnection,
    revision: str,
    source_tables: list[Table],
    counts: Mapping[str, int],
    batch_size: int,
    progress: Progress | None,
) -> CopyReport:
    await dst.run_sync(upgrade_connection, revision)
    target_tables = {t.name: t for t in await _reflect(dst)}
    _check_same_schema(source_tables, target_tables)
    report = CopyReport(revision)
    for table in source_tables:
        name = table.name
        try:
            copied = await _copy_table(
                src, dst, table, target_tables[name], counts[name], batch_size, progress
            )
        except DBAPIError as err:
            raise CopyError(f"copying table {name} failed: {_reason(err)}") from None
        stored = await _count(dst, target_tables[name])
        if not counts[name] == copied == stored:
            raise CopyError(
                f"table {name} did not verify: {counts[name]} rows in the source, "
                f"{copied} read, {stored} in the target; nothing was kept"
            )
        report.tables.append(CopiedTable(name, stored))
    if dst.dialect.name == "postgresql":
        report.sequences = await _reset_sequences(dst, list(target_tables.values()))
    return report


def _check_same_schema(source: Sequence[Table], target: Mapping[str, Table]) -> None:
    for table in source:
        theirs = target.get(table.name)
        if theirs is None:
            raise CopyError(f"the migrations did not create table {table.name} in the target")
        missing = sorted(set(table.columns.keys()) ^ set(theirs.columns.keys()))
        if missing:
            raise CopyError(
                f"table {table.name} has different columns in the source and the "
                f"target ({', '.join(missing)}); nothing was copied"
            )
    extra = sorted(set(target) - {t.name for t in source})
    if extra:
        raise CopyError(f"the source lacks tables the migrations create ({', '.join(extra)})")


async def _copy_table(
    src: AsyncConnection,
    dst: AsyncConnection,
    table: Table,
    target: Table,
    total: int,
    batch_size: int,
    progress: Progress | None,
) -> int:
    """Stream one table in primary-key order; returns the rows written."""
    aware = {c.name for c in target.columns if isinstance(c.type, DateTime) and c.type.timezone}
    # A column pointing into its own table (a milestone's parent goal) is filled in afterwards,
    # so the order of rows does not matter.
    later = [c.name for c in _self_references(target) if c.nullable]
    pk = [c.name for c in target.primary_key.columns]
    deferred: list[dict[str, Any]] = []
    done = 0
    if progress is not None:
        progress(table.name, 0, total)
    order = [table.c[name] for name in pk] or list(table.columns)
    result = await src.stream(select(table).order_by(*order))
    async for rows in result.partitions(batch_size):
        batch = [_row(row._mapping, aware) for row in rows]
        for row in batch:
            if any(row[name] is not None for name in later):
                deferred.append(
                    {**{f"_pk_{n}": row[n] for n in pk}, **{f"_v_{n}": row[n] for n in later}}
                )
                for name in later:
                    row[name] = None
        await dst.execute(target.insert(), batch)
        done += len(batch)
        if progress is not None:
            progress(table.name, done, total)
    if deferred:
        statement = (
            update(target)
            .where(*(target.c[n] == bindparam(f"_pk_{n}") for n in pk))
            .values({n: bindparam(f"_v_{n}") for n in later})
        )
        await dst.execute(statement, deferred)
    return done


def _self_references(table: Table) -> Iterable[Column[Any]]:
    for fk in table.foreign_keys:
        if fk.column.table.name == table.name and fk.parent.table is table:
            yield fk.parent


def _row(values: Mapping[Any, Any], aware: set[str]) -> dict[str, Any]:
    """A source row for the target: SQLite keeps timestamps without their zone (they are UTC,
    as the bot writes them); PostgreSQL's driver would read a naive one as local time."""
    row = dict(values)
    for name in aware:
        value = row.get(name)
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)
    return row


async def _reset_sequences(dst: AsyncConnection, tables: Sequence[Table]) -> int:
    """Let every id sequence continue after the largest copied id, and check it does."""
    reset = 0
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        column = pk[0].name
        sequence = (
            await dst.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": _quote(dst, table.name), "c": column},
            )
        ).scalar()
        if sequence is None:
            continue
        largest = (await dst.execute(select(func.max(table.c[column])))).scalar() or 0
        await dst.execute(
            text("SELECT setval(CAST(:s AS regclass), :v, false)"),
            {"s": sequence, "v": largest + 1},
        )
        last, called = (
            await dst.execute(text(f"SELECT last_value, is_called FROM {sequence}"))
        ).one()
        if last + (1 if called else 0) <= largest:
            raise CopyError(f"the id sequence of table {table.name} did not move past {largest}")
        reset += 1
    return reset


# ----- progress on a terminal or in a log -------------------------------------------------------
class ProgressBar:
    """Rows copied per table: a bar redrawn in place on a terminal; when the stream is a file
    or a pipe (a log keeps no carriage returns), a line per table and per 100,000 rows."""

    def __init__(self, stream: TextIO, width: int = 28) -> None:
        self.stream, self.width = stream, width
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.open_line = False
        self.shown = 0  # rows of the current table last shown (files: a line every `every`)
        self.every = 100_000

    def close(self) -> None:
        """End a bar left half-way (the copy failed), so what follows starts a line."""
        if self.open_line:
            self.stream.write("\n")
            self.open_line = False

    def __call__(self, table: str, done: int, total: int) -> None:
        finished = done >= total
        self.open_line = self.live and not finished
        if not self.live and not finished and done // self.every == self.shown // self.every:
            return
        self.shown = 0 if finished else done
        filled = self.width if total == 0 else self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{table:<18} [{bar}] {done:>9,}/{total:,} rows"
        if self.live:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
