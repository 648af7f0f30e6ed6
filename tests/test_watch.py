"""Watch workouts: FIT files decoded back with fitdecode, field by field, header and CRCs
checked by hand; the steps line up with the audio; the commands that write them."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
from pathlib import Path
from typing import Any

import fitdecode
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cues.schedule import assemble
from stridebeat.cues.script import load_cue_scripts
from stridebeat.engine.session import METRONOME_OFF, Block, Metronome, Ramp, Rhythm, Session
from stridebeat.errors import FileInputError, InputError
from stridebeat.runner.fit import read_fit
from stridebeat.training.watch import CADENCE_MARGIN_SPM, fit_workout, watch_workout
from stridebeat.training.workouts import run_session, strength_session

CREATED = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
# the FIT protocol's CRC-16, nibble by nibble, as its documentation gives it
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # fmt: skip


def fit_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def decode(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """Every data message, with every field fitdecode found, in file order."""
    messages = []
    reader = fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE)
    with reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                messages.append((frame.name, {f.name: f.value for f in frame.fields}))
    return messages


def plan_run(**changes: Any) -> Session:
    settings_ = dict(
        baseline_spm=160.0, cadence_spm=167, work_seconds=1200,
        metronome=Metronome(on=120.0, off=120.0), retention_check=True,
        title="Week 2, session 4: run at 167 spm", stance_check=True,
    )  # fmt: skip
    settings_.update(changes)
    return run_session(**settings_)


def test_the_file_decodes_field_by_field_with_its_header_and_crcs() -> None:
    data = fit_workout(watch_workout(plan_run(), "Week 2 session 4: 167 spm"), CREATED)
    # header: 14 bytes, protocol 2.0, the data size, ".FIT", and its own CRC
    assert data[0] == 14 and data[1] == 0x20
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 14 - 2
    assert data[8:12] == b".FIT"
    assert struct.unpack_from("<H", data, 12)[0] == fit_crc(data[:12])
    # the file CRC (the last two bytes) covers the header and the data: over all, 0
    assert struct.unpack_from("<H", data, len(data) - 2)[0] == fit_crc(data[:-2])
    assert fit_crc(data) == 0
    messages = decode(data)
    assert [name for name, _ in messages] == ["file_id", "workout"] + ["workout_step"] * 7
    assert messages[0][1] == {
        "type": "workout", "manufacturer": "development", "product": 0,
        "serial_number": messages[0][1]["serial_number"], "time_created": CREATED,
    }  # fmt: skip
    assert messages[0][1]["serial_number"] not in (0, None)
    assert messages[1][1] == {
        "sport": "running",
        "num_valid_steps": 7,
        "wkt_name": "Week 2 session 4: 167 spm",
    }
    open_target = {"duration_type": "time", "target_type": "open", "target_value": 0}
    cadence = {
        "duration_type": "time", "target_type": "cadence", "target_cadence_zone": 0,
        # 167 spm, 4 either side (163-171), in whole strides: 81-86 (162-172 spm)
        "custom_target_cadence_low": 81, "custom_target_cadence_high": 86,
        "intensity": "active", "notes": "167 steps per minute",
    }  # fmt: skip
    expected = [
        {"wkt_step_name": "Stance check", "duration_time": 100.0, "intensity": "warmup"},
        {"wkt_step_name": "Activation", "duration_time": 454.0, "intensity": "warmup"},
        {"wkt_step_name": "Easy start", "duration_time": 300.0, "intensity": "warmup"},
        {"wkt_step_name": "Part one", "duration_time": 600.0, **cadence},
        {"wkt_step_name": "Part two", "duration_time": 600.0, **cadence},
        {"wkt_step_name": "Retention check", "duration_time": 120.0, "intensity": "active",
         "notes": "hold 167 steps per minute by feel: no alert here"},
        {"wkt_step_name": "Cool-down", "duration_time": 300.0, "intensity": "cooldown"},
    ]  # fmt: skip
    for index, ((_, step), want) in enumerate(zip(messages[2:], expected, strict=True)):
        target = {} if "target_type" in want else open_target
        assert step == {"message_index": index, **target, **want}


def test_the_activity_reader_knows_it_for_a_workout() -> None:
    data = fit_workout(watch_workout(plan_run(), "w"), CREATED)
    with pytest.raises(FileInputError, match="a FIT workout file, not a recorded activity"):
        read_fit(data, "run.fit")


def test_same_session_same_bytes_and_identity() -> None:
    one = fit_workout(watch_workout(plan_run(), "Week 1 session 1: 164 spm"), CREATED)
    assert one == fit_workout(watch_workout(plan_run(), "Week 1 session 1: 164 spm"), CREATED)
    other = fit_workout(watch_workout(plan_run(), "Week 1 session 3: 164 spm"), CREATED)
    serials = [decode(data)[0][1]["serial_number"] for data in (one, other)]
    assert serials[0] != serials[1]  # a watch tells workouts apart by it


@settings(max_examples=60, deadline=None)
@given(
    baseline=st.integers(140, 185),
    rise=st.integers(0, 15),
    work=st.integers(60, 3600),
    metronome=st.sampled_from(
        [Metronome(), Metronome(180.0, 60.0), Metronome(60.0, 180.0), Metronome(30.0, 270.0)]
    ),
    check=st.booleans(),
    stance=st.booleans(),
)
def test_steps_follow_the_audio_and_targets_cover_the_cadence(
    baseline: int, rise: int, work: int, metronome: Metronome, check: bool, stance: bool
) -> None:
    cadence = baseline + rise
    session = run_session(baseline, cadence, work, metronome, check, "t", stance)
    workout = watch_workout(session, "w")
    # the audio: the routines' blocks first, then the session's own
    played, _ = assemble(session, (), load_cue_scripts((), session))
    assert workout.seconds == pytest.approx(played.duration)
    own = workout.steps[-len(session.blocks) :]
    assert [s.name for s in own] == [b.name for b in session.blocks]
    assert [s.seconds for s in own] == [b.duration for b in session.blocks]
    routines = workout.steps[: len(workout.steps) - len(session.blocks)]
    assert [s.name for s in routines] == (["Stance check"] if stance else []) + ["Activation"]
    for step in workout.steps:
        if step.name.startswith("Part"):
            low, high = step.target_strides or (0, 0)
            # whole strides, covering the margin and at most one stride more each side
            assert 2 * low <= cadence - CADENCE_MARGIN_SPM < 2 * low + 2
            assert 2 * high - 2 < cadence + CADENCE_MARGIN_SPM <= 2 * high
            assert step.intensity == "active"
        else:
            assert step.target_strides is None
    intensities = [s.intensity for s in workout.steps]
    assert intensities[-1] == "cooldown" and intensities.count("cooldown") == 1
    assert intensities[: len(routines) + 1] == ["warmup"] * (len(routines) + 1)


def test_a_session_file_ramp_and_a_day_without_running() -> None:
    session = Session(
        (
            Block("drill", 60, Rhythm((1.0,)), "Skips"),
            Block("run", 300, Ramp(165, 175), "Build"),
            Block("run", 120, None, "Jog home", METRONOME_OFF),
        )
    )
    with pytest.raises(InputError, match="no running in it"):
        watch_workout(Session((Block("drill", 60, None, "Skips"),)), "w")
    steps = watch_workout(session, "w").steps
    assert [(s.name, s.intensity, s.target_strides) for s in steps] == [
        ("Skips", "warmup", None), ("Build", "active", (80, 90)), ("Jog home", "cooldown", None)
    ]  # fmt: skip
    with pytest.raises(InputError, match="a watch workout is made for runs"):
        watch_workout(strength_session(2, "Strength"), "w")


# --- the commands --------------------------------------------------------------------------------


def init(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(cli, ["plan", "init", *args])
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(
        runner.invoke(cli, ["plan", "show", "--json"]).stdout
    )
    return records


def on(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    from stridebeat.cli import plan as plan_cli

    monkeypatch.setattr(plan_cli, "today_source", lambda: dt.date.fromisoformat(day))


def test_today_fit_on_a_run_a_strength_day_and_a_rest_day(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = dt.date.today()
    records = init(runner, "--baseline", "160", "--start", start.isoformat())
    week_one = [r for r in records if r["week"] == 1]
    run = week_one[0]
    strength = next(r for r in week_one if r["kind"] == "strength")
    days = {dt.date.fromisoformat(r["date"]) for r in week_one}
    rest = next(start + dt.timedelta(n) for n in range(7) if start + dt.timedelta(n) not in days)
    path = tmp_path / "today.fit"
    on(monkeypatch, run["date"])
    result = runner.invoke(cli, ["today", "--fit", str(path)])
    assert result.exit_code == 0, result.output
    assert "GARMIN/NewFiles" in result.output
    messages = decode(path.read_bytes())
    assert messages[1][1]["wkt_name"] == f"Week 1 session 1: {run['cadence_spm']} spm"
    assert [m["wkt_step_name"] for _, m in messages[2:]][:2] == ["Stance check", "Activation"]
    for day, said in ((strength["date"], "today is a strength day"),
                      (rest.isoformat(), "no session today")):  # fmt: skip
        on(monkeypatch, day)
        refused = runner.invoke(cli, ["today", "--fit", str(tmp_path / "no.fit")])
        assert refused.exit_code == 2 and said in refused.output, refused.output
        assert "--fit FILE.fit" in refused.output and "Traceback" not in refused.output
        assert not (tmp_path / "no.fit").exists()
    on(monkeypatch, run["date"])
    for args, said in (
        (["today", "--fit", str(tmp_path / "run.txt")], "give a .fit file name"),
        (["today", "--fit", str(tmp_path / "missing" / "run.fit")], "does not exist"),
        (["session", "1", str(strength["session"]), "--fit", str(path)], "strength day"),
    ):
        refused = runner.invoke(cli, args)
        assert refused.exit_code == 2 and said in refused.output, refused.output
    assert runner.invoke(cli, ["session", "1", "3", "--fit", str(path)]).exit_code == 0
    assert decode(path.read_bytes())[1][1]["wkt_name"].startswith("Week 1 session 3")


def test_plan_export_watch_writes_a_workout_per_run_and_keeps_them_in_the_manifest(
    runner: CliRunner, tmp_path: Path
) -> None:
    init(runner, "--baseline", "178", "--target", "181", "--days", "1", "--strength-days", "0")
    folder = tmp_path / "phone"
    args = ["plan", "export", str(folder), "--format", "flac", "--sample-rate", "8000"]
    result = runner.invoke(cli, [*args, "--watch"])
    assert result.exit_code == 0, result.output
    assert "4 files written" in result.output and "2 watch workouts" in result.output
    fits = sorted(p.name for p in folder.glob("*.fit"))
    assert fits == ["w01-s1-run-181spm.fit", "w02-s1-run-181spm.fit"]
    steps = decode((folder / fits[0]).read_bytes())[2:]
    work = [m for _, m in steps if m["target_type"] == "cadence"]
    assert [m["custom_target_cadence_low"] for m in work] == [88, 88]  # 181-4=177 spm: 88.5
    assert [m["custom_target_cadence_high"] for m in work] == [93, 93]  # 181+4=185: 92.5
    manifest = json.loads((folder / ".stridebeat-export.json").read_text())["files"]
    assert set(fits) <= set(manifest)
    again = runner.invoke(cli, [*args, "--watch"])
    assert "0 files written, 4 up to date" in again.output
    without = runner.invoke(cli, args)  # the folder follows the last export: no workouts
    assert "0 files written, 2 up to date, 2 removed" in without.output
    assert not list(folder.glob("*.fit"))
