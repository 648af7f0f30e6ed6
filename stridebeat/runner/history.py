"""The runner's history: sessions run, checks made, baselines measured, in one SQLite file.

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

Sessions keep the day they belong to; ``started`` and ``ended`` are ``None`` for a session
marked done from a phone file (``mark_done``), whose time of day nobody recorded. Datetimes
are stored as ISO 8601 text exactly as given (naive stays naive, an offset stays); ``created``
is the UTC time the entry was saved.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

from stridebeat.errors import InputError, StridebeatError
from stridebeat.units import MAX_SPM, MIN_SPM

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT = 5.0  # seconds a write waits for another writer before giving up
WAL_RETRY_S = 0.01  # pause between tries to switch to WAL while another process writes
PAIN_RANGE = (0, 10)

SessionSource = Literal["play", "today", "session", "done"]
SESSION_SOURCES: tuple[SessionSource, ...] = ("play", "today", "session", "done")
Stance = Literal["steady", "wobble", "drop"]
STANCES: tuple[Stance, ...] = ("steady", "wobble", "drop")
_STANCE_ALIASES = {"hip drop": "drop", "hip-drop": "drop", "hip_drop": "drop", "hipdrop": "drop"}

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


@dataclass(frozen=True)
class SessionRecord:
    id: int
    created: datetime
    day: date
    started: datetime | None  # None when marked done from a phone file
    ended: datetime | None
    planned_minutes: float
    completed_minutes: float
    cadence_spm: float | None
    underruns: int
    finished: bool
    week: int | None
    number: int | None
    source: SessionSource


@dataclass(frozen=True)
class RetentionRecord:
    id: int
    created: datetime
    day: date
    cadence_spm: float
    counted_steps: int | None  # steps counted in 30 s, when the runner counted


@dataclass(frozen=True)
class StanceRecord:
    id: int
    created: datetime
    day: date
    left: Stance
    right: Stance


@dataclass(frozen=True)
class PainRecord:
    id: int
    created: datetime
    day: date
    level: int
    where: str | None


@dataclass(frozen=True)
class BaselineRecord:
    id: int
    created: datetime
    day: date
    cadence_spm: float
    source: str  # "tap", "hand", or the activity file's name


Record = SessionRecord | RetentionRecord | StanceRecord | PainRecord | BaselineRecord


def history_path() -> Path:
    """The history database in the user's app folder."""
    from stridebeat.paths import app_dir

    return app_dir() / FILE_NAME


def to_json(record: Record) -> dict[str, object]:
    """A record as JSON-ready values: dates and datetimes become ISO 8601 text."""
    out: dict[str, object] = {}
    for field in fields(record):
        value = getattr(record, field.name)
        out[field.name] = value.isoformat() if isinstance(value, date) else value
    return out


def streak(
    days_with_sessions: Iterable[date],
    today: date,
    *,
    per_week: int = 1,
    week_start: date | None = None,
) -> int:
    """The number of consecutive weeks, up to this one, with at least ``per_week`` run days.

    A cadence plan runs every two or three days, so a streak of days would break on every rest
    day; weeks are what a plan is built from. A week counts when the runner ran on
    ``per_week`` different days in it (the CLI can pass two-thirds of the plan's run days,
    the share below which the plan holds a week). The current week is still in progress: it
    adds to the streak once it counts, and never breaks it before it ends. Days after
    ``today`` are ignored. Weeks are the plan's weeks when ``week_start`` (the plan's first
    day) is given, else Monday to Sunday.

    >>> streak([date(2024, 5, 6), date(2024, 5, 13)], today=date(2024, 5, 21))
    2
    """
    if not 1 <= per_week <= 7:
        raise ValueError(f"per_week must be 1 to 7, not {per_week}")
    anchor = date(1, 1, 1) if week_start is None else week_start  # 0001-01-01 is a Monday

    def week_of(day: date) -> int:
        return (day - anchor).days // 7

    runs = Counter(week_of(day) for day in set(days_with_sessions) if day <= today)
    week = week_of(today)
    if runs[week] < per_week:
        week -= 1  # this week is not over yet
    count = 0
    while runs[week] >= per_week:
        count += 1
        week -= 1
    return count


