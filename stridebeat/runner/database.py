"""The history's SQLite file: opening it safely, its schema, its transactions, its errors.

The file is ``history.sqlite3`` in the app folder. Every write is one short transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``) in WAL mode with ``synchronous=FULL``, so several
stridebeat processes can write at once (each waits up to ``BUSY_TIMEOUT`` seconds for the
others), several can create a new history at once (one creates the tables, the others wait
for it), and a process that is killed loses at most the entry it was writing.

The file is never recreated or repaired behind the runner's back:

- a file that is not SQLite, is truncated, or fails ``PRAGMA quick_check`` raises
  ``HistoryCorrupt`` and is left byte for byte as it was (an empty file counts as new:
  SQLite creates the file before it writes the first page);
- a SQLite file without stridebeat's tables (``user_version`` 0 but other tables) is refused
  the same way, rather than written into;
- a file from a newer stridebeat (``PRAGMA user_version`` above ``SCHEMA_VERSION``) raises
  ``HistoryTooNew``;
- a writer that holds the file past the busy timeout raises ``HistoryLocked``: the entry being
  written is not saved, and nothing already saved is touched.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stridebeat.errors import StridebeatError

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT = 5.0  # seconds a write waits for another writer before giving up
WAL_RETRY_S = 0.01  # pause between tries to switch to WAL while another process writes

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100

# Each version's statements take the schema from the version before to this one.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            day TEXT NOT NULL,
            started TEXT,
            ended TEXT,
            planned_minutes REAL NOT NULL CHECK (planned_minutes >= 0),
            completed_minutes REAL NOT NULL CHECK (completed_minutes >= 0),
            cadence_spm REAL,
            underruns INTEGER NOT NULL CHECK (underruns >= 0),
            finished INTEGER NOT NULL CHECK (finished IN (0, 1)),
            week INTEGER,
            number INTEGER,
            source TEXT NOT NULL CHECK (source IN ('play', 'today', 'session', 'done'))
        )""",
        "CREATE INDEX sessions_by_day ON sessions (day)",
        """CREATE TABLE retention_checks (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            day TEXT NOT NULL,
            cadence_spm REAL NOT NULL,
            counted_steps INTEGER
        )""",
        """CREATE TABLE stance_checks (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            day TEXT NOT NULL,
            left_leg TEXT NOT NULL CHECK (left_leg IN ('steady', 'wobble', 'drop')),
            right_leg TEXT NOT NULL CHECK (right_leg IN ('steady', 'wobble', 'drop'))
        )""",
        """CREATE TABLE pain_reports (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            day TEXT NOT NULL,
            level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 10),
            place TEXT
        )""",
        """CREATE TABLE baselines (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            day TEXT NOT NULL,
            cadence_spm REAL NOT NULL,
            source TEXT NOT NULL
        )""",
    ),
}


class HistoryError(StridebeatError):
    """The history database cannot be opened, read or written."""


class HistoryLocked(HistoryError):
    """Another process held the history database for longer than the busy timeout."""


class HistoryCorrupt(HistoryError):
    """The history file is not a readable stridebeat database; it is left untouched."""


class HistoryTooNew(HistoryError):
    """The history database was written by a newer stridebeat with a newer schema."""


def history_path() -> Path:
    """The history database in the user's app folder."""
    from stridebeat.paths import app_dir

    return app_dir() / FILE_NAME


