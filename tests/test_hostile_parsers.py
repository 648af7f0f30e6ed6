"""Hostile input to the parsers: what an attacker or a careless hand edit gives stridebeat.

Two parts. First the cases a sweep found, each a regression test. Then a corpus that grows
with the code: hypothesis writes session files, cue scripts, plan files, option values and
GPX/TCX tracks, mostly well-formed TOML or XML holding values of the wrong type, size, range or
nesting, and each parser must either read them or raise ``InputError`` (exit 2) that names the
file and, where it gives one, a line inside it. Never any other exception.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cues.script import load_cue_scripts, parse_script
from stridebeat.engine.session import (
    BLOCK_KEYS,
    MAX_NAME,
    Block,
    Session,
    Steady,
    parse_session,
    toml_string,
)
from stridebeat.errors import FileInputError, InputError
from stridebeat.runner.activity import read_activity
from stridebeat.runner.records import (
    BaselineRecord,
    PainRecord,
    RetentionRecord,
    RowError,
    SessionRecord,
    StanceRecord,
    from_row,
)
from stridebeat.training.dates import FILE_DATES, START_WINDOW_DAYS, plan_start
from stridebeat.training.plan import make_plan
from stridebeat.training.planfile import parse_plan, plan_to_toml
from stridebeat.training.progression import PlanSettings
from stridebeat.units import parse_date, parse_duration, parse_ramp, parse_spm, parse_volume

EXAMPLES = 80  # per corpus test: the whole file runs in seconds
corpus = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def refused(parse: Callable[[], object], source: str) -> FileInputError:
    with pytest.raises(FileInputError) as caught:
        parse()
    assert caught.value.exit_code == 2
    assert caught.value.path == source
    return caught.value


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(cli, list(args), env=env)


# ============================================================================ tracebacks found


def test_blocks_that_are_not_tables_are_refused_at_their_line() -> None:
    error = refused(lambda: parse_session('title = "x"\nblock = [1, 2, 3]\n', "s.toml"), "s.toml")
    assert error.line == 2 and "[[block]]" in error.message


@pytest.mark.parametrize(
    "value",
    ["{a = " * 50_000 + "1" + "}" * 50_000, "[" * 100_000 + "]" * 100_000],
    ids=["inline tables", "arrays"],
)
def test_deep_nesting_is_refused_at_its_line(value: str) -> None:
    brackets = "[{" * 40
    text = f"title = \"deep {brackets}\"\n\n# a comment {brackets}\ny = '{brackets}'\n"
    text += f"x = {value}\n"
    error = refused(lambda: parse_session(text, "deep.toml"), "deep.toml")
    assert error.line == 5 and "nested too deep" in error.message


def test_deep_nesting_through_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = run(runner, "render", str(path), "-o", str(tmp_path / "out.wav"))
    assert result.exit_code == 2 and f"{path}:1: " in result.output
    assert not (tmp_path / "out.wav").exists()


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_plan_init_refuses_a_start_far_from_today(runner: CliRunner, start: str) -> None:
    result = run(runner, "plan", "init", "--baseline", "160", "--start", start)
    assert result.exit_code == 2
    assert "--start" in result.output and "more than a year from today" in result.output
    assert "Traceback" not in result.output


def test_the_start_window_is_a_year_either_side() -> None:
    today = dt.date(2026, 12, 3)
    for days in (-START_WINDOW_DAYS, 0, START_WINDOW_DAYS):
        day = today + dt.timedelta(days)
        assert plan_start(day.isoformat(), today) == day
    for days in (-START_WINDOW_DAYS - 1, START_WINDOW_DAYS + 1):
        with pytest.raises(ValueError, match="2025-12-02 and 2027-12-04"):
            plan_start((today + dt.timedelta(days)).isoformat(), today)


def _plan(start: dt.date | None = None) -> str:
    settings_ = PlanSettings(baseline_spm=160, start=start or dt.date.today())
    return plan_to_toml(make_plan(settings_))


@pytest.mark.parametrize("command", [["plan", "show"], ["today"], ["done"]])
@pytest.mark.parametrize("where", ["start", "date"])
def test_a_hand_edited_plan_with_an_absurd_date_fails_at_its_line(
    runner: CliRunner, _app_home: Path, command: list[str], where: str
) -> None:
    text = _plan()
    first = dt.date.today().isoformat()
    key = f"{where} = {first}"
    assert key in text
    text = text.replace(key, f"{where} = 0001-01-01", 1)
    (_app_home / "plan.toml").write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "0001-01-01" in row)
    result = run(runner, *command)
    assert result.exit_code == 2, result.output
    assert f"plan.toml:{line}: " in result.output and "0001-01-01" in result.output
    low, high = FILE_DATES
    assert f"{low.year}-{high.year}" in result.output


def _history_with_one_of_each(runner: CliRunner) -> None:
    assert run(runner, "plan", "init", "--baseline", "160").exit_code == 0
    for args in (["check", "170"], ["check", "--pain", "2", "--where", "knee"],
                 ["baseline", "--spm", "160", "--save"]):  # fmt: skip
        assert run(runner, *args).exit_code == 0


HISTORY_EDITS = [
    ("retention_checks", "day", "notaday", "not a date"),
    ("retention_checks", "cadence_spm", "fast", "not a number"),
    ("pain_reports", "created", "yesterday", "not a date and time"),
    ("baselines", "cadence_spm", b"\x00", "not a number"),
]


@pytest.mark.parametrize(
    ("table", "column", "value", "want", "command"),
    [(*edit, ["log"]) for edit in HISTORY_EDITS]
    + [(*HISTORY_EDITS[0], ["log", "--json"]), (*HISTORY_EDITS[1], ["plan", "show"])],
)
def test_a_hand_edited_history_row_is_named_with_how_to_repair(
    runner: CliRunner,
    _app_home: Path,
    table: str,
    column: str,
    value: object,
    want: str,
    command: list[str],
) -> None:
    _history_with_one_of_each(runner)
    path = _app_home / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE {table} SET {column} = ?", (value,))
    db.close()
    result = run(runner, *command)
    assert result.exit_code == 1, result.output
    assert f"row 1 of table {table}: {column} is" in result.output and want in result.output
    assert f"UPDATE {table} SET {column}" in result.output and "WHERE id = 1" in result.output
    assert "Traceback" not in result.output


# ============================================================== messages that say what and where


def _session(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_missing_cue_script_is_blamed_on_the_session_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = _session(tmp_path, '# mine\ncues = ["nosuch"]\n[[block]]\nduration = "1m"\nspm = 170\n')
    result = run(runner, "render", str(path), "-o", str(tmp_path / "o.wav"))
    assert result.exit_code == 2 and f"{path}:2: no cue script named 'nosuch'" in result.output


def test_a_missing_cue_script_in_a_block_is_blamed_on_the_block_line(tmp_path: Path) -> None:
    text = '[[block]]\nduration = "1m"\nspm = 170\n\n[[block]]\nduration = "1m"\nspm = 170\n'
    text += 'cues = ["glutes", "nosuch"]\n'
    session = parse_session(text, "s.toml")
    with pytest.raises(InputError, match=r"^s\.toml:8: no cue script named 'nosuch'"):
        load_cue_scripts([], session)


def test_a_recording_that_is_not_sound_is_refused_at_the_cue_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "bad.wav").write_text("not a sound")
    script = _session(tmp_path, '[[cue]]\nevery = "60s"\naudio = "bad.wav"\n', "mine.toml")
    result = run(runner, "cues", "check", str(script))
    assert result.exit_code == 2
    assert f"{script}:3: cue 1: audio: cannot read the recording" in result.output
    session = _session(tmp_path, f'cues = ["{script}"]\n[[block]]\nduration = "2m"\nspm = 170\n')
    result = run(runner, "render", str(session), "-o", str(tmp_path / "o.wav"), "--no-speech")
    assert result.exit_code == 2 and f"{script}:3: " in result.output


@pytest.mark.parametrize("text", ['""', '"   "', '["Tall hips", ""]'])
def test_an_empty_phrasing_is_refused_at_load(text: str) -> None:
    script = f'name = "x"\n\n[[cue]]\nevery = "60s"\ntext = {text}\n'
    error = refused(lambda: parse_script(script, "x.toml", "x", Path(".")), "x.toml")
    assert error.line == 5 and "empty phrasing" in error.message


@pytest.mark.parametrize(
    ("variable", "value", "option"),
    [
        ("STRIDEBEAT_VOLUME", "loud", "--volume"),
        ("STRIDEBEAT_VOLUME", "500", "--volume"),
        ("STRIDEBEAT_SAMPLE_RATE", "abc", "--sample-rate"),
        ("STRIDEBEAT_SAMPLE_RATE", "1", "--sample-rate"),
        ("STRIDEBEAT_CUES", "nosuch", "--cues"),
        ("STRIDEBEAT_SPEECH_RATE", "9999", "--speech-rate"),
        ("STRIDEBEAT_SOUND", "nosuch", "--sound"),
    ],
)
def test_a_bad_environment_variable_is_named(
    runner: CliRunner, tmp_path: Path, variable: str, value: str, option: str
) -> None:
    out = tmp_path / "o.wav"
    result = run(runner, "render", "--spm", "170", "--duration", "5s", "-o", str(out),
                 env={variable: value})  # fmt: skip
    assert result.exit_code == 2
    assert f"Invalid value for {variable} (for '{option}')" in result.output
    assert f"fix {variable} or unset it" in result.output
    assert not out.exists()


def test_the_same_value_given_as_an_option_blames_the_option(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = run(runner, "render", "--spm", "170", "--duration", "5s", "--volume", "500",
                 "-o", str(tmp_path / "o.wav"))  # fmt: skip
    assert result.exit_code == 2 and "Invalid value for '--volume'" in result.output
    assert "STRIDEBEAT_VOLUME" not in result.output


def _gpx(times: list[str]) -> str:
    points = "\n".join(
        f'<trkpt lat="{45 + i * 3e-5:.6f}" lon="7.0"><time>{t}</time>'
        "<extensions><cad>85</cad></extensions></trkpt>"
        for i, t in enumerate(times)
    )
    return (
        '<?xml version="1.0"?>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"\n<trk><type>running</type><trkseg>\n{points}\n</trkseg></trk></gpx>\n"
    )


T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _times(seconds: range | list[int]) -> list[str]:
    return [(T0 + dt.timedelta(seconds=s)).isoformat().replace("+00:00", "Z") for s in seconds]


def test_gpx_times_going_backwards_are_named(tmp_path: Path) -> None:
    path = _session(tmp_path, _gpx(_times([*range(300), *range(100, 160)])), "back.gpx")
    error = refused(lambda: read_activity(path), str(path))
    assert error.line == 4 + 300 and "times go backwards" in error.message
    assert "standing still" not in error.message


def test_gpx_times_all_equal_are_named(tmp_path: Path) -> None:
    path = _session(tmp_path, _gpx(_times([0] * 300)), "same.gpx")
    error = refused(lambda: read_activity(path), str(path))
    assert error.line == 4 and "all 300 track points have the same time" in error.message


def test_a_huge_block_name_is_blamed_on_the_block(runner: CliRunner, tmp_path: Path) -> None:
    name = "x" * 20_000
    path = _session(tmp_path, f'[[block]]\nduration = "2m"\nspm = 170\nname = "{name}"\n')
    result = run(runner, "render", str(path), "--cues", "cadence", "-o", str(tmp_path / "o.wav"))
    assert result.exit_code == 2
    assert f"{path}:4: block 1: name: 20000 characters; at most {MAX_NAME}" in result.output
    assert "cadence.toml" not in result.output and len(result.output) < 500


def test_cues_too_thick_for_a_block_name_the_block_too(runner: CliRunner, tmp_path: Path) -> None:
    name = ("word " * 16).strip()
    text = f'# long names make long cues\n[[block]]\nduration = "2m"\nspm = 170\nname = "{name}"\n'
    path = _session(tmp_path, text)
    result = run(runner, "render", str(path), "--cues", "cadence", "--no-speech",
                 "-o", str(tmp_path / "o.wav"))  # fmt: skip
    assert result.exit_code == 2 and "cues come too thick" in result.output
    assert f"in block '{name}' ({path}:2)" in result.output


def test_a_name_of_the_longest_length_is_read() -> None:
    text = f'title = "{"t" * MAX_NAME}"\n[[block]]\nname = "{"n" * MAX_NAME}"\n'
    session = parse_session(text + 'duration = "1m"\nspm = 170\n')
    assert session.blocks[0].name == "n" * MAX_NAME and session.title == "t" * MAX_NAME


# ====================================================================== the corpus (hypothesis)


def toml_value(value: object) -> str:
    """``value`` written as a TOML value (inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


hostile_text = st.one_of(
    st.sampled_from(["", " ", "1m", "0s", "-1m", "1:30", "99999999h", "1e308s", "nan", "inf",
                     "165:172", "300:30", "3m/1m", "on", "off", "run", "strength", "{spm}", "{",
                     "}", "{{", "glutes", "../../etc/passwd", "/dev/zero", "x" * 5000,
                     "2026-12-07", "0001-01-01", "9999-12-31", "\u202e\u0000", "1m" * 2000]),
    st.text(max_size=30),
)  # fmt: skip
scalars = st.one_of(
    hostile_text,
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 1, 60, 170, 10**18]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "kind", "spm"]), inner, max_size=3)
    ),
    max_leaves=5,
)


