"""The public library API: what README's "Use it from Python" shows runs as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import soundfile as sf

import stridebeat
from tests.conftest import REPO


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_readme_example_runs(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\d+ cues in 15 minutes", lines[0]), lines
    assert lines[1].startswith("2026-12-07 run 166 ")  # 162 + 3% of 162 (4.86), rounded down
    assert len(lines) == 4
    info = sf.info(tmp_path / "ramp.wav")
    assert info.frames == 15 * 60 * 44100 and info.samplerate == 44100
    assert "[" in (tmp_path / "ramp.lrc").read_text()
    assert (tmp_path / "plan.toml").is_file()


def test_every_public_name_resolves() -> None:
    for name in stridebeat.__all__:
        assert getattr(stridebeat, name) is not None, name
    assert sorted(dir(stridebeat)) == sorted(stridebeat.__all__)


def test_import_stays_light() -> None:
    code = "import sys, stridebeat; assert 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        stridebeat.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
