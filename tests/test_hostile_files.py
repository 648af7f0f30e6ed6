"""Hostile and careless file handling: nothing the user had is lost, no traceback, no leftovers.

Each case is something a crafted file, a slip of the keyboard or a closed terminal did to
stridebeat once: a manifest that named files outside the export folder, an output that was
the plan or an input, a name too long for the temporary file, a SIGHUP mid-render, parts left
by a killed process, a plan.toml that is a folder, an app folder that is a file, a full disk.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat import files
from stridebeat.cli.app import cli
from stridebeat.errors import InputError
from stridebeat.export import MANIFEST, ExportOptions, export_tracks

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]
WAV = ExportOptions("wav", rate=8000)


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STRIDEBEAT, *args], capture_output=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def plain(result: subprocess.CompletedProcess[str] | object) -> str:
    text = getattr(result, "stderr", "") or getattr(result, "output", "")
    assert "Traceback" not in text
    return str(text)


# -- the export manifest names only files the exporter made ----------------------------------


def _one_track() -> list:  # type: ignore[type-arg]
    from tests.test_export import track

    return [track(1, 165, seconds=1.0)]


@pytest.mark.parametrize(
    "name",
    ["../outside.mp3", "{outside}", "sub/inner.mp3", "..", ".", "", "link.mp3", "folder.mp3",
     ".hidden.mp3", "notes.txt", "sub\\inner.mp3"],
)  # fmt: skip
def test_a_crafted_manifest_removes_nothing_but_what_the_export_made(
    tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(b"mine")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.mp3").write_bytes(b"mine")
    (folder / "sub\\inner.mp3").write_bytes(b"mine")
    (folder / "link.mp3").symlink_to(outside)
    (folder / "folder.mp3").mkdir()
    (folder / ".hidden.mp3").write_bytes(b"mine")
    (folder / "notes.txt").write_bytes(b"mine")
    name = name.format(outside=outside)
    (folder / MANIFEST).write_text(json.dumps({"files": {name: "0" * 64}}))
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    export_tracks(_one_track(), folder, WAV, 1)
    after = sorted(str(p) for p in tmp_path.rglob("*"))
    assert set(before) <= set(after)
    assert outside.read_bytes() == b"mine"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_manifest_name_removes_only_plain_audio_files(name: str) -> None:
    from stridebeat.export import removable_name

    if removable_name(name):
        assert os.path.basename(name) == name and "/" not in name and not name.startswith(".")
        assert name.rsplit(".", 1)[-1] in ("wav", "flac", "ogg", "mp3")


@settings(max_examples=60, deadline=None)
@given(
    st.from_regex(r"w[0-9]{2}-s[0-9]-(run-[0-9]{3}spm|strength)", fullmatch=True),
    st.sampled_from(["wav", "flac", "ogg", "mp3"]),
)
def test_the_exporters_own_names_stay_removable(stem: str, fmt: str) -> None:
    from stridebeat.export import removable_name

    assert removable_name(f"{stem}.{fmt}")


# -- an output is never the plan, the history or an input of the same command ---------------


@pytest.fixture
def with_plan(runner: CliRunner, _app_home: Path) -> Path:
    result = runner.invoke(cli, ["plan", "init", "--baseline", "160"])
    assert result.exit_code == 0, result.output
    return _app_home / "plan.toml"


def test_session_save_over_the_plan_exits_2(runner: CliRunner, with_plan: Path) -> None:
    before = with_plan.read_bytes()
    result = runner.invoke(cli, ["session", "1", "1", "--save", str(with_plan)])
    assert result.exit_code == 2 and "your plan" in plain(result)
    assert with_plan.read_bytes() == before


def test_session_save_through_a_link_to_the_plan_exits_2(
    runner: CliRunner, with_plan: Path, tmp_path: Path
) -> None:
    link = tmp_path / "mine.toml"
    os.link(with_plan, link)  # a hard link: the same file under another name
    result = runner.invoke(cli, ["session", "1", "1", "--save", str(link)])
    assert result.exit_code == 2 and "your plan" in plain(result)


def test_render_over_its_click_sound_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / "same.wav"
    made = runner.invoke(cli, ["say", "go", "-o", str(sample), "--speech-engine", "espeak-ng"])
    if made.exit_code != 0:
        pytest.skip("no speech engine to make a sample with")
    before = sample.read_bytes()
    result = runner.invoke(
        cli, ["render", "--spm", "170", "--duration", "2s", "--sound", str(sample),
              "-o", str(sample)],
    )  # fmt: skip
    assert result.exit_code == 2 and "--sound" in plain(result)
    assert sample.read_bytes() == before


def test_export_over_its_click_sound_exits_2(
    runner: CliRunner, with_plan: Path, tmp_path: Path
) -> None:
    first = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).output)[0]
    name = f"w01-s1-{first['kind']}" + (
        f"-{first['cadence_spm']}spm" if first["cadence_spm"] is not None else ""
    )
    sample = tmp_path / f"{name}.wav"
    made = runner.invoke(cli, ["say", "go", "-o", str(sample), "--speech-engine", "espeak-ng"])
    if made.exit_code != 0:
        pytest.skip("no speech engine to make a sample with")
    before = sample.read_bytes()
    result = runner.invoke(
        cli, ["plan", "export", str(tmp_path), "--format", "wav", "--sound", str(sample)]
    )
    assert result.exit_code == 2 and "--sound" in plain(result)
    assert sample.read_bytes() == before


def test_check_output_compares_the_files_not_the_spelling(tmp_path: Path) -> None:
    kept = tmp_path / "plan.toml"
    kept.write_text("x")
    (tmp_path / "sub").mkdir()
    for spelling in (kept, tmp_path / "sub" / ".." / "plan.toml"):
        with pytest.raises(InputError, match="your plan"):
            files.check_output(spelling, {kept: "your plan"})
    files.check_output(tmp_path / "other.toml", {kept: "your plan"})


# -- names of any legal length; a clear message past it -------------------------------------


def test_a_256_byte_name_exits_2_with_a_message(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / ("a" * 252 + ".wav")
    result = runner.invoke(cli, ["render", "--spm", "170", "--duration", "1s", "-o", str(out)])
    assert result.exit_code == 2 and "shorter name" in plain(result)


@pytest.mark.parametrize("length", [241, 255])
def test_a_long_legal_name_is_written(runner: CliRunner, tmp_path: Path, length: int) -> None:
    out = tmp_path / ("a" * (length - 4) + ".wav")
    result = runner.invoke(cli, ["render", "--spm", "170", "--duration", "1s", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_the_temporary_name_is_short_whatever_the_target(tmp_path: Path) -> None:
    tmp = files.temp_beside(tmp_path / ("b" * 250 + ".wav"))
    assert len(tmp.name) < 40 and tmp.name.startswith(".stridebeat-")
    tmp.unlink()


# -- leftovers: SIGHUP, and parts a killed process left ---------------------------------------


def test_a_part_left_by_kill_9_goes_with_the_next_render_there(tmp_path: Path) -> None:
    out = tmp_path / "run.wav"
    process = subprocess.Popen(
        [*STRIDEBEAT, "render", "--spm", "170", "--duration", "3h", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), process)
    process.kill()
    process.wait()
    (part,) = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    a_while_ago = time.time() - 60
    os.utime(part, (a_while_ago, a_while_ago))
    result = run(["render", "--spm", "170", "--duration", "1s", "-o", str(tmp_path / "b.wav")])
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.wav"]


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_parts_of_a_killed_process_are_removed_on_the_next_write(tmp_path: Path) -> None:
    old = time.time() - 3600 * 2
    dead = tmp_path / f".stridebeat-{_dead_pid()}-abcd1234.part"
    legacy = tmp_path / ".run.wav.k2j4_x9q.part"
    for part in (dead, legacy):
        part.write_bytes(b"half a render")
        os.utime(part, (old, old))
    files.write_text_atomically(tmp_path / "notes.lrc", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.lrc"]


def test_only_our_dead_parts_are_removed(tmp_path: Path) -> None:
    old = time.time() - 3600 * 2
    keep = [
        f".stridebeat-{os.getpid()}-abcd1234.part",  # a live writer (this process)
        f".stridebeat-{os.getppid()}-abcd1234.part",  # another live process
        ".notes.txt.abcd1234.part",  # not a file stridebeat writes
        "stridebeat-1-abcd1234.part",  # not hidden: not our naming
        f".stridebeat-{_dead_pid()}-abcd1234.part.mine",
    ]
    for name in keep:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (old, old))
    fresh = tmp_path / f".stridebeat-{_dead_pid()}-fresh123.part"  # just written: wait
    fresh.write_bytes(b"x")
    (tmp_path / f".stridebeat-{_dead_pid()}-folder12.part").mkdir()
    assert files.remove_stale_parts(tmp_path, now=time.time()) == []


# -- the app folder and the plan file are what they should be ---------------------------------


PLAN_COMMANDS = [
    ["plan", "show"],
    ["plan", "init", "--baseline", "160"],
    ["plan", "init", "--baseline", "160", "--force"],
    ["today"],
]


@pytest.mark.parametrize("command", PLAN_COMMANDS)
def test_a_plan_toml_folder_gets_one_clear_message(
    runner: CliRunner, _app_home: Path, command: list[str]
) -> None:
    (_app_home / "plan.toml").mkdir()
    result = runner.invoke(cli, command)
    assert result.exit_code == 1
    assert "is a folder, not a plan file" in plain(result) and "Move it away" in result.output


def test_stridebeat_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    result = run(["plan", "init", "--baseline", "160"],
                 env={**os.environ, "STRIDEBEAT_HOME": str(home)})  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "STRIDEBEAT_HOME" in plain(result) and "set it to a folder" in result.stderr


# -- a full disk -------------------------------------------------------------------------------


def _small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_under_the_history_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "STRIDEBEAT_HOME": str(tmp_path)}
    result = run(["baseline", "--spm", "160", "--save"], env=env, preexec_fn=_small_files)
    if result.returncode == 0:  # the first save fits: fill it up
        for spm in range(150, 400):
            result = run(["baseline", "--spm", str(spm % 60 + 150), "--save"], env=env,
                         preexec_fn=_small_files)  # fmt: skip
            if result.returncode:
                break
    assert result.returncode == 1, result.stderr
    assert "free some space" in plain(result).lower()


# -- Ctrl-C during an export -----------------------------------------------------------------

_EXPORT = """
import sys
from pathlib import Path
from stridebeat.engine.session import Block, Session, Steady
from stridebeat.cli.terminal import terminate_as_exit
from stridebeat.export import ExportOptions, Track, export_tracks