class Database:
    """The history file, open: checked, on the current schema, in WAL mode.

    Opening creates the file and its tables when there is none. Each ``insert`` is its own
    transaction; ``timeout`` is how long it waits for another writer. sqlite3's exceptions
    come out as ``HistoryError`` subclasses that say what was not done.
    """

    def __init__(self, path: Path, timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self._conn = _open(path, timeout)

    def close(self) -> None:
        """Close the file; closing twice is harmless."""
        self._conn.close()

    def insert(self, table: str, row: Mapping[str, object], what: str) -> int:
        """Insert ``row`` (column -> value) in one transaction; returns its id.

        ``what`` names the entry in an error message ("this pain report").
        """
        sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        with _translated(self.path, self.timeout, f"{what} was not saved"):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._conn.execute(sql, tuple(row.values()))
                self._conn.execute("COMMIT")
            except BaseException:
                _rollback(self._conn)
                raise
        if cursor.lastrowid is None:  # pragma: no cover - sqlite always sets it for an INSERT
            raise HistoryError(f"{self.path}: {what} was saved without an id")
        return cursor.lastrowid

    def select(self, table: str, order: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows of ``table`` (column -> value) in ``order``, at most ``limit`` of them."""
        sql = f"SELECT * FROM {table} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with _translated(self.path, self.timeout, "the history was not read"):
            return [dict(row) for row in self._conn.execute(sql)]


# -- opening ---------------------------------------------------------------------------------


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    """Connect, check the file is a healthy stridebeat history, and bring its schema up to date."""
    _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryError(
            f"cannot create the folder {path.parent} for the history: {exc.strerror or exc}"
        ) from exc
    with _translated(path, timeout, "the history was not opened"):
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        try:
            _prepare(conn, path, timeout)
        except BaseException:
            conn.close()
            raise
    return conn


def _prepare(conn: sqlite3.Connection, path: Path, timeout: float) -> None:
    """Read-only checks first; only a healthy stridebeat file (or a new one) is written to."""
    conn.row_factory = sqlite3.Row
    version = _inspect(conn, path)
    _use_wal(conn, timeout)
    conn.execute("PRAGMA synchronous = FULL")
    if version < SCHEMA_VERSION:
        _migrate(conn, path)


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    """Check the file and return its schema version, all from one snapshot of it.

    One read transaction, because another process may be creating the tables meanwhile:
    read apart, a version 0 from before its migration and the tables from after it would
    make our own history look like another program's database.
    """
    conn.execute("BEGIN")
    try:
        _check_integrity(conn, path)
        version = _user_version(conn)
        _check_version(version, path)
        if version == 0:
            _check_empty(conn, path)
        return version
    finally:
        _rollback(conn)


def _use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL (a file system without WAL keeps its mode).

    SQLite does not wait for the busy timeout here: while another process holds the write
    lock (it is switching a new history to WAL too, or creating its tables) the switch fails
    at once with SQLITE_BUSY. So it is tried again until ``timeout`` has passed, as a write
    would wait. Once the file is in WAL the statement changes nothing.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if _primary_code(exc) not in _BUSY or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_RETRY_S)


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite opens it (and adds -wal/-shm to it)."""
    try:
        with path.open("rb") as file:
            head = file.read(_HEADER_SIZE)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"cannot read the history {path}: {exc.strerror or exc}") from exc
    if not head:
        return  # SQLite creates the file empty and writes its first page later: a new history
    if not head.startswith(_SQLITE_MAGIC):
        raise HistoryCorrupt(_damaged(path, "it is not a SQLite database"))
    if len(head) < _HEADER_SIZE:
        raise HistoryCorrupt(_damaged(path, f"it is cut short ({len(head)} bytes)"))


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise HistoryCorrupt(_damaged(path, "; ".join(problems[:3])))


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_version(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise HistoryTooNew(
            f"the history {path} was written by a newer stridebeat (schema version {version}; "
            f"this one reads up to {SCHEMA_VERSION}): upgrade stridebeat to use it. "
            "The file has not been changed."
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create or upgrade the tables in one transaction (another process may be doing it too)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _user_version(conn)  # read again under the write lock
        _check_version(version, path)
        if version == 0:
            _check_empty(conn, path)
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _check_empty(conn: sqlite3.Connection, path: Path) -> None:
    """A SQLite file with tables but no schema version is someone else's: do not write to it."""
    names = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    if names:
        raise HistoryCorrupt(
            f"{path} is a SQLite database but not a stridebeat history (it has the tables "
            f"{', '.join(sorted(names))}). stridebeat has not changed it: move it elsewhere, "
            "or set STRIDEBEAT_HOME to another folder."
        )


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is closing or broken; SQLite rolls back on its own


# -- errors ----------------------------------------------------------------------------------

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


@contextmanager
def _translated(path: Path, timeout: float, outcome: str) -> Iterator[None]:
    """Turn sqlite3's exceptions into HistoryError subclasses with a message for the runner."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _translate(exc, path, timeout, outcome) from exc


def _primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code (SQLITE_BUSY for SQLITE_BUSY_RECOVERY, ...), if known."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def _translate(exc: sqlite3.Error, path: Path, timeout: float, outcome: str) -> HistoryError:
    primary = _primary_code(exc)
    if primary in _BUSY:
        return HistoryLocked(
            f"the history {path} is locked: another process (another stridebeat?) has been "
            f"writing to it for more than {timeout:g} s. Nothing was lost: {outcome}, and "
            "everything saved before is intact. Run the command again when the other one "
            "has finished."
        )
    if primary in _CORRUPT:
        return HistoryCorrupt(_damaged(path, str(exc)))
    if primary == sqlite3.SQLITE_FULL:
        return HistoryError(f"the disk holding {path} is full: {outcome}. Free some space.")
    if primary == sqlite3.SQLITE_IOERR:  # a full disk or a file-size limit often ends here
        return HistoryError(
            f"the history {path} could not be written ({exc}): {outcome}. The disk is "
            "probably full (or failing): free some space, or check the disk, then run the "
            "command again; what was saved before is kept."
        )
    return HistoryError(f"the history {path} cannot be used ({exc}): {outcome}.")


def _damaged(path: Path, detail: str) -> str:
    aside = f"{path.name}.damaged"
    return (
        f"the history {path} is damaged ({detail}). stridebeat has not changed it and will not "
        f"overwrite it. Keep the file: rename it (e.g. to {aside}), then put a backup copy in "
        f"its place, or run stridebeat again to start a new history. "
        f"`sqlite3 {aside} .recover` can often rescue its entries."
    )