class History:
    """The history database, opened (and created if new) for reading and writing.

    Use it as a context manager, or call ``close``. ``path`` defaults to ``history_path()``;
    ``timeout`` is how long a write waits for another writer; ``now`` gives the time stamped
    on each entry as ``created`` (a clock to pass in for tests).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        timeout: float = BUSY_TIMEOUT,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = history_path() if path is None else Path(path)
        self._timeout = timeout
        self._now = now if now is not None else _utc_now
        self._conn = _open(self.path, timeout)

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; closing twice is harmless."""
        self._conn.close()

    # -- writing ---------------------------------------------------------------------------

    def record_session(
        self,
        *,
        started: datetime,
        ended: datetime,
        planned_minutes: float,
        completed_minutes: float,
        cadence_spm: float | None,
        underruns: int,
        finished: bool,
        week: int | None = None,
        number: int | None = None,
        source: str = "play",
    ) -> int:
        """Save a session that was played (finished, or stopped early); returns its id."""
        _check_times(started, ended)
        week, number = _check_slot(week, number)
        values = {
            "day": started.date().isoformat(),
            "started": started.isoformat(),
            "ended": ended.isoformat(),
            "planned_minutes": _minutes("planned minutes", planned_minutes),
            "completed_minutes": _minutes("completed minutes", completed_minutes),
            "cadence_spm": None if cadence_spm is None else _cadence(cadence_spm),
            "underruns": _count("underruns", underruns, 0),
            "finished": int(_flag("finished", finished)),
            "week": week,
            "number": number,
            "source": _session_source(source),
        }
        return self._insert("sessions", values, "this session")

    def mark_done(
        self,
        week: int,
        number: int,
        day: date,
        planned_minutes: float,
        cadence_spm: float | None,
    ) -> int:
        """Save plan session ``week``/``number`` as done on ``day`` (run from a phone file)."""
        minutes = _minutes("planned minutes", planned_minutes)
        slot_week, slot_number = _check_slot(week, number)
        values = {
            "day": _day(day).isoformat(),
            "started": None,
            "ended": None,
            "planned_minutes": minutes,
            "completed_minutes": minutes,
            "cadence_spm": None if cadence_spm is None else _cadence(cadence_spm),
            "underruns": 0,
            "finished": 1,
            "week": slot_week,
            "number": slot_number,
            "source": "done",
        }
        return self._insert("sessions", values, "this session")

    def record_retention(
        self, day: date, cadence_spm: float, counted_steps: int | None = None
    ) -> int:
        """Save a retention check: the cadence held without the metronome."""
        values = {
            "day": _day(day).isoformat(),
            "cadence_spm": _cadence(cadence_spm),
            "counted_steps": None if counted_steps is None else _count("steps", counted_steps, 1),
        }
        return self._insert("retention_checks", values, "this retention check")

    def record_stance(self, day: date, left: str, right: str) -> int:
        """Save a single-leg stance self-check: "steady", "wobble" or "drop" for each leg."""
        values = {
            "day": _day(day).isoformat(),
            "left_leg": _stance("left", left),
            "right_leg": _stance("right", right),
        }
        return self._insert("stance_checks", values, "this stance check")

    def record_pain(self, day: date, level: int, where: str | None = None) -> int:
        """Save a discomfort report, 0 (none) to 10 (worst), and where it hurts."""
        values = {
            "day": _day(day).isoformat(),
            "level": _pain_level(level),
            "place": _optional_text(where),
        }
        return self._insert("pain_reports", values, "this pain report")

    def record_baseline(self, day: date, cadence_spm: float, source: str) -> int:
        """Save a measured baseline cadence and how it was measured ("tap", "hand", a file)."""
        text = _optional_text(source)
        if text is None:
            raise InputError('a baseline needs its source: "tap", "hand" or the file name')
        values = {
            "day": _day(day).isoformat(),
            "cadence_spm": _cadence(cadence_spm),
            "source": text,
        }
        return self._insert("baselines", values, "this baseline")

    # -- reading ---------------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first (by day, then start time, then the order saved)."""
        rows = self._select("sessions", "day, started IS NOT NULL, started, id")
        return [_session_record(row) for row in rows]

    def retention_checks(self) -> list[RetentionRecord]:
        """Every retention check, oldest day first."""
        return [_retention_record(row) for row in self._select("retention_checks", "day, id")]

    def stance_checks(self) -> list[StanceRecord]:
        """Every single-leg stance check, oldest day first."""
        return [_stance_record(row) for row in self._select("stance_checks", "day, id")]

    def pain_reports(self) -> list[PainRecord]:
        """Every pain report, oldest day first."""
        return [_pain_record(row) for row in self._select("pain_reports", "day, id")]

    def baselines(self) -> list[BaselineRecord]:
        """Every baseline, oldest day first (for a chart of cadence over time)."""
        return [_baseline_record(row) for row in self._select("baselines", "day, id")]

    def latest_baseline(self) -> BaselineRecord | None:
        """The baseline saved last, whatever day it was measured on (``--save`` means use this)."""
        rows = self._select("baselines", "id DESC", limit=1)
        return _baseline_record(rows[0]) if rows else None

    # -- internals -------------------------------------------------------------------------

    def _insert(self, table: str, values: Mapping[str, object], what: str) -> int:
        """One transaction: insert a row stamped with ``created``; returns its id."""
        row = {"created": self._now().astimezone(UTC).isoformat(), **values}
        sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        with _errors(self.path, self._timeout, f"{what} was not saved"):
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

    def _select(self, table: str, order: str, limit: int | None = None) -> list[sqlite3.Row]:
        sql = f"SELECT * FROM {table} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with _errors(self.path, self._timeout, "the history was not read"):
            return list(self._conn.execute(sql))


