from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.errors import InputError, StridebeatError
from stridebeat.runner.database import (
    SCHEMA_VERSION,
    HistoryCorrupt,
    HistoryError,
    HistoryLocked,
    HistoryTooNew,
    history_path,
)
from stridebeat.runner.history import History
from stridebeat.runner.records import (
    BaselineRecord,
    PainRecord,
    Record,
    RetentionRecord,
    SessionRecord,
    StanceRecord,
    streak,
    to_json,
    to_row,
)

REPO = Path(__file__).resolve().parent.parent
MONDAY = date(2024, 5, 6)
CLOCK = datetime(2024, 5, 6, 7, 30, tzinfo=UTC)

# A child process that waits for a line on stdin, then saves pain reports (forever when the
# count is negative), printing each id once its transaction has committed.
WRITER = """
import sys
from datetime import date
from pathlib import Path
from stridebeat.runner.history import History

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sys.stdin.readline()
with History(path) as history:
    i = 0
    while count < 0 or i < count:
        print(history.record_pain(date(2024, 5, 6), i % 11, f"{name}-{i}"), flush=True)
        i += 1
"""

# A child process that waits for a line on stdin, then opens the history and saves one entry.
OPENER = """
import sys
from datetime import date
from pathlib import Path
from stridebeat.runner.history import History

sys.stdin.readline()
with History(Path(sys.argv[1])) as history:
    history.record_pain(date(2024, 5, 6), 1, sys.argv[2])
"""

# A child process that begins a write transaction and waits inside it to be killed.
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO pain_reports (created, day, level, place) "
             "VALUES ('2024-05-06T00:00:00+00:00', '2024-05-06', 9, 'never committed')")
print("inside", flush=True)
time.sleep(60)
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def history(db: Path) -> Iterator[History]:
    with History(db, now=lambda: CLOCK) as opened:
        yield opened


def child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def start_together(processes: Iterable[subprocess.Popen[str]]) -> None:
    """Let children that wait for a line on stdin go, as close to together as can be."""
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def finish(name: str, process: subprocess.Popen[str]) -> str:
    """Wait for a child; it must succeed, else its stderr says why. Returns its stdout."""
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, f"{name} exited with {process.returncode}:\n{err}"
    return out


