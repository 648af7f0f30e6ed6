from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from stridebeat.engine.render import STEREO_PAN, ClickSound, Renderer, pan_gains
from stridebeat.engine.session import Block, Ramp, Session, Steady, ramp_session, steady_session
from stridebeat.engine.synth import (
    BUILTIN_SOUNDS,
    accent_of,
    load_sound,
    read_plain_wav,
    resample,
    sound_names,
)
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import InputError, SoundError
from stridebeat.paths import data_dir
from stridebeat.sinks.file import AudioFileSink, fits_riff
from tests.onsets import measure_onsets


def render_all(renderer: Renderer, chunk: int = 65536) -> np.ndarray:
    return np.concatenate([block.copy() for block in renderer.chunks(chunk)])


def test_builtin_sounds_ship() -> None:
    assert set(BUILTIN_SOUNDS) <= set(sound_names())
    for name in BUILTIN_SOUNDS:
        wave = load_sound(name, 44100)
        assert np.max(np.abs(wave)) == pytest.approx(1.0, abs=0.02)
        # a sharp onset: the click reaches half its peak within 1 ms
        assert np.argmax(np.abs(wave) >= 0.5) < 44


def test_first_click_is_the_sound_at_frame_zero() -> None:
    renderer = Renderer(Timeline(steady_session(170, 5), 44100), ClickSound("tick", volume=0.5))
    audio = render_all(renderer)[:, 0]
    wave = load_sound("tick", 44100)
    np.testing.assert_allclose(audio[: len(wave)], 0.5 * wave, atol=1e-6)


def test_chunking_does_not_change_samples() -> None:
    session = Session((Block("run", 20, Ramp(150, 200)), Block("run", 10, Steady(200))))
    click = ClickSound("bell", stereo_steps=True)
    renderer = Renderer(Timeline(session, 22050, accent_every=3), click)
    whole = render_all(renderer, 65536)
    assert np.array_equal(whole, render_all(renderer, 997))
    piece = np.zeros((5000, 2), np.float32)
    renderer.render(123_456, piece)  # seek straight into the middle
    assert np.array_equal(piece, whole[123_456:128_456])


@pytest.mark.parametrize(
    ("session", "rate"),
    [(steady_session(176, 120), 44100), (ramp_session(150, 190, 120), 48000)],
)
def test_measured_onsets_match_the_schedule(session: Session, rate: int) -> None:
    timeline = Timeline(session, rate)
    audio = render_all(Renderer(timeline, ClickSound("wood", volume=0.8)))[:, 0]
    ideal = timeline.clicks_between(0, timeline.length).positions
    measured = measure_onsets(audio, 0.8 * load_sound("wood", rate), ideal)
    error = measured - ideal
    assert np.abs(error).max() < 0.15  # sub-sample placement: far inside half a sample
    assert abs(error[-20:].mean() - error[:20].mean()) < 0.05  # no drift


def test_stereo_steps_alternate_but_never_vanish() -> None:
    timeline = Timeline(steady_session(120, 2), 8000)  # steps at 0, 0.5, 1.0, 1.5 s
    audio = render_all(Renderer(timeline, ClickSound("beep", stereo_steps=True)))
    left, right = pan_gains(-STEREO_PAN)
    first = np.abs(audio[:200]).max(axis=0)
    second = np.abs(audio[4000:4200]).max(axis=0)
    assert first[0] / first[1] == pytest.approx(left / right, rel=1e-3)
    assert second[1] / second[0] == pytest.approx(left / right, rel=1e-3)
    assert right / left > 0.3  # the far earbud still hears it, about 8 dB down


def test_accent_has_its_own_pitch() -> None:
    def centroid(wave: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(wave))
        return float((spectrum * np.arange(len(spectrum))).sum() / spectrum.sum() / len(wave))

    wave = load_sound("beep", 44100)
    assert centroid(accent_of(wave)) == pytest.approx(1.5 * centroid(wave), rel=0.05)
    timeline = Timeline(steady_session(120, 2), 44100, accent_every=2)
    audio = render_all(Renderer(timeline, ClickSound("beep")))[:, 0]
    accented, plain = audio[:1500], audio[22050:23550]
    assert not np.allclose(accented, plain)


