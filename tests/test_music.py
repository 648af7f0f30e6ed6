"""Music under the click, with music the tests make: beats found, stretched onto the steps
(measured in the rendered audio), loudness, cache, and bad input."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.engine.session import load_session
from stridebeat.engine.timeline import Timeline
from stridebeat.music.analysis import analyse
from stridebeat.music.loudness import LoudnessMeter
from stridebeat.music.sources import looks_like_audio
from tests.music_maker import beatless_track, drum_track, onset_errors, write

RATE = 44100


@pytest.fixture(scope="module")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("music")
    made = {
        "half": drum_track(92, 75),
        "drift": drum_track(120, 60, end_bpm=124),
        "swing": drum_track(100, 60, swing=0.16),
        "run": drum_track(168, 50),
    }
    paths = {name: write(folder / f"{name}.flac", audio) for name, (audio, _) in made.items()}
    for name, (_, beats) in made.items():
        np.save(folder / f"{name}.npy", beats)
    paths["none"] = write(folder / "none.ogg", beatless_track(40))
    return paths


def _truth(path: Path) -> np.ndarray:
    return np.load(path.with_suffix(".npy"))


@pytest.mark.parametrize("name", ["half", "drift", "swing", "run"])
def test_beats_are_found_within_10_ms(tracks: dict[str, Path], name: str) -> None:
    found = np.array(analyse(tracks[name]).beats)
    truth = _truth(tracks[name])
    inner = found[(found > 1) & (found < truth[-1] - 1)]
    nearest = np.abs(inner[:, None] - truth[None, :]).min(axis=1)
    assert nearest.max() < 0.010, f"worst beat {nearest.max() * 1000:.1f} ms off"
    # every beat, or (a fast track heard in half time) every other one
    assert len(found) >= 0.45 * len(truth)


def test_tempo_and_half_time_candidate(tracks: dict[str, Path]) -> None:
    assert analyse(tracks["half"]).tempo == pytest.approx(92, abs=1)
    drift = analyse(tracks["drift"]).tempo
    assert 119 < drift < 125


def test_a_track_without_a_beat_has_none(tracks: dict[str, Path]) -> None:
    result = analyse(tracks["none"])
    assert not result.has_beat
    assert result.lufs is not None


@pytest.mark.parametrize("seconds", [3.0, 20.0])
def test_loudness_agrees_with_pyloudnorm(tracks: dict[str, Path], seconds: float) -> None:
    pyloudnorm = pytest.importorskip("pyloudnorm")
    audio, rate = soundfile.read(str(tracks["drift"]), dtype="float32", always_2d=True)
    rng = np.random.default_rng(3)
    noisy = audio[: int(seconds * rate)] * np.float32(rng.uniform(0.2, 1.0))
    meter = LoudnessMeter(rate)
    for start in range(0, len(noisy), 7919):  # odd blocks: the meter carries pieces over
        meter.feed(noisy[start : start + 7919])
    reference = pyloudnorm.Meter(rate).integrated_loudness(noisy.astype(np.float64))
    assert meter.lufs == pytest.approx(reference, abs=0.5)


def _render(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["render", *args])
    return result.exit_code, result.output


def _session_file(tmp_path: Path) -> Path:
    path = tmp_path / "ramp.toml"
    path.write_text(
        '[[block]]\nduration = "40s"\nspm = 172\nmetronome = "10s/10s"\n\n'
        '[[block]]\nduration = "60s"\nramp = "172:180"\n\n'
        '[[block]]\nduration = "35s"\nspm = 176\n',
        encoding="utf-8",
    )
    return path


def test_rendered_music_lands_on_every_step(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Clicks off (--volume 0): the music's own onsets, measured in the file, sit on the
    step frames through a ramp, a block change, a muted metronome and a crossfade."""
    folder = tmp_path / "music"
    folder.mkdir()
    for name in ("half", "run"):
        (folder / tracks[name].name).symlink_to(tracks[name])
    session = _session_file(tmp_path)
    out = tmp_path / "out.wav"
    with caplog.at_level(logging.INFO, logger="stridebeat.music"):
        code, output = _render(
            runner, str(session), "--music", str(folder), "--volume", "0", "-o", str(out)
        )
    assert code == 0, output
    lines = [r.getMessage() for r in caplog.records]
    assert any("half.flac: 92 BPM, one beat every two steps" in line for line in lines), lines
    assert any("run.flac" in line and "BPM, one beat" in line for line in lines), lines
    audio, rate = soundfile.read(str(out), dtype="float32", always_2d=True)
    assert audio.shape[1] == 2
    timeline = Timeline(load_session(session), rate)
    steps = timeline.clicks_between(0, timeline.length).positions
    steps = steps[(steps > rate) & (steps < len(audio) - 2 * rate)]
    errors = np.abs(onset_errors(audio, rate, steps))
    assert len(errors) > 0.95 * len(steps)
    assert np.median(errors) < 0.010
    assert np.mean(errors <= 0.020) > 0.98, f"worst {errors.max() * 1000:.1f} ms"