def toml_table(header: str | None, entries: dict[str, object]) -> str:
    lines = [f"[[{header}]]"] if header else []
    lines += [f"{toml_string(key)} = {toml_value(value)}" for key, value in entries.items()]
    return "\n".join(lines) + "\n"


def check_refusal(parse: Callable[[], object], source: str, text: str) -> None:
    """``parse()`` either returns or raises FileInputError for ``source`` at a line inside it."""
    try:
        parse()
    except FileInputError as exc:
        assert exc.exit_code == 2 and exc.path == source, exc
        assert exc.line is None or 1 <= exc.line <= len(text.splitlines()) + 1, exc


SESSION_KEYS = st.sampled_from([*BLOCK_KEYS, "speed"])
block_tables = st.dictionaries(SESSION_KEYS, values, max_size=6)
good_block = {"duration": "1m", "spm": 170}


@corpus
@given(
    st.dictionaries(
        st.sampled_from(["title", "cues", "rotation", "block", "other"]), values, max_size=3
    ),
    st.lists(st.builds(lambda extra: {**good_block, **extra}, block_tables), max_size=4),
)
def test_corpus_session_files(top: dict[str, object], blocks: list[dict[str, object]]) -> None:
    text = toml_table(None, top) + "\n".join(toml_table("block", b) for b in blocks)
    check_refusal(lambda: parse_session(text, "fuzz.toml"), "fuzz.toml", text)