# -- opening ---------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    """Connect, check the file is a healthy stridebeat history, and bring its schema up to date."""
    _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryError(
            f"cannot create the folder {path.parent} for the history: {exc.strerror or exc}"
        ) from exc
    with _errors(path, timeout, "the history was not opened"):
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
def _errors(path: Path, timeout: float, outcome: str) -> Iterator[None]:
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
    return HistoryError(f"the history {path} cannot be used ({exc}): {outcome}.")


def _damaged(path: Path, detail: str) -> str:
    aside = f"{path.name}.damaged"
    return (
        f"the history {path} is damaged ({detail}). stridebeat has not changed it and will not "
        f"overwrite it. Keep the file: rename it (e.g. to {aside}), then put a backup copy in "
        f"its place, or run stridebeat again to start a new history. "
        f"`sqlite3 {aside} .recover` can often rescue its entries."
    )


# -- checking input --------------------------------------------------------------------------


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _check_times(started: datetime, ended: datetime) -> None:
    if (started.tzinfo is None) != (ended.tzinfo is None):
        raise InputError("a session's start and end must both have a time zone, or neither")
    if ended < started:
        raise InputError(f"a session cannot end ({ended}) before it starts ({started})")


def _check_slot(week: int | None, number: int | None) -> tuple[int | None, int | None]:
    """A plan session is named by its week and its number in the week: both, or neither."""
    if week is None and number is None:
        return None, None
    if week is None or number is None:
        raise InputError("a plan session needs both its week and its number")
    return _count("week", week, 1), _count("session number", number, 1)


def _minutes(name: str, value: float) -> float:
    minutes = _number(name, value)
    if minutes < 0:
        raise InputError(f"{name} cannot be negative ({value!r})")
    return minutes


def _cadence(value: float) -> float:
    spm = _number("cadence", value)
    if not MIN_SPM <= spm <= MAX_SPM:
        raise InputError(
            f"{value!r} spm is out of range: cadence must be between {MIN_SPM:g} and "
            f"{MAX_SPM:g} steps per minute"
        )
    return spm


def _number(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a number, not {value!r}")
    return float(value)


def _count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    if value < minimum:
        raise InputError(f"{name} must be at least {minimum}, not {value}")
    return value


def _flag(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{name} must be true or false, not {value!r}")
    return value


def _pain_level(level: int) -> int:
    low, high = PAIN_RANGE
    if isinstance(level, bool) or not isinstance(level, int) or not low <= level <= high:
        raise InputError(f"pain must be a whole number from {low} (none) to {high}, not {level!r}")
    return level


def _stance(leg: str, value: str) -> Stance:
    text = " ".join(str(value).lower().split())
    text = _STANCE_ALIASES.get(text, text)
    if text not in STANCES:
        raise InputError(
            f"{leg} leg: {value!r} is not a stance result; choose steady, wobble or drop "
            "(the hip drops)"
        )
    return text


def _session_source(value: str) -> SessionSource:
    if value not in SESSION_SOURCES:
        raise InputError(
            f"{value!r} is not a session source; choose one of {', '.join(SESSION_SOURCES)}"
        )
    return value


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# -- reading rows ----------------------------------------------------------------------------


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe_when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _session_record(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        created=_when(row["created"]),
        day=date.fromisoformat(row["day"]),
        started=_maybe_when(row["started"]),
        ended=_maybe_when(row["ended"]),
        planned_minutes=row["planned_minutes"],
        completed_minutes=row["completed_minutes"],
        cadence_spm=row["cadence_spm"],
        underruns=row["underruns"],
        finished=bool(row["finished"]),
        week=row["week"],
        number=row["number"],
        source=row["source"],
    )


def _retention_record(row: sqlite3.Row) -> RetentionRecord:
    return RetentionRecord(
        id=row["id"],
        created=_when(row["created"]),
        day=date.fromisoformat(row["day"]),
        cadence_spm=row["cadence_spm"],
        counted_steps=row["counted_steps"],
    )


def _stance_record(row: sqlite3.Row) -> StanceRecord:
    return StanceRecord(
        id=row["id"],
        created=_when(row["created"]),
        day=date.fromisoformat(row["day"]),
        left=row["left_leg"],
        right=row["right_leg"],
    )


def _pain_record(row: sqlite3.Row) -> PainRecord:
    return PainRecord(
        id=row["id"],
        created=_when(row["created"]),
        day=date.fromisoformat(row["day"]),
        level=row["level"],
        where=row["place"],
    )


def _baseline_record(row: sqlite3.Row) -> BaselineRecord:
    return BaselineRecord(
        id=row["id"],
        created=_when(row["created"]),
        day=date.fromisoformat(row["day"]),
        cadence_spm=row["cadence_spm"],
        source=row["source"],
    )