def test_user_sample_any_rate_and_channels(tmp_path: Path) -> None:
    t = np.arange(2205) / 22050
    tone = np.sin(2 * np.pi * 700 * t) * np.exp(-t * 60)
    stereo = np.stack([tone, 0.5 * tone], axis=1)
    path = tmp_path / "my click.wav"
    sf.write(path, np.concatenate([np.zeros((441, 2)), stereo]), 22050)  # 20 ms silence first
    wave = load_sound(str(path), 44100)
    assert len(wave) == 2 * 2204  # silence and the tone's zero first sample trimmed; rate doubled
    assert np.abs(wave).max() == pytest.approx(1.0, abs=0.02)
    assert abs(wave[0]) > 0.1  # starts on the onset, not on the silence


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no sound"), (b"not audio", "cannot read"), ("silent", "silent"), ("long", "shorter")],
)
def test_bad_user_samples(tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "x.wav"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "silent":
        sf.write(path, np.zeros(100), 44100)
    elif content == "long":
        sf.write(path, np.ones(3 * 44100) * 0.1, 44100)
    with pytest.raises(SoundError, match=message):
        load_sound(str(path), 44100)


def test_overlapping_long_clicks_never_clip(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    sf.write(path, np.ones(int(0.9 * 8000)) * 0.9, 8000)
    renderer = Renderer(Timeline(steady_session(300, 5), 8000), ClickSound(str(path), volume=1.0))
    audio = render_all(renderer)
    assert np.abs(audio).max() <= 1.0


@pytest.mark.parametrize("stereo", [False, True])
def test_pcm16_path_is_the_float_path_rounded(tmp_path: Path, stereo: bool) -> None:
    from stridebeat.engine.render import SpokenCue

    path = tmp_path / "long.wav"
    sf.write(path, np.sin(np.arange(3000) / 3) * np.linspace(1, 0, 3000), 8000)  # overlaps
    session = Session((Block("run", 20, Ramp(150, 300)), Block("run", 10, Steady(300))))
    timeline = Timeline(session, 8000, accent_every=3)
    speech = np.sin(np.arange(9000, dtype=np.float32) / 7)
    cues = [SpokenCue(f, speech, "x") for f in (5000, 100_000)]
    for voice in (ClickSound("wood", 1.0, stereo), ClickSound(str(path), 0.9, stereo)):
        renderer = Renderer(timeline, voice, cues)
        floats = np.concatenate([b.copy() for b in renderer.chunks(7001)])
        pcm = np.concatenate([b.copy() for b in renderer.pcm16_chunks(7001)])
        expected = np.rint(np.clip(floats, -1, 1) * np.float32(32767)).astype(np.int16)
        np.testing.assert_array_equal(pcm, expected)


# --- resampling, reading and writing sound files --------------------------------------------


@pytest.mark.parametrize(("source", "target"), [(22050, 44100), (44100, 48000), (48000, 44100)])
def test_resampling_keeps_a_tone(source: int, target: int) -> None:
    # 1 kHz and 5 kHz for 1 s: away from the ends, the result is the same tones sampled at
    # the new rate, to far below what 16 bits can hold (1/32768 is -90 dB).
    def tones(rate: int) -> np.ndarray:
        t = np.arange(rate) / rate
        return 0.5 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * 5000 * t + 1)

    wave = resample(tones(source).astype(np.float32), source, target)
    assert wave.dtype == np.float32 and len(wave) == target
    middle = slice(target // 10, -target // 10)
    error = np.abs(wave[middle] - tones(target)[middle]).max()
    assert error < 10 ** (-100 / 20)


def test_shipped_sounds_are_read_as_libsndfile_reads_them(tmp_path: Path) -> None:
    for name in BUILTIN_SOUNDS:
        path = data_dir("sounds") / f"{name}.wav"
        plain = read_plain_wav(path)
        assert plain is not None
        expected, rate = sf.read(path, dtype="float32", always_2d=True)
        assert plain[1] == rate and plain[0].dtype == np.float32
        np.testing.assert_array_equal(plain[0], expected)
    stereo = np.random.default_rng(0).uniform(-1, 1, (1000, 2))
    for subtype, readable in (("PCM_16", True), ("FLOAT", True), ("PCM_24", False)):
        path = tmp_path / f"{subtype}.wav"
        sf.write(path, stereo, 22050, subtype=subtype)
        plain = read_plain_wav(path)
        if not readable:
            assert plain is None  # left to libsndfile
            continue
        assert plain is not None
        np.testing.assert_array_equal(plain[0], sf.read(path, dtype="float32")[0])
    assert read_plain_wav(tmp_path / "missing.wav") is None


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("known_length", [False, True])
def test_plain_wav_is_what_libsndfile_writes(
    tmp_path: Path, channels: int, known_length: bool
) -> None:
    rng = np.random.default_rng(channels)
    whole = rng.integers(-32768, 32768, (30001, channels)).astype(np.int16)
    floats = rng.uniform(-1.2, 1.2, (5001, channels)).astype(np.float32)  # say writes floats
    ours = tmp_path / "ours.wav"
    frames = len(whole) + len(floats) if known_length else None
    with AudioFileSink(ours, 22050, channels, frames=frames) as sink:
        assert sink.plain_wav
        sink.write(whole[:10000])
        sink.write(whole[10000:])
        sink.write(floats)
        sink.commit()
    theirs_path = tmp_path / "theirs.wav"
    with sf.SoundFile(theirs_path, "w", 22050, channels, "PCM_16", format="WAV") as theirs:
        theirs.write(whole)
        theirs.write(floats)
    assert ours.read_bytes() == theirs_path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours.wav", "theirs.wav"]


def test_a_wav_too_long_for_riff_is_rf64_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4 GiB - 1 bytes, less the 36 header bytes the RIFF size counts: the most a WAV can hold
    most = (2**32 - 1 - 36) // 4  # stereo frames
    assert fits_riff(most, 2) and not fits_riff(most + 1, 2)
    assert AudioFileSink(tmp_path / "a.wav", 48000, 2, frames=most).format == "WAV"
    long = AudioFileSink(tmp_path / "a.wav", 48000, 2, frames=most + 1)
    assert long.format == "RF64" and not long.plain_wav
    assert AudioFileSink(tmp_path / "a.flac", 48000, 2, frames=most + 1).format == "FLAC"
    # without a length given up front, writing past the limit is refused, and nothing is left
    monkeypatch.setattr("stridebeat.sinks.file.RIFF_MAX_DATA", 4000)
    with pytest.raises(InputError, match="does not fit a WAV"):
        with AudioFileSink(tmp_path / "b.wav", 8000, 1) as sink:
            sink.write(np.zeros((1500, 1), np.int16))
            sink.write(np.zeros((1500, 1), np.int16))
    assert list(tmp_path.iterdir()) == []


def test_rendering_a_wav_loads_no_libsndfile(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from stridebeat.cli.app import cli\n"
        f"cli(['render', '--spm', '170', '--duration', '10s', '-o', {str(tmp_path / 'x.wav')!r}],"
        " standalone_mode=False)\n"
        "assert 'soundfile' not in sys.modules, 'soundfile was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sf.info(tmp_path / "x.wav").frames == 10 * 44100