def pragma(path: Path, name: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def filled_db(path: Path) -> bytes:
    """A real history with a few entries, closed (so all of it is in the main file)."""
    with History(path) as history:
        for level in range(40):
            history.record_pain(MONDAY, level % 11, "knee " * 20)
    return path.read_bytes()


# -- where the file lives, what it is ----------------------------------------------------------


def test_history_path_is_in_the_app_folder(_app_home: Path) -> None:
    assert history_path() == _app_home / "history.sqlite3"
    with History() as history:
        history.record_pain(MONDAY, 1)
    assert (_app_home / "history.sqlite3").is_file()


def test_a_new_database_is_wal_and_versioned(history: History, db: Path) -> None:
    assert pragma(db, "journal_mode") == "wal"
    assert pragma(db, "user_version") == SCHEMA_VERSION


def test_an_empty_file_is_a_new_history(db: Path) -> None:
    db.touch()  # what sqlite3.connect leaves if a process dies before its first write
    with History(db) as history:
        history.record_pain(MONDAY, 2)
        assert len(history.pain_reports()) == 1


def test_closing_twice_is_harmless_and_a_closed_history_says_so(db: Path) -> None:
    history = History(db)
    history.close()
    history.close()
    with pytest.raises(HistoryError):
        history.pain_reports()


# -- round trips -------------------------------------------------------------------------------


def test_session_round_trip(db: Path) -> None:
    start = datetime(2024, 5, 6, 18, 0, tzinfo=timezone(timedelta(hours=2)))
    with History(db, now=lambda: CLOCK) as history:
        played = history.record_session(
            started=start,
            ended=start + timedelta(minutes=41, seconds=30),
            planned_minutes=45,
            completed_minutes=41.5,
            cadence_spm=168.5,
            underruns=3,
            finished=False,
            week=2,
            number=1,
            source="today",
        )
        naive = datetime(2024, 5, 4, 9, 15)
        free = history.record_session(
            started=naive,
            ended=naive + timedelta(minutes=20),
            planned_minutes=20.0,
            completed_minutes=20.0,
            cadence_spm=None,
            underruns=0,
            finished=True,
        )
    with History(db) as reopened:
        assert reopened.sessions() == [
            SessionRecord(
                id=free,
                created=CLOCK,
                day=date(2024, 5, 4),
                started=naive,
                ended=naive + timedelta(minutes=20),
                planned_minutes=20.0,
                completed_minutes=20.0,
                cadence_spm=None,
                underruns=0,
                finished=True,
                week=None,
                number=None,
                source="play",
            ),
            SessionRecord(
                id=played,
                created=CLOCK,
                day=MONDAY,
                started=start,
                ended=start + timedelta(minutes=41, seconds=30),
                planned_minutes=45.0,
                completed_minutes=41.5,
                cadence_spm=168.5,
                underruns=3,
                finished=False,
                week=2,
                number=1,
                source="today",
            ),
        ]
        started = reopened.sessions()[1].started
        assert started is not None and started.utcoffset() == timedelta(hours=2)


def test_mark_done_round_trip(history: History) -> None:
    done = history.mark_done(3, 2, MONDAY, 38.0, 172.0)
    assert history.sessions() == [
        SessionRecord(
            id=done,
            created=CLOCK,
            day=MONDAY,
            started=None,
            ended=None,
            planned_minutes=38.0,
            completed_minutes=38.0,
            cadence_spm=172.0,
            underruns=0,
            finished=True,
            week=3,
            number=2,
            source="done",
        )
    ]


def test_sessions_come_oldest_first(history: History) -> None:
    later = datetime(2024, 5, 8, 7, 0)
    history.record_session(
        started=later,
        ended=later,
        planned_minutes=1,
        completed_minutes=0,
        cadence_spm=170,
        underruns=0,
        finished=False,
    )
    history.mark_done(1, 2, date(2024, 5, 8), 30, None)
    history.mark_done(1, 1, MONDAY, 30, None)
    assert [(s.day, s.source) for s in history.sessions()] == [
        (MONDAY, "done"),
        (date(2024, 5, 8), "done"),
        (date(2024, 5, 8), "play"),
    ]


def test_retention_round_trip(history: History) -> None:
    counted = history.record_retention(MONDAY + timedelta(days=2), 172.0, counted_steps=86)
    said = history.record_retention(MONDAY, 169.5)
    assert history.retention_checks() == [
        RetentionRecord(said, CLOCK, MONDAY, 169.5, None),
        RetentionRecord(counted, CLOCK, MONDAY + timedelta(days=2), 172.0, 86),
    ]


def test_stance_round_trip(history: History) -> None:
    first = history.record_stance(MONDAY, "steady", "drop")
    second = history.record_stance(MONDAY, " Wobble ", "hip drop")
    assert history.stance_checks() == [
        StanceRecord(first, CLOCK, MONDAY, "steady", "drop"),
        StanceRecord(second, CLOCK, MONDAY, "wobble", "drop"),
    ]


def test_pain_round_trip(history: History) -> None:
    knee = history.record_pain(MONDAY, 4, where="  left   knee ")
    nowhere = history.record_pain(MONDAY, 0, where="")
    assert history.pain_reports() == [
        PainRecord(knee, CLOCK, MONDAY, 4, "left knee"),
        PainRecord(nowhere, CLOCK, MONDAY, 0, None),
    ]


def test_baselines_in_day_order_and_the_latest_is_the_last_saved(history: History) -> None:
    assert history.latest_baseline() is None
    tapped = history.record_baseline(MONDAY, 163.0, "tap")
    from_file = history.record_baseline(MONDAY - timedelta(days=10), 161.2, "run.fit")
    assert history.baselines() == [
        BaselineRecord(from_file, CLOCK, MONDAY - timedelta(days=10), 161.2, "run.fit"),
        BaselineRecord(tapped, CLOCK, MONDAY, 163.0, "tap"),
    ]
    assert history.latest_baseline() == history.baselines()[0]


def test_created_is_utc_and_a_datetime_day_is_its_date(db: Path) -> None:
    local = datetime(2024, 5, 6, 23, 30, tzinfo=timezone(timedelta(hours=-4)))
    with History(db, now=lambda: local) as history:
        history.record_pain(datetime(2024, 5, 7, 1, 0), 1)
        (report,) = history.pain_reports()
    assert report.created == local and report.created.tzinfo == UTC
    assert report.day == date(2024, 5, 7)


@pytest.mark.parametrize(
    "kind", [SessionRecord, RetentionRecord, StanceRecord, PainRecord, BaselineRecord]
)
def test_each_record_has_a_field_for_every_column_of_its_table(
    history: History, db: Path, kind: type[Record]
) -> None:
    columns = set(to_row(kind, {field.name: None for field in fields(kind)}))
    conn = sqlite3.connect(db)
    try:
        in_table = {row[1] for row in conn.execute(f"PRAGMA table_info({kind.TABLE})")}
    finally:
        conn.close()
    assert columns == in_table


def test_records_turn_into_json(history: History) -> None:
    history.mark_done(1, 1, MONDAY, 30, None)
    history.record_stance(MONDAY, "steady", "wobble")
    rows = [to_json(history.sessions()[0]), to_json(history.stance_checks()[0])]
    assert json.loads(json.dumps(rows))[0] == {
        "id": 1,
        "created": "2024-05-06T07:30:00+00:00",
        "day": "2024-05-06",
        "started": None,
        "ended": None,
        "planned_minutes": 30.0,
        "completed_minutes": 30.0,
        "cadence_spm": None,
        "underruns": 0,
        "finished": True,
        "week": 1,
        "number": 1,
        "source": "done",
    }
    assert rows[1]["left"] == "steady"


# -- input validation --------------------------------------------------------------------------

START = datetime(2024, 5, 6, 7, 0)
SESSION: dict[str, Any] = dict(
    started=START,
    ended=START + timedelta(minutes=30),
    planned_minutes=30,
    completed_minutes=30,
    cadence_spm=170,
    underruns=0,
    finished=True,
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ended": START - timedelta(seconds=1)}, "before it starts"),
        ({"ended": START.replace(tzinfo=UTC)}, "time zone"),
        ({"planned_minutes": -1}, "negative"),
        ({"completed_minutes": float("nan")}, "must be a number"),
        ({"cadence_spm": 0}, "out of range"),
        ({"cadence_spm": 400}, "out of range"),
        ({"underruns": -1}, "at least 0"),
        ({"underruns": 1.5}, "whole number"),
        ({"finished": 1}, "true or false"),
        ({"week": 2}, "both its week and its number"),
        ({"number": 2}, "both its week and its number"),
        ({"week": 0, "number": 1}, "week must be at least 1"),
        ({"source": "radio"}, "play, today, session, done"),
    ],
)
def test_bad_session_values_are_refused(
    history: History, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        history.record_session(**{**SESSION, **change})
    assert history.sessions() == []


@pytest.mark.parametrize("level", [-1, 11, 3.5, True, "4"])
def test_pain_must_be_0_to_10(history: History, level: Any) -> None:
    with pytest.raises(InputError, match="from 0 .* to 10") as caught:
        history.record_pain(MONDAY, level)
    assert caught.value.exit_code == 2
    assert history.pain_reports() == []


@pytest.mark.parametrize(("left", "right"), [("steady", "fine"), ("", "drop"), ("wobbly", "x")])
def test_stance_lists_the_choices(history: History, left: str, right: str) -> None:
    with pytest.raises(InputError, match="choose steady, wobble or drop"):
        history.record_stance(MONDAY, left, right)
    assert history.stance_checks() == []


def test_other_bad_values_are_refused(history: History) -> None:
    with pytest.raises(InputError, match="out of range"):
        history.record_retention(MONDAY, 12)
    with pytest.raises(InputError, match="steps must be at least 1"):
        history.record_retention(MONDAY, 170, counted_steps=0)
    with pytest.raises(InputError, match="needs its source"):
        history.record_baseline(MONDAY, 160, "  ")
    with pytest.raises(InputError, match="must be a number"):
        history.record_baseline(MONDAY, float("inf"), "hand")
    with pytest.raises(InputError, match="negative"):
        history.mark_done(1, 1, MONDAY, -5, None)
    with pytest.raises(InputError, match="session number must be at least 1"):
        history.mark_done(1, 0, MONDAY, 30, None)
    assert history.retention_checks() == [] and history.baselines() == []


# -- damaged, foreign and newer files are refused and left as they were ------------------------


def assert_refused(db: Path, error: type[HistoryError], *words: str) -> HistoryError:
    before = db.read_bytes()
    with pytest.raises(error) as caught:
        History(db)
    assert db.read_bytes() == before
    message = str(caught.value)
    assert str(db) in message
    for word in words:
        assert word in message
    assert isinstance(caught.value, StridebeatError) and caught.value.exit_code == 1
    return caught.value


def test_a_file_that_is_not_sqlite_is_refused(db: Path) -> None:
    db.write_bytes(b"this is my training diary, not a database\n" * 50)
    assert_refused(db, HistoryCorrupt, "not a SQLite database", "backup", "has not changed it")
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


@pytest.mark.parametrize(
    ("keep", "words"),
    [(0.5, "malformed"), (0.1, "malformed"), (60, "cut short (60 bytes)")],
    ids=["half", "a tenth", "60 bytes"],
)
def test_a_truncated_database_is_refused(tmp_path: Path, db: Path, keep: float, words: str) -> None:
    whole = filled_db(tmp_path / "whole.sqlite3")
    db.write_bytes(whole[: int(keep if keep > 1 else len(whole) * keep)])
    assert_refused(db, HistoryCorrupt, "damaged", "backup", words)


def test_a_damaged_page_is_refused(db: Path) -> None:
    whole = bytearray(filled_db(db))
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'pain_reports'")
    conn.close()
    start = (root[0] - 1) * page_size
    whole[start : start + page_size] = b"\xa5" * page_size  # the pain table's first page
    db.write_bytes(bytes(whole))
    assert_refused(db, HistoryCorrupt, "damaged")


def test_another_programs_database_is_not_written_into(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    assert_refused(db, HistoryCorrupt, "not a stridebeat history", "songs")


def test_a_newer_schema_is_refused(db: Path) -> None:
    filled_db(db)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    assert_refused(db, HistoryTooNew, "newer stridebeat", "upgrade")


def test_a_folder_in_the_way_is_a_history_error(db: Path) -> None:
    db.mkdir()
    with pytest.raises(HistoryError, match="cannot read the history"):
        History(db)


# -- locks, concurrent writers, killed processes -----------------------------------------------


def test_a_locked_database_says_so_and_loses_nothing(db: Path) -> None:
    with History(db) as history:
        kept = history.record_pain(MONDAY, 1, "before")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with History(db, timeout=0.05) as history:
            with pytest.raises(HistoryLocked) as caught:
                history.record_pain(MONDAY, 2, "while locked")
            message = str(caught.value)
            assert "locked" in message and "Nothing was lost" in message
            assert "this pain report was not saved" in message and str(db) in message
            assert caught.value.exit_code == 1
            other.execute("ROLLBACK")
            history.record_pain(MONDAY, 3, "after")
            assert [r.where for r in history.pain_reports()] == ["before", "after"]
            assert history.pain_reports()[0].id == kept
    finally:
        other.close()


def test_concurrent_writers_lose_nothing(db: Path) -> None:
    writers = {f"w{n}": child(WRITER, str(db), f"w{n}", "40") for n in range(4)}
    start_together(writers.values())
    printed: set[int] = set()
    for name, process in writers.items():
        printed |= {int(line) for line in finish(name, process).split()}
    with History(db) as history:
        reports = history.pain_reports()
    assert len(reports) == len(printed) == 160
    assert {r.id for r in reports} == printed
    assert {r.where for r in reports} == {f"w{n}-{i}" for n in range(4) for i in range(40)}
    assert pragma(db, "integrity_check") == "ok"


def test_several_processes_create_a_new_history_at_once(db: Path) -> None:
    # the first to get the write lock creates the tables; the others must wait for it, not
    # fail on the switch to WAL or take the new tables for another program's
    openers = {f"o{n}": child(OPENER, str(db), f"o{n}") for n in range(6)}
    start_together(openers.values())
    for name, process in openers.items():
        finish(name, process)
    with History(db) as history:
        assert sorted(r.where or "" for r in history.pain_reports()) == sorted(openers)
    assert pragma(db, "user_version") == SCHEMA_VERSION


def test_a_new_history_waits_for_a_writer_before_switching_to_wal(db: Path) -> None:
    # SQLite refuses the switch to WAL at once (no busy timeout) while another connection
    # holds the write lock, as another process creating the history does
    db.touch()
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(HistoryLocked, match="the history was not opened"):
            History(db, timeout=0.2)
        release = threading.Timer(0.3, other.execute, ("COMMIT",))
        release.start()
        began = time.monotonic()
        with History(db, timeout=10.0) as history:
            assert time.monotonic() - began >= 0.25
            history.record_pain(MONDAY, 1, "after the wait")
            assert [r.where for r in history.pain_reports()] == ["after the wait"]
        release.join()
    finally:
        other.close()
    assert pragma(db, "journal_mode") == "wal"


def test_a_killed_writer_loses_nothing_it_committed(db: Path) -> None:
    process = child(WRITER, str(db), "k", "-1")
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    committed = [int(process.stdout.readline()) for _ in range(60)]
    process.kill()  # SIGKILL: no chance to clean up
    process.wait(timeout=10)
    committed += [
        int(line) for line in process.stdout.read().splitlines(keepends=True) if "\n" in line
    ]
    assert process.returncode != 0
    assert Path(f"{db}-wal").exists()  # killed before it could checkpoint: recovery is tested
    assert pragma(db, "integrity_check") == "ok"
    with History(db) as history:
        assert set(committed) <= {r.id for r in history.pain_reports()}
        history.record_pain(MONDAY, 0, "after the crash")


def test_a_writer_killed_inside_its_transaction_leaves_no_lock_and_no_half_entry(
    db: Path,
) -> None:
    with History(db) as history:
        history.record_pain(MONDAY, 1, "committed")
    holder = child(HOLDER, str(db))
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "inside"
    holder.kill()
    holder.wait(timeout=10)
    with History(db, timeout=1.0) as history:
        history.record_pain(MONDAY, 2, "next")
        assert [r.where for r in history.pain_reports()] == ["committed", "next"]
    assert pragma(db, "integrity_check") == "ok"


# -- streaks -----------------------------------------------------------------------------------


def days(*offsets: int) -> list[date]:
    return [MONDAY + timedelta(days=offset) for offset in offsets]


WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.mark.parametrize(
    ("offsets", "today", "expected"),
    [
        ((), WEDNESDAY, 0),
        ((0,), WEDNESDAY, 1),  # this week counts once it has a run
        ((-7, -14), WEDNESDAY, 2),  # this week is not over: no run yet does not break it
        ((-7, -21), WEDNESDAY, 1),  # a week with no run does
        ((-8, -1, 0, 2), WEDNESDAY, 3),  # Sunday and Monday are in different weeks
        ((-7, 3), WEDNESDAY, 1),  # a day after today does not count (yet)
        ((-14, -7, -7, -7), MONDAY - timedelta(days=1), 2),
    ],
)
def test_streak_counts_weeks_with_a_run(
    offsets: tuple[int, ...], today: date, expected: int
) -> None:
    assert streak(days(*offsets), today) == expected


def test_streak_per_week_counts_different_days() -> None:
    # run days: two, one (twice), two, and one so far this week
    runs = days(-21, -19, -14, -14, -7, -5, 0)
    assert streak(runs, WEDNESDAY) == 4
    assert streak(runs, WEDNESDAY, per_week=2) == 1  # this week is not over yet
    assert streak(runs + days(1), WEDNESDAY, per_week=2) == 2
    assert streak(runs + days(-12), WEDNESDAY, per_week=2) == 3


def test_streak_follows_the_plans_weeks() -> None:
    sunday, monday = days(-1, 0)
    thursday = MONDAY - timedelta(days=4)
    assert streak([sunday, monday], monday) == 2  # Monday-to-Sunday weeks
    assert streak([sunday, monday], monday, week_start=thursday) == 1  # Thursday-to-Wednesday


def test_streak_rejects_an_impossible_per_week() -> None:
    with pytest.raises(ValueError, match="1 to 7"):
        streak([], MONDAY, per_week=8)


run_days = st.lists(st.integers(-120, 30).map(lambda n: MONDAY + timedelta(days=n)), max_size=40)


@given(run_days, st.integers(-60, 0), st.integers(-120, 30), st.integers(1, 4))
def test_another_run_never_shortens_a_streak(
    runs: list[date], today_offset: int, extra: int, per_week: int
) -> None:
    today = MONDAY + timedelta(days=today_offset)
    before = streak(runs, today, per_week=per_week)
    after = streak([*runs, MONDAY + timedelta(days=extra)], today, per_week=per_week)
    assert after >= before
    assert before <= len({(d - date(1, 1, 1)).days // 7 for d in runs if d <= today})
    assert before == streak([d for d in runs if d <= today], today, per_week=per_week)
