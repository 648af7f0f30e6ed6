"""What the history holds: one frozen record type per table, and what the records add up to.

Each record type names its table (``TABLE``); each field is the column of the same name
unless ``stored_as`` names another. ``to_row`` and ``from_row`` turn fields into columns and
back for every type alike (dates and datetimes as ISO 8601 text, flags as 0 and 1), so a new
column is a new field here and a migration in ``runner.database``.

Every record has its ``id``, ``created`` (the UTC time it was saved) and the ``day`` it
belongs to. A session's ``started`` and ``ended`` are ``None`` when it was marked done from a
phone file, whose time of day nobody recorded. Datetimes come back exactly as they were given
(naive stays naive, an offset stays).
"""

from __future__ import annotations

import math
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

PAIN_RANGE = (0, 10)

SessionSource = Literal["play", "today", "session", "done"]
SESSION_SOURCES: tuple[SessionSource, ...] = ("play", "today", "session", "done")
Stance = Literal["steady", "wobble", "drop"]
STANCES: tuple[Stance, ...] = ("steady", "wobble", "drop")

_COLUMN = "column"  # the field metadata key that names a column unlike its field


def stored_as(column: str) -> Any:
    """A field kept in a column with another name."""
    return field(metadata={_COLUMN: column})


@dataclass(frozen=True)
class SessionRecord:
    TABLE: ClassVar[str] = "sessions"

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
    TABLE: ClassVar[str] = "retention_checks"

    id: int
    created: datetime
    day: date
    cadence_spm: float
    counted_steps: int | None  # steps counted in 30 s, when the runner counted


@dataclass(frozen=True)
class StanceRecord:
    TABLE: ClassVar[str] = "stance_checks"

    id: int
    created: datetime
    day: date
    left: Stance = stored_as("left_leg")
    right: Stance = stored_as("right_leg")


@dataclass(frozen=True)
class PainRecord:
    TABLE: ClassVar[str] = "pain_reports"

    id: int
    created: datetime
    day: date
    level: int
    where: str | None = stored_as("place")


@dataclass(frozen=True)
class BaselineRecord:
    TABLE: ClassVar[str] = "baselines"

    id: int
    created: datetime
    day: date
    cadence_spm: float
    source: str  # "tap", "hand", or the activity file's name


Record = SessionRecord | RetentionRecord | StanceRecord | PainRecord | BaselineRecord
AnyRecord = TypeVar("AnyRecord", bound=Record)


def to_row(kind: type[AnyRecord], values: Mapping[str, object]) -> dict[str, object]:
    """The columns and stored values of some fields of a ``kind`` record, ready to insert."""
    columns = {name: column for name, column, _ in _fields(kind)}
    unknown = set(values) - set(columns)
    if unknown:
        raise TypeError(f"{kind.__name__} has no field {', '.join(sorted(unknown))}")
    return {columns[name]: _stored(value) for name, value in values.items()}


def from_row(kind: type[AnyRecord], row: Mapping[str, Any]) -> AnyRecord:
    """The ``kind`` record a row of its table holds: each field read as its declared type.

    ``RowError`` names the row and column of a value that does not fit its field.
    """
    row_id = row.get("id")
    return kind(**{name: read(row[column], row_id) for name, column, read in _fields(kind)})


def to_json(record: Record) -> dict[str, object]:
    """A record as JSON-ready values: dates and datetimes become ISO 8601 text."""
    out: dict[str, object] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        out[item.name] = value.isoformat() if isinstance(value, date) else value
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


# -- fields and columns ----------------------------------------------------------------------


class RowError(ValueError):
    """A row of the history holds a value its field cannot take (a hand edit, another tool)."""

    def __init__(self, table: str, row_id: object, column: str, value: object, want: str) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        super().__init__(f"row {row_id} of table {table}: {column} is {shown}, not {want}")
        self.table = table
        self.row_id = row_id
        self.column = column


_Reader = Callable[[Any], Any]


def _iso(parse: Callable[[str], Any]) -> _Reader:
    def read(value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError
        return parse(value)

    return read


def _flag(value: Any) -> bool:
    if value not in (0, 1) or isinstance(value, float):
        raise TypeError
    return bool(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


_PARSERS: dict[object, tuple[_Reader, str]] = {
    datetime: (_iso(datetime.fromisoformat), "a date and time such as 2026-12-07T08:30:00"),
    date: (_iso(date.fromisoformat), "a date such as 2026-12-07"),
    bool: (_flag, "0 or 1"),
    float: (_number, "a number"),
    int: (_whole, "a whole number"),
    str: (_text, "text"),
}
_ColumnReader = Callable[[Any, object], Any]  # (stored value, the row's id) -> field value
_FIELDS: dict[type, tuple[tuple[str, str, _ColumnReader], ...]] = {}


def _fields(kind: type) -> tuple[tuple[str, str, _ColumnReader], ...]:
    """(field, its column, how to read the column) for each field of ``kind``, worked out once."""
    found = _FIELDS.get(kind)
    if found is None:
        hints = get_type_hints(kind)
        table = getattr(kind, "TABLE", kind.__name__)
        found = tuple(
            (item.name, column, _reader(hints[item.name], table, column))
            for item in fields(kind)
            for column in [item.metadata.get(_COLUMN, item.name)]
        )
        _FIELDS[kind] = found
    return found


def _reader(hint: object, table: str, column: str) -> _ColumnReader:
    """How to read one column: ISO text to a date or datetime, 0/1 to a flag, a number, text,
    or one of a Literal's words; NULL is None where the field is optional. A value of any other
    type or form raises ``RowError`` naming the table, the row's id and the column."""
    optional = False
    if get_origin(hint) in (Union, types.UnionType):
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        optional = len(kinds) < len(get_args(hint))
        if len(kinds) == 1:
            hint = kinds[0]
    if get_origin(hint) is Literal:
        words = get_args(hint)
        parse, want = _choice(words), "one of " + ", ".join(map(str, words))
    else:
        parse, want = _PARSERS.get(hint, (_as_stored, "a value"))
    if optional:
        want += " or NULL"

    def read(value: Any, row_id: object) -> Any:
        if value is None and optional:
            return None
        try:
            return parse(value)
        except (TypeError, ValueError, OverflowError):
            raise RowError(table, row_id, column, value, want) from None

    return read


def _choice(words: tuple[object, ...]) -> _Reader:
    def read(value: Any) -> Any:
        if value not in words:
            raise ValueError
        return value

    return read


def _as_stored(value: Any) -> Any:
    return value


def _stored(value: object) -> object:
    """A field's value as its column keeps it."""
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
