from __future__ import annotations

import os
from pathlib import Path

import mutagen
import pytest
import soundfile as sf

from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.session import Block, Session, Steady
from stridebeat.errors import OutputError
from stridebeat.export import MANIFEST, PLAYLIST, ExportOptions, Track, export_tracks

OPTIONS = ExportOptions("mp3", rate=22050, speech=SpeechSettings(engine="espeak-ng"))


def track(number: int, spm: int, seconds: float = 8.0) -> Track:
    session = Session((Block("run", seconds, Steady(spm), "Steady"),), cues=("cadence",))
    return Track(f"w01-s{number}-run-{spm}spm", f"Week 1, session {number}", number, session,
                 seconds / 60)  # fmt: skip


def test_export_writes_tagged_files_lyrics_and_a_playlist(tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    seen: list[float] = []
    report = export_tracks([track(1, 165), track(2, 168)], folder, OPTIONS, 2, seen.append)
    assert report.written == ("w01-s1-run-165spm.mp3", "w01-s2-run-168spm.mp3")
    assert sum(seen) == pytest.approx(16 / 60)
    first = folder / "w01-s1-run-165spm.mp3"
    info = sf.info(first)
    assert info.format == "MP3" and info.channels == 1
    tags = mutagen.File(first)
    assert str(tags["TIT2"]) == "Week 1, session 1" and str(tags["TRCK"]) == "1"
    lyrics = tags.tags.getall("USLT")[0].text
    assert "[00:00.00]Steady. Cadence 165." in lyrics
    assert (folder / "w01-s1-run-165spm.lrc").read_text() == lyrics
    playlist = (folder / PLAYLIST).read_text().splitlines()
    assert playlist == [
        "#EXTM3U", "#EXTINF:8,Week 1, session 1", "w01-s1-run-165spm.mp3",
        "#EXTINF:8,Week 1, session 2", "w01-s2-run-168spm.mp3",
    ]  # fmt: skip


def test_export_again_skips_what_is_up_to_date_and_removes_what_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    export_tracks([track(1, 165), track(2, 168)], folder, OPTIONS, 1)
    keep = folder / "w01-s1-run-165spm.mp3"
    mine = folder / "my-own-song.mp3"
    mine.write_bytes(b"not stridebeat's")
    before = keep.stat().st_mtime_ns
    report = export_tracks([track(1, 165), track(3, 170)], folder, OPTIONS, 1)
    assert report.skipped == ("w01-s1-run-165spm.mp3",)
    assert report.written == ("w01-s3-run-170spm.mp3",)
    assert report.removed == ("w01-s2-run-168spm.mp3",)
    assert keep.stat().st_mtime_ns == before
    assert not (folder / "w01-s2-run-168spm.mp3").exists()
    assert not (folder / "w01-s2-run-168spm.lrc").exists()
    assert mine.exists()  # never touches files it did not make
    (folder / MANIFEST).write_text("{ damaged")
    assert len(export_tracks([track(1, 165)], folder, OPTIONS, 1).written) == 1


@pytest.mark.parametrize("fmt", ["flac", "ogg"])
def test_lyrics_are_embedded_in_vorbis_comments(tmp_path: Path, fmt: str) -> None:
    options = ExportOptions(fmt, rate=22050, speech=SpeechSettings(engine="espeak-ng"))
    export_tracks([track(1, 165)], tmp_path, options, 1)
    tags = mutagen.File(tmp_path / f"w01-s1-run-165spm.{fmt}")
    assert "Cadence 165" in tags["LYRICS"][0] and tags["TITLE"] == ["Week 1, session 1"]


def test_unwritable_export_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = Path("/proc/stridebeat-export")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        folder = locked / "phone"
    with pytest.raises(OutputError, match="cannot"):
        export_tracks([track(1, 165)], folder, OPTIONS, 1)