CUE_KEYS = ["text", "audio", "label", "every", "at", "on", "before_end", "kinds", "blocks",
            "clicks", "role", "voice"]  # fmt: skip
SCRIPT_TOP = ["name", "description", "min_gap", "quiet_start", "order", "seed", "cue", "block"]


@corpus
@given(
    st.dictionaries(st.sampled_from(SCRIPT_TOP), values, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(CUE_KEYS), values, max_size=5), max_size=3),
    st.lists(block_tables, max_size=2),
)
def test_corpus_cue_scripts(
    tmp_path_factory: pytest.TempPathFactory,
    top: dict[str, object],
    cues: list[dict[str, object]],
    blocks: list[dict[str, object]],
) -> None:
    base = tmp_path_factory.getbasetemp()
    cues = [{"every": "60s", "text": "Tall hips", **cue} for cue in cues]
    text = toml_table(None, top) + "".join(toml_table("cue", c) for c in cues)
    text += "".join(toml_table("block", {**good_block, **b}) for b in blocks)
    check_refusal(lambda: parse_script(text, "cues.toml", "cues", base), "cues.toml", text)


@corpus
@given(st.text(max_size=300))
def test_corpus_cue_scripts_from_any_text(text: str) -> None:
    check_refusal(lambda: parse_script(text, "c.toml", "c", Path(".")), "c.toml", text)


