"""Where stridebeat keeps the runner's files."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from stridebeat.paths import app_dir, data_dir, user_path


def test_app_folder_is_the_one_earlier_versions_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An existing plan, history and speech cache stay where they are."""
    monkeypatch.delenv("STRIDEBEAT_HOME")
    assert app_dir() == Path(click.get_app_dir("stridebeat"))


def test_app_folder_follows_xdg_and_stridebeat_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("STRIDEBEAT_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert app_dir() == tmp_path / "config" / "stridebeat"
    monkeypatch.setenv("STRIDEBEAT_HOME", "~/runs")
    assert app_dir() == Path.home() / "runs"


def test_data_folders_ship_with_the_package() -> None:
    assert (data_dir("sounds") / "wood.wav").is_file()
    assert (data_dir("cue_scripts") / "glutes.toml").is_file()


def test_a_user_path_expands_a_home_and_keeps_a_tilde_that_names_no_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", "/home/runner")
    assert user_path("~/runs/a.wav") == Path("/home/runner/runs/a.wav")
    # Path.expanduser raises here; a name that is no user is just a missing path.
    assert user_path("~no-such-user-0/a.wav") == Path("~no-such-user-0/a.wav")
    assert user_path("~0") == Path("~0")
