"""--device: a number, a "name, host API" or words of it, matched as sounddevice matches them."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.errors import InputError
from stridebeat.sinks.devices import OutputDevice, find_device, match_device, output_devices

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]
JACK = "system, JACK Audio Connection Kit"

LAPTOP = [
    OutputDevice(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", "ALSA", 2, 48000),
    OutputDevice(1, "HDA Intel PCH: HDMI 0 (hw:0,3)", "ALSA", 8, 48000),
    OutputDevice(4, "pulse", "ALSA", 32, 44100),
    OutputDevice(5, "default", "ALSA", 32, 44100, is_default=True),
    OutputDevice(7, "system", "JACK Audio Connection Kit", 2, 48000),
    OutputDevice(8, "system", "ALSA", 2, 48000),
]


@pytest.mark.parametrize(
    ("wanted", "index"),
    [
        ("7", 7),  # a number
        (JACK, 7),  # "name, host API" as python -m sounddevice prints it
        ("System, JACK Audio Connection Kit", 7),  # case does not matter
        ("jack", 7),  # part of it
        ("system jack", 7),  # words in order
        ("system, ALSA", 8),
        ("ALC257", 0),
        ("hdmi", 1),
        ("pulse", 4),
        ("default", 5),
    ],
)
def test_a_device_is_found_by_number_name_and_host_api_or_words(wanted: str, index: int) -> None:
    assert match_device(wanted, LAPTOP).index == index


@pytest.mark.parametrize(
    ("wanted", "listed"),
    [
        ("system", ["7: system, JACK Audio Connection Kit", "8: system, ALSA"]),
        ("hda intel", ["0: HDA Intel PCH: ALC257", "1: HDA Intel PCH: HDMI 0"]),
    ],
)
def test_an_ambiguous_device_lists_the_candidates(wanted: str, listed: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        match_device(wanted, LAPTOP)
    message = str(caught.value)
    assert f"{wanted!r} matches 2 output devices" in message
    assert all(item in message for item in listed)
    assert '"name, host API"' in message


@pytest.mark.parametrize("wanted", ["earbuds", "jack system", "3", "analog hda"])
def test_no_match_lists_every_device(wanted: str) -> None:
    with pytest.raises(InputError) as caught:
        match_device(wanted, LAPTOP)
    message = str(caught.value)
    assert f"no output device matches {wanted!r}" in message
    assert all(f"{d.index}: {d.full_name}" in message for d in LAPTOP)
    assert "stridebeat render" in message


def test_an_exact_name_settles_a_tie() -> None:
    devices = [
        OutputDevice(0, "USB", "ALSA", 2, 48000),
        OutputDevice(1, "USB DAC", "ALSA", 2, 48000),
    ]
    assert match_device("usb", devices).index == 0  # "usb" is in both; one is named exactly that
    assert match_device("usb dac", devices).index == 1


# --- the same answers as sounddevice ----------------------------------------------------------

WORDS = st.sampled_from(["system", "jack", "usb", "dac", "hw:0", "analog", "alsa", "a", "s"])
NAMES = st.lists(WORDS, min_size=1, max_size=3).map(" ".join)
APIS = st.sampled_from(["ALSA", "JACK Audio Connection Kit", "OSS"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(NAMES, APIS), min_size=1, max_size=6),
    st.lists(st.sampled_from(["system", "jack", "usb", "dac", "alsa", "a", ",", "kit", "s"]),
             min_size=1, max_size=3),
)  # fmt: skip
def test_the_choice_is_sounddevices_own(devices: list[tuple[str, str]], words: list[str]) -> None:
    """For any device list and query, the same device as sounddevice picks, or both refuse."""
    import sounddevice as sd

    query = " ".join(words).replace(" , ", ", ")
    ours = [OutputDevice(i, name, api, 2, 48000) for i, (name, api) in enumerate(devices)]
    apis = sorted({api for _, api in devices})
    infos = [
        {"name": name, "hostapi": apis.index(api), "max_output_channels": 2}
        for name, api in devices
    ]

    def query_devices() -> list[dict[str, Any]]:
        return infos

    def query_hostapis(index: int) -> dict[str, str]:
        return {"name": apis[index]}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sd, "query_devices", query_devices)
        patch.setattr(sd, "query_hostapis", query_hostapis)
        try:
            theirs: int | None = sd._get_device_id(query, "output", raise_on_error=True)
        except ValueError:
            theirs = None
    try:
        mine: int | None = match_device(query, ours).index
    except InputError:
        mine = None
    assert mine == theirs


# --- the real device list of a JACK server ----------------------------------------------------


def test_jack_devices_match_as_in_sounddevice(jack_server: str) -> None:
    import sounddevice as sd

    devices = output_devices()
    assert JACK in [d.full_name for d in devices]
    for wanted in (
        JACK,
        "system",
        "SYSTEM",
        "jack",
        "system jack",
        "Connection Kit",
        "system, jack",
    ):
        assert find_device(wanted).index == sd.query_devices(wanted, "output")["index"]
    with pytest.raises(InputError, match=f"Available: .*{JACK}"):
        find_device("system, ALSA")


def test_play_accepts_the_name_and_host_api_form(jack_server: str) -> None:
    listed = subprocess.run([*STRIDEBEAT, "devices"], capture_output=True, text=True)
    assert JACK in listed.stdout
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "1s", "--no-speech", "--device", JACK],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Playing on system at 48000 Hz" in result.stdout


def test_a_device_that_matches_nothing_is_bad_input(jack_server: str) -> None:
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--device", "earbuds, Bluetooth"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no output device matches 'earbuds, Bluetooth'" in result.stderr
    assert JACK in result.stderr and "Traceback" not in result.stderr


def test_a_device_from_config_toml(jack_server: str, _app_home: Any) -> None:
    (_app_home / "config.toml").write_text(f'[play]\ndevice = "{JACK}"\n')
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "1s", "--no-speech"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Playing on system" in result.stdout


def test_a_missing_device_in_config_toml_or_the_environment_is_blamed_there(
    jack_server: str, _app_home: Any
) -> None:
    (_app_home / "config.toml").write_text('sound = "beep"\ndevice = "earbuds"\n')
    result = subprocess.run([*STRIDEBEAT, "play", "--spm", "170"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "config.toml:2: device: no output device matches 'earbuds'" in result.stderr
    env = {**os.environ, "STRIDEBEAT_DEVICE": "headphones"}
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2 and "STRIDEBEAT_DEVICE" in result.stderr
    assert "no output device matches 'headphones'" in result.stderr


def test_no_device_at_all_is_an_environment_failure_whatever_was_asked() -> None:
    env = {
        **os.environ,
        "JACK_DEFAULT_SERVER": "stridebeat-no-such-server",
        "JACK_NO_START_SERVER": "1",
    }
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "5s", "--device", JACK],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "no sound output device" in result.stderr and "Traceback" not in result.stderr