PLAN_TEXT = _plan(dt.date(2026, 12, 7))
PLAN_LINES = [n for n, line in enumerate(PLAN_TEXT.splitlines()) if " = " in line]


@corpus
@given(st.lists(st.tuples(st.sampled_from(PLAN_LINES), values), min_size=1, max_size=3))
def test_corpus_plan_files(edits: list[tuple[int, object]]) -> None:
    """A good plan file with a few of its values replaced by hostile ones."""
    lines = PLAN_TEXT.splitlines()
    for number, value in edits:
        key = lines[number].split(" = ")[0]
        lines[number] = f"{key} = {toml_value(value)}"
    text = "\n".join(lines) + "\n"
    check_refusal(lambda: parse_plan(text, "plan.toml"), "plan.toml", text)


@corpus
@given(st.lists(st.sampled_from(PLAN_TEXT.splitlines()), max_size=40))
def test_corpus_plan_files_of_shuffled_lines(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    check_refusal(lambda: parse_plan(text, "plan.toml"), "plan.toml", text)


@corpus
@given(hostile_text)
def test_corpus_option_values(text: str) -> None:
    """Durations, cadences, ramps, dates, volumes and plan starts: a value or a ValueError
    (which the CLI's converter turns into a bad parameter, exit 2)."""
    for parse in (parse_duration, parse_spm, parse_ramp, parse_date, plan_start):
        try:
            parse(text)
        except ValueError:
            pass
    for number in (text, len(text) * 1e300):
        try:
            parse_volume(float(number))
        except ValueError:
            pass


@corpus
@given(
    st.dictionaries(
        st.sampled_from(["id", "created", "day", "cadence_spm", "left_leg", "level", "place",
                         "source", "week", "finished", "started"]),
        st.none() | st.integers() | st.floats() | st.text(max_size=12) | st.binary(max_size=4),
    ),
    st.sampled_from([SessionRecord, RetentionRecord, StanceRecord, PainRecord, BaselineRecord]),
)  # fmt: skip
def test_corpus_history_rows(columns: dict[str, object], kind: type) -> None:
    """Any value in any column: a record, or a RowError naming the table and column."""
    good: dict[str, object] = {
        "id": 1, "created": "2026-12-03T08:00:00+00:00", "day": "2026-12-03", "started": None,
        "ended": None, "planned_minutes": 30.0, "completed_minutes": 30.0, "cadence_spm": 170.0,
        "underruns": 0, "finished": 1, "week": None, "number": None, "source": "play",
        "counted_steps": None, "left_leg": "steady", "right_leg": "drop", "level": 2,
        "place": None,
    }  # fmt: skip
    try:
        from_row(kind, {**good, **columns})
    except RowError as exc:
        assert f"of table {kind.TABLE}: " in str(exc) and exc.column in {*good, *columns}


track_times = st.lists(st.integers(-5, 30), min_size=2, max_size=40).map(
    lambda steps: [sum(steps[: i + 1]) for i in range(len(steps))]
)
xml_values = st.one_of(
    st.sampled_from(["85", "170", "0", "-1", "nan", "inf", "1e309", "", " ", "x", "85.5"]),
    st.text(st.characters(codec="ascii", exclude_characters="<&"), max_size=8),
)


@corpus
@given(track_times, xml_values, xml_values, st.sampled_from(["gpx", "tcx"]), st.booleans())
def test_corpus_activity_tracks(
    tmp_path_factory: pytest.TempPathFactory,
    times: list[int],
    cadence: str,
    odd_time: str,
    kind: str,
    spoil_time: bool,
) -> None:
    stamps = _times([max(t, 0) * 10 for t in times])
    if spoil_time:
        stamps[len(stamps) // 2] = odd_time
    if kind == "gpx":
        text = _gpx(stamps).replace("<cad>85</cad>", f"<cad>{cadence}</cad>")
    else:
        points = "\n".join(
            f"<Trackpoint><Time>{t}</Time><DistanceMeters>{i * 30}</DistanceMeters>"
            f"<Cadence>{cadence}</Cadence></Trackpoint>"
            for i, t in enumerate(stamps)
        )
        text = (
            '<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas'
            '/TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Lap><Track>\n'
            f"{points}\n</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n"
        )
    path = tmp_path_factory.mktemp("track") / f"run.{kind}"
    path.write_text(text)
    check_refusal(lambda: read_activity(path), str(path), text)


def test_the_corpus_reads_good_files_too() -> None:
    """The corpus tests can fail: the same helpers accept what they should."""
    text = toml_table(None, {"title": "ok"}) + toml_table("block", good_block)
    assert parse_session(text) == Session((Block("run", 60.0, Steady(170.0)),), "ok")
    assert parse_plan(PLAN_TEXT, "plan.toml").settings.baseline_spm == 160
    assert json.loads(json.dumps(toml_value([1, {"a": "b"}]))) == '[1, {"a" = "b"}]'