def track(number, seconds):
    session = Session((Block("run", seconds, Steady(170), "Steady"),))
    return Track(f"w01-s{number}-run-170spm", f"session {number}", number, session, seconds / 60)

tracks = [track(1, 1.0)] + [track(n, 3 * 3600.0) for n in range(2, 6)]
try:
    with terminate_as_exit():
        export_tracks(tracks, Path(sys.argv[1]), ExportOptions("wav", rate=8000), 2)
except KeyboardInterrupt:
    sys.exit(130)
"""


@pytest.mark.parametrize(
    ("how", "to_all"),
    [(signal.SIGINT, True), (signal.SIGHUP, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "closed-terminal", "kill"],
)
def test_stopping_an_export_stops_soon_and_records_what_is_finished(
    tmp_path: Path, how: int, to_all: bool
) -> None:
    folder = tmp_path / "phone"
    process = subprocess.Popen(
        [sys.executable, "-c", _EXPORT, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the whole process group: so does this
    )
    first = folder / "w01-s1-run-170spm.wav"
    _wait_for(lambda: first.exists(), process)
    time.sleep(0.3)  # the others are rendering now
    if to_all:  # the terminal signals the whole process group: the workers too
        os.killpg(process.pid, how)
    else:
        process.send_signal(how)
    began = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    stopped = time.monotonic() - began
    assert stopped < 2.0, f"took {stopped:.1f} s to stop"
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    manifest = json.loads((folder / MANIFEST).read_text())["files"]
    assert list(manifest) == [first.name]
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, first.name]


def _one_megabyte() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_a_full_disk_under_a_render_names_the_cause_not_libsndfile(
    tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"run.{fmt}"
    result = run(["render", "--spm", "170", "--duration", "10m", "-o", str(out)],
                 preexec_fn=_one_megabyte)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "System error" not in plain(result)
    assert "disk" in result.stderr and "free some disk space" in result.stderr


def test_a_full_disk_under_an_export_does_not_suggest_an_option_it_lacks(
    tmp_path: Path, _app_home: Path
) -> None:
    env = {**os.environ, "STRIDEBEAT_HOME": str(_app_home)}
    assert run(["plan", "init", "--baseline", "160"], env=env).returncode == 0
    result = run(
        ["plan", "export", str(tmp_path / "phone"), "--format", "wav", "--jobs", "1",
         "--no-speech"],
        env=env, preexec_fn=_one_megabyte,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "free some disk space" in plain(result)
    assert " -o" not in result.stderr and "--output" not in result.stderr


def test_ctrl_c_while_a_file_is_opened_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stridebeat.sinks import file as sink_module

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sink_module, "PlainWav", interrupted)
    with pytest.raises(KeyboardInterrupt), sink_module.AudioFileSink(tmp_path / "a.wav", 8000, 1):
        pass
    assert list(tmp_path.iterdir()) == []
