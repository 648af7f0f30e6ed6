"""The runner's history: sessions run, checks made, baselines measured, in one SQLite file.

``History`` is what the rest of stridebeat uses: a ``record_*`` method (and ``mark_done``)
for each kind of entry, which checks the values it is given before anything is written, and a
reader for each, oldest first. The entries are the records of ``runner.records``; the file,
its schema, its locking and its errors are ``runner.database``.

A session keeps the day it belongs to: the day it started, or the day it was marked done.
Datetimes are kept exactly as given (naive stays naive, an offset stays); ``created`` is the
UTC time the entry was saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

from stridebeat.errors import InputError
from stridebeat.runner.database import BUSY_TIMEOUT, Database, HistoryError, history_path
from stridebeat.runner.records import (
    PAIN_RANGE,
    SESSION_SOURCES,
    STANCES,
    AnyRecord,
    BaselineRecord,
    PainRecord,
    RetentionRecord,
    RowError,
    SessionRecord,
    SessionSource,
    Stance,
    StanceRecord,
    from_row,
    to_row,
)
from stridebeat.units import CLICK_SPM

_STANCE_ALIASES = {"hip drop": "drop", "hip-drop": "drop", "hip_drop": "drop", "hipdrop": "drop"}


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
        self._now = now if now is not None else _utc_now
        self._db = Database(self.path, timeout)

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
        self._db.close()

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
        return self._save(
            SessionRecord,
            "this session",
            day=started.date(),
            started=started,
            ended=ended,
            planned_minutes=_minutes("planned minutes", planned_minutes),
            completed_minutes=_minutes("completed minutes", completed_minutes),
            cadence_spm=None if cadence_spm is None else _cadence(cadence_spm),
            underruns=_count("underruns", underruns, 0),
            finished=_flag("finished", finished),
            week=week,
            number=number,
            source=_session_source(source),
        )

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
        return self._save(
            SessionRecord,
            "this session",
            day=_day(day),
            started=None,
            ended=None,
            planned_minutes=minutes,
            completed_minutes=minutes,
            cadence_spm=None if cadence_spm is None else _cadence(cadence_spm),
            underruns=0,
            finished=True,
            week=slot_week,
            number=slot_number,
            source="done",
        )

    def record_retention(
        self, day: date, cadence_spm: float, counted_steps: int | None = None
    ) -> int:
        """Save a retention check: the cadence held without the metronome."""
        return self._save(
            RetentionRecord,
            "this retention check",
            day=_day(day),
            cadence_spm=_cadence(cadence_spm),
            counted_steps=None if counted_steps is None else _count("steps", counted_steps, 1),
        )

    def record_stance(self, day: date, left: str, right: str) -> int:
        """Save a single-leg stance self-check: "steady", "wobble" or "drop" for each leg."""
        return self._save(
            StanceRecord,
            "this stance check",
            day=_day(day),
            left=_stance("left", left),
            right=_stance("right", right),
        )

    def record_pain(self, day: date, level: int, where: str | None = None) -> int:
        """Save a discomfort report, 0 (none) to 10 (worst), and where it hurts."""
        return self._save(
            PainRecord,
            "this pain report",
            day=_day(day),
            level=_pain_level(level),
            where=_optional_text(where),
        )

    def record_baseline(self, day: date, cadence_spm: float, source: str) -> int:
        """Save a measured baseline cadence and how it was measured ("tap", "hand", a file)."""
        text = _optional_text(source)
        if text is None:
            raise InputError('a baseline needs its source: "tap", "hand" or the file name')
        return self._save(
            BaselineRecord,
            "this baseline",
            day=_day(day),
            cadence_spm=_cadence(cadence_spm),
            source=text,
        )

    # -- reading ---------------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        """Every session, oldest first (by day, then start time, then the order saved)."""
        return self._read(SessionRecord, "day, started IS NOT NULL, started, id")

    def retention_checks(self) -> list[RetentionRecord]:
        """Every retention check, oldest day first."""
        return self._read(RetentionRecord, "day, id")

    def stance_checks(self) -> list[StanceRecord]:
        """Every single-leg stance check, oldest day first."""
        return self._read(StanceRecord, "day, id")

    def pain_reports(self) -> list[PainRecord]:
        """Every pain report, oldest day first."""
        return self._read(PainRecord, "day, id")

    def baselines(self) -> list[BaselineRecord]:
        """Every baseline, oldest day first (for a chart of cadence over time)."""
        return self._read(BaselineRecord, "day, id")

    def latest_baseline(self) -> BaselineRecord | None:
        """The baseline saved last, whatever day it was measured on (``--save`` means use this)."""
        found = self._read(BaselineRecord, "id DESC", limit=1)
        return found[0] if found else None

    # -- internals -------------------------------------------------------------------------

    def _save(self, kind: type[AnyRecord], what: str, **values: object) -> int:
        """Insert a ``kind`` entry stamped with ``created``; returns its id."""
        stamped = {"created": self._now().astimezone(UTC), **values}
        return self._db.insert(kind.TABLE, to_row(kind, stamped), what)

    def _read(self, kind: type[AnyRecord], order: str, limit: int | None = None) -> list[AnyRecord]:
        try:
            return [from_row(kind, row) for row in self._db.select(kind.TABLE, order, limit)]
        except RowError as exc:
            raise HistoryRowError(self.path, exc) from None


class HistoryRowError(HistoryError):
    """A row of the history holds a value stridebeat cannot read; the file is left as it is."""

    def __init__(self, path: Path, error: RowError) -> None:
        where = f"WHERE id = {error.row_id}"
        super().__init__(
            f"{path}: {error}. The history was left as it is: put the right value back, e.g. "
            f'sqlite3 {path} "UPDATE {error.table} SET {error.column} = ... {where}", '
            f'or delete that row: sqlite3 {path} "DELETE FROM {error.table} {where}"'
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
    if spm not in CLICK_SPM:
        raise InputError(
            f"{value!r} spm is out of range: cadence must be between {CLICK_SPM.low:g} and "
            f"{CLICK_SPM.high:g} steps per minute"
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
