"""The built wheel carries sounds/ and cue_scripts/ and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_wheel_installs_and_renders(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        check=True,
    )
    (wheel,) = dist.glob("stridebeat-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "stridebeat/sounds/wood.wav" in names
    assert "stridebeat/py.typed" in names
    assert any(n.startswith("stridebeat/cue_scripts/") for n in names)

    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check", wheel],
        check=True,
    )
    # The dependencies (numpy, soundfile, ...) come from this test's environment, appended
    # after the fresh venv's own site-packages, so stridebeat itself comes from the wheel.
    fresh_site = Path(
        subprocess.check_output([python, "-c", "import site; print(site.getsitepackages()[0])"])
        .decode()
        .strip()
    )
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.check_output(
        [python, "-c", "import stridebeat.paths as p; print(p.data_dir('sounds'))"], cwd=work
    ).decode()
    assert where.strip().startswith(str(fresh_site))
    subprocess.run(
        [
            fresh / "bin" / "stridebeat",
            "render",
            "--spm",
            "170",
            "--duration",
            "10s",
            "--sound",
            "bell",
            "-o",
            "out.wav",
        ],
        cwd=work,
        check=True,
    )
    assert sf.info(work / "out.wav").frames == 10 * 44100