def test_second_render_does_no_analysis_or_stretch(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--spm", "172", "--duration", "30s", "--music", str(tracks["run"])]
    first, output = _render(runner, *args, "-o", str(tmp_path / "a.wav"))
    assert first == 0, output

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("analysed or stretched again")

    monkeypatch.setattr("stridebeat.music.cache.analyse", refuse)
    monkeypatch.setattr("stridebeat.music.stretch.subprocess.run", refuse)
    second, output = _render(runner, *args, "-o", str(tmp_path / "b.wav"))
    assert second == 0, output
    a, _ = soundfile.read(str(tmp_path / "a.wav"), dtype="int16")
    b, _ = soundfile.read(str(tmp_path / "b.wav"), dtype="int16")
    assert np.array_equal(a, b)


def test_no_match_and_no_beat_play_at_their_own_tempo(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "own.wav"
    with caplog.at_level(logging.INFO, logger="stridebeat.music"):
        code, output = _render(
            runner,
            "--spm",
            "172",
            "--duration",
            "20s",
            "--music",
            str(tracks["none"]),
            "--volume",
            "0",
            "-o",
            str(out),
        )
    assert code == 0, output
    assert any("no clear beat" in r.getMessage() for r in caplog.records)
    audio, _ = soundfile.read(str(out), dtype="float32")
    assert np.sqrt(np.mean(audio**2)) > 0.01  # the music is there, alone
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="stridebeat.music"):
        code, output = _render(
            runner,
            "--spm",
            "172",
            "--duration",
            "20s",
            "--music",
            str(tracks["run"]),
            "--no-music-match",
            "-o",
            str(out),
        )
    assert code == 0, output
    assert any("own tempo" in r.getMessage() for r in caplog.records)


def test_music_volume_and_normalisation(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path
) -> None:
    """Two copies of a track 12 dB apart come out at one level; --music-volume scales it."""
    audio, rate = soundfile.read(str(tracks["run"]), dtype="float32")
    quiet = write(tmp_path / "quiet.wav", audio / 4, rate)
    levels = []
    for path, volume in ((tracks["run"], "60"), (quiet, "60"), (quiet, "30")):
        out = tmp_path / f"{path.stem}-{volume}.wav"
        code, output = _render(
            runner,
            "--spm",
            "168",
            "--duration",
            "15s",
            "--music",
            str(path),
            "--volume",
            "0",
            "--music-volume",
            volume,
            "-o",
            str(out),
        )
        assert code == 0, output
        mixed, _ = soundfile.read(str(out), dtype="float32")
        levels.append(20 * np.log10(np.sqrt(np.mean(mixed[rate:] ** 2))))
    assert levels[0] == pytest.approx(levels[1], abs=0.5)
    assert levels[1] - levels[2] == pytest.approx(20 * np.log10(2), abs=0.5)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda d: (d / "song.mp3").write_text("not music\n") and d / "song.mp3",
            "this is not an audio file",
        ),
        (
            lambda d: (d / "x.flac").write_bytes(bytes(range(256)) * 40) and d / "x.flac",
            "this is not an audio file",
        ),
        (  # starts like a FLAC file, then garbage: the decoder's own refusal
            lambda d: (d / "y.flac").write_bytes(b"fLaC" + bytes(range(256)) * 40) and d / "y.flac",
            "cannot read this as music",
        ),
        (lambda d: (d / "empty").mkdir() or d / "empty", "holds no music files"),
        (lambda d: (d / "song.m4a").write_bytes(b"\0" * 64) and d / "song.m4a", "convert it"),
        (lambda d: d / "nowhere.mp3", "no such music file"),
    ],
)
def test_bad_music_is_exit_2_with_the_path(
    runner: CliRunner, tmp_path: Path, make: object, said: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, output = _render(
        runner,
        "--spm",
        "172",
        "--duration",
        "10s",
        "--music",
        str(path),
        "-o",
        str(tmp_path / "out.wav"),
    )
    assert code == 2, output
    assert str(path) in output and said in output
    assert "Traceback" not in output
    assert not (tmp_path / "out.wav").exists()


def test_playlist_skips_missing_entries_and_fails_when_all_are(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = tmp_path / "list.m3u8"
    good.write_text(f"#EXTM3U\nmissing.mp3\n{tracks['run']}\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="stridebeat.music"):
        code, output = _render(
            runner,
            "--spm",
            "168",
            "--duration",
            "10s",
            "--music",
            str(good),
            "-o",
            str(tmp_path / "a.wav"),
        )
    assert code == 0, output
    assert any(f"{good}:2: missing.mp3" in r.getMessage() for r in caplog.records)
    bad = tmp_path / "gone.m3u"
    bad.write_text("# my runs\n\ngone-1.mp3\ngone-2.flac\n", encoding="utf-8")
    code, output = _render(
        runner,
        "--spm",
        "168",
        "--duration",
        "10s",
        "--music",
        str(bad),
        "-o",
        str(tmp_path / "b.wav"),
    )
    assert code == 2, output
    assert f"{bad}:3:" in output and "gone-1.mp3" in output


# the peak resident size of this process alone (ru_maxrss would count the parent's too: it
# survives fork and exec on Linux)
PEAK_SCRIPT = """
import sys
from pathlib import Path
from stridebeat.music.analysis import analyse
result = analyse(Path(sys.argv[1]))
assert result.has_beat, result.tempo
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(int(peak.split()[1]) // 1024, result.duration)
"""


def _peak_mib(path: Path) -> tuple[int, float]:
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(path)], capture_output=True, text=True, check=True
    )
    peak, duration = run.stdout.split()
    return int(peak), float(duration)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_three_hour_track_is_analysed_in_flat_memory(tmp_path: Path) -> None:
    rate = 8000
    loop, _ = drum_track(126, 60, rate=rate)
    mono = (loop[:, 0] * 32767).astype(np.int16)
    long = tmp_path / "long.wav"
    with soundfile.SoundFile(str(long), "w", rate, 1, subtype="PCM_16") as sink:
        for _ in range(180):
            sink.write(mono)
    short = tmp_path / "short.wav"
    soundfile.write(str(short), mono[: rate * 60], rate, subtype="PCM_16")
    short_peak, _ = _peak_mib(short)
    long_peak, seconds = _peak_mib(long)
    assert seconds == pytest.approx(3 * 3600, abs=1)
    assert long_peak - short_peak < 60, (short_peak, long_peak)
    assert long_peak < 150


def test_a_live_cadence_change_restretches_from_the_next_beat(tracks: dict[str, Path]) -> None:
    """As the live player does on a cadence key: the music before the change is kept, and
    after it the music's onsets sit on the new timeline's steps."""
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.engine.render import ClickSound
    from stridebeat.music.settings import MusicSettings
    from stridebeat.prepare import Request, prepare

    request = Request(spm=170, duration=40.0, music=MusicSettings(tracks["run"]))
    renderer = prepare(request, ClickSound(volume=0.0), 0, RATE, SpeechSettings()).renderer
    out = np.zeros((renderer.length, 2), np.float32)
    change = 15 * RATE
    renderer.render(0, out[:change])
    timeline = renderer.timeline.with_cadence_change(change, 4)
    changed = renderer.replaced(timeline, changed_at=change)
    for start in range(change, renderer.length, 4096):  # in blocks, as the producer does
        changed.render(start, out[start : start + 4096])
    before = renderer.timeline.clicks_between(RATE, change - RATE).positions
    after = timeline.clicks_between(change + RATE, renderer.length - 3 * RATE).positions
    for steps in (before, after):
        errors = np.abs(onset_errors(out, RATE, steps))
        assert len(errors) > 0.95 * len(steps)
        assert np.mean(errors <= 0.020) > 0.98, f"worst {errors.max() * 1000:.1f} ms"
    assert timeline.cadence_at(change + RATE) == pytest.approx(174)


def test_a_bad_file_in_a_folder_is_skipped_with_a_warning(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-broken.mp3").write_text("not music\n")
    (folder / "b.flac").symlink_to(tracks["run"])
    with caplog.at_level(logging.WARNING, logger="stridebeat.music"):
        code, output = _render(runner, "--spm", "168", "--duration", "10s", "--music",
                               str(folder), "-o", str(tmp_path / "a.wav"))  # fmt: skip
    assert code == 0, output
    assert any("a-broken.mp3" in r.getMessage() and "skipped" in r.getMessage()
               for r in caplog.records)  # fmt: skip


def test_plan_init_remembers_the_music_folder(
    runner: CliRunner, tracks: dict[str, Path], tmp_path: Path
) -> None:
    from stridebeat.music.settings import MusicSettings
    from stridebeat.training.planfile import load_plan, plan_path

    empty = tmp_path / "nothing"
    empty.mkdir()
    refused = runner.invoke(cli, ["plan", "init", "--baseline", "162", "--music", str(empty)])
    assert refused.exit_code == 2 and "holds no music files" in refused.output
    assert not plan_path().exists()
    folder = tracks["run"].parent
    made = runner.invoke(cli, ["plan", "init", "--baseline", "162", "--music", str(folder)])
    assert made.exit_code == 0, made.output
    remembered = load_plan(plan_path()).settings.music
    assert remembered == str(folder.resolve())
    given = MusicSettings(None, 40, match=False).or_from_plan(remembered)
    assert given == MusicSettings(folder.resolve(), 40, match=False)
    own = MusicSettings(tracks["run"]).or_from_plan(remembered)
    assert own.source == tracks["run"]  # --music wins over the plan's folder


@given(st.binary(max_size=12))
def test_only_audio_headers_look_like_audio(head: bytes) -> None:
    known = (b"ID3", b"fLaC", b"OggS", b"RIFF", b"RF64", b"\xff")
    if not head.startswith(known):
        assert not looks_like_audio(head)


def test_real_headers_look_like_audio(tmp_path: Path) -> None:
    for fmt in ("wav", "flac", "ogg", "mp3"):
        path = tmp_path / f"a.{fmt}"
        soundfile.write(path, np.zeros(4410, np.float32), 44100)
        assert looks_like_audio(path.read_bytes()[:12]), fmt
