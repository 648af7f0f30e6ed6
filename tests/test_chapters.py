"""Chapters and tags of rendered files, read back with mutagen and checked against the blocks."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import mutagen
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from mutagen.id3 import CTOCFlags

from stridebeat.cli.app import cli
from stridebeat.cues.schedule import assemble
from stridebeat.cues.script import load_cue_scripts
from stridebeat.engine.session import Block, Ramp, Rhythm, Session, Steady
from stridebeat.export import ExportOptions, Track, export_tracks, render_session
from stridebeat.sinks.tags import Chapter, vorbis_chapters
from stridebeat.units import frames_to_ms, seconds_to_frames

RATE = 22050
SESSION = Session(
    (
        Block("run", 2.5, Steady(170), "Easy"),
        Block("drill", 1.0, Rhythm((0.5,)), "Skips"),
        Block("run", 0.0, Steady(170), "Nothing"),  # no length: no chapter
        Block("run", 3.2345, Ramp(168, 176)),  # no name: its kind names it
    ),
    title="Three blocks",
)


def expected_chapters(session: Session, rate: int) -> list[tuple[str, int, int]]:
    """Each block with a length: its name and its first and end frame in milliseconds,
    rounded half up, from the frames its start and end time round to."""
    chapters, start = [], Fraction(0)
    for block in session.blocks:
        end = start + Fraction(block.duration)
        first, last = seconds_to_frames(float(start), rate), seconds_to_frames(float(end), rate)
        if last > first:
            ms = [int(Fraction(f * 1000, rate) + Fraction(1, 2)) for f in (first, last)]
            chapters.append((block.name or block.kind, ms[0], ms[1]))
        start = end
    return chapters


def id3_chapters(path: Path) -> list[tuple[str, int, int]]:
    tags = mutagen.File(path).tags
    toc = tags.getall("CTOC")
    assert len(toc) == 1 and toc[0].flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    chapters = {c.element_id: c for c in tags.getall("CHAP")}
    assert sorted(toc[0].child_element_ids) == sorted(chapters)
    return [
        (str(chapters[i].sub_frames["TIT2"]), chapters[i].start_time, chapters[i].end_time)
        for i in toc[0].child_element_ids
    ]


def vorbis_marks(path: Path) -> list[tuple[str, int]]:
    tags = mutagen.File(path)
    marks, n = [], 1
    while f"CHAPTER{n:03d}" in tags:
        clock = tags[f"CHAPTER{n:03d}"][0]
        hours, minutes, seconds = clock.split(":")
        ms = round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
        marks.append((tags[f"CHAPTER{n:03d}NAME"][0], ms))
        n += 1
    return marks


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg"])
def test_rendered_files_carry_a_chapter_per_block_and_tags(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"three.{fmt}"
    render_session(SESSION, path, sample_rate=RATE)
    want = expected_chapters(SESSION, RATE)
    assert [name for name, _, _ in want] == ["Easy", "Skips", "run"]
    assert want[-1][2] == 6735  # the end, 6.7345 s: frame 148496 at 22050 Hz, 6734.51 ms
    tags = mutagen.File(path)
    if fmt == "mp3":
        assert id3_chapters(path) == want
        assert (str(tags["TIT2"]), str(tags["TPE1"]), str(tags["TALB"])) == (
            "Three blocks", "stridebeat", "stridebeat"
        )  # fmt: skip
    else:
        assert vorbis_marks(path) == [(name, start) for name, start, _ in want]
        assert (tags["TITLE"], tags["ARTIST"], tags["ALBUM"]) == (
            ["Three blocks"], ["stridebeat"], ["stridebeat"]
        )  # fmt: skip
        assert (
            b"CHAPTER001=00:00:00.000" in path.read_bytes()
        )  # the names as the extension has them


def test_a_wav_has_neither_chapters_nor_tags(tmp_path: Path) -> None:
    path = tmp_path / "three.wav"
    render_session(SESSION, path, sample_rate=RATE)
    data = path.read_bytes()
    assert data[36:40] == b"data" and b"CHAP" not in data  # a plain 44-byte header, no LIST


def test_an_exported_wav_keeps_its_title_but_has_no_chapters(tmp_path: Path) -> None:
    track = Track("w01-s1-run-170spm", "Week 1, session 1", 1, SESSION, 0.1)
    export_tracks([track], tmp_path, ExportOptions("wav", rate=8000), 1)
    data = (tmp_path / "w01-s1-run-170spm.wav").read_bytes()
    assert b"Week 1, session 1" in data and b"CHAP" not in data


@given(st.integers(0, 2**40), st.sampled_from([8000, 22050, 44100, 48000, 96000]))
def test_frames_to_ms_rounds_half_up(frames: int, rate: int) -> None:
    exact = Fraction(frames * 1000, rate)
    ms = frames_to_ms(frames, rate)
    assert ms - Fraction(1, 2) <= exact < ms + Fraction(1, 2)


def test_vorbis_chapters_have_three_digits() -> None:
    chapters = [Chapter(f"c{n}", n * 3_600_500, 0) for n in range(1200)]
    comments = vorbis_chapters(chapters)
    assert len(comments) == 2 * 999 and "CHAPTER1000" not in comments
    assert comments["CHAPTER002"] == "01:00:00.500" and comments["CHAPTER002NAME"] == "c1"


def test_render_and_today_files_are_tagged(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = tmp_path / "steady.mp3"
    args = ["render", "--spm", "170", "--duration", "5s", "-o", str(rendered)]
    assert runner.invoke(cli, [*args, "--sample-rate", "8000"]).exit_code == 0
    assert id3_chapters(rendered) == [("Steady run", 0, 5000)]
    assert str(mutagen.File(rendered)["TIT2"]) == "170 spm"
    result = runner.invoke(cli, ["plan", "init", "--baseline", "160"])
    assert result.exit_code == 0, result.output
    first = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)[0]
    from stridebeat.cli import plan as plan_cli

    monkeypatch.setattr(plan_cli, "today_source", lambda: dt.date.fromisoformat(first["date"]))
    today = tmp_path / "today.flac"
    result = runner.invoke(cli, ["today", "-o", str(today), "--sample-rate", "8000"])
    assert result.exit_code == 0, result.output
    tags = mutagen.File(today)
    assert tags["TITLE"][0].startswith("Week 1, session 1: run at 164 spm (")
    assert (tags["ARTIST"], tags["ALBUM"]) == (["stridebeat"], ["stridebeat plan"])
    from stridebeat.training.plan import find_session
    from stridebeat.training.standing import reviewed_plan

    session = find_session(reviewed_plan(dt.date.fromisoformat(first["date"]))[0].plan, 1, 1)
    played, _ = assemble(session.session, (), load_cue_scripts((), session.session))
    want = expected_chapters(played, 8000)
    assert want[0][0] == "stance setup" and want[-1][0] == "Cool-down"
    assert vorbis_marks(today) == [(name, start) for name, start, _ in want]
