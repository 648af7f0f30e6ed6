from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.engine.session import (
    METRONOME_OFF,
    METRONOME_ON,
    Block,
    Metronome,
    Ramp,
    Rhythm,
    Steady,
    load_session,
    parse_metronome,
    parse_session,
)
from stridebeat.errors import FileInputError
from tests.conftest import REPO


def test_example_session_loads() -> None:
    session = load_session(REPO / "examples" / "session.toml")
    assert session.title == "Cadence build, 30 minutes"
    assert session.blocks == (
        Block("run", 300, Steady(160), "settle in"),
        Block("run", 600, Ramp(165, 172), "build"),
        Block("run", 900, Steady(172), "hold", Metronome(on=180, off=60)),
    )
    assert session.duration == 30 * 60
    assert [b.cadence_ends for b in session.blocks] == [(160, 160), (165, 172), (172, 172)]


def test_all_block_forms() -> None:
    session = parse_session(
        """
        [[block]]
        kind = "strength"
        duration = "1:30"
        rhythm = ["2s", "1s"]

        [[block]]
        kind = "rest"
        duration = "45s"

        [[block]]
        duration = "2m"
        ramp = [165, 170]
        metronome = "off"
        """
    )
    assert session.blocks == (
        Block("strength", 90, Rhythm((2.0, 1.0))),
        Block("rest", 45, None),
        Block("run", 120, Ramp(165, 170), metronome=METRONOME_OFF),
    )
    assert [b.cadence_ends for b in session.blocks] == [None, None, (165, 170)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('title = "x"\n[[block]]\nduraton = "5m"\nspm = 170\n', 3, "did you mean 'duration'"),
        ("[[block]]\nspm = 170\n", 1, "missing duration"),
        ('[[block]]\nduration = "5m"\n', 1, "needs a cadence"),
        ('[[block]]\nduration = "5m"\nspm = 170\nramp = "160:170"\n', 4, "both spm and ramp"),
        ('[[block]]\nduration = "soon"\nspm = 170\n', 2, "not a duration"),
        ("[[block]]\nduration = 5\nspm = 170\n", 2, "in quotes"),
        ('[[block]]\nduration = "5m"\nspm = 400\n', 3, "out of range"),
        ('[[block]]\nduration = "5m"\nramp = "170"\n', 3, "START:END"),
        ('[[block]]\nkind = "sprint"\nduration = "5m"\nspm = 170\n', 2, "unknown kind"),
        ('[[block]]\nduration = "5m"\nspm = 170\nmetronome = "sometimes"\n', 4, "metronome"),
        ('titel = "x"\n[[block]]\nduration = "5m"\nspm = 170\n', 1, "did you mean 'title'"),
        ('title = "x"\n[[block]]\nduration = "5m\nspm = 170\n', 3, "not valid TOML"),
        (
            '[[block]]\nduration = "5m"\nspm = 170\n[[block]]\nduration = "0s"\nspm = 170\n',
            5,
            "zero",
        ),
        ('[[block]]\nduration = "5m"\nspm = [1,\n', 3, "not valid TOML"),
        ('title = "nothing"\n', None, "no blocks"),
    ],
)
def test_errors_say_where(text: str, line: int | None, message: str) -> None:
    with pytest.raises(FileInputError, match=message) as caught:
        parse_session(text, "plan.toml")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"plan.toml:{line}:" if line else "plan.toml:")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FileInputError, match="no such session file"):
        load_session(tmp_path / "absent.toml")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FileInputError, match="not UTF-8"):
        load_session(tmp_path / "binary.toml")


def test_metronome_settings() -> None:
    assert parse_metronome("on") == METRONOME_ON
    assert parse_metronome("OFF") == METRONOME_OFF
    assert parse_metronome("3m/1m") == Metronome(on=180, off=60)
    with pytest.raises(ValueError):
        parse_metronome("3m/0s")


@given(st.text(max_size=200))
def test_parser_never_crashes(text: str) -> None:
    try:
        parse_session(text, "fuzz.toml")
    except FileInputError:
        pass


block_lines = st.fixed_dictionaries(
    {
        "duration": st.sampled_from(['"5m"', '"1:30"', '"soon"', "5", '"-1m"', '"0s"']),
        "spm": st.sampled_from(["170", "0", '"fast"', "172.5"]),
    },
    optional={
        "kind": st.sampled_from(['"run"', '"rest"', '"drill"', '"jog"']),
        "speed": st.just("1"),
    },
)


@given(st.lists(block_lines, min_size=1, max_size=4))
def test_generated_sessions_load_or_fail_with_a_line(blocks: list[dict[str, str]]) -> None:
    text = "".join(
        "[[block]]\n" + "".join(f"{k} = {v}\n" for k, v in block.items()) for block in blocks
    )
    try:
        session = parse_session(text, "gen.toml")
    except FileInputError as exc:
        assert exc.line is not None and 1 <= exc.line <= text.count("\n")
    else:
        assert len(session.blocks) == len(blocks)
