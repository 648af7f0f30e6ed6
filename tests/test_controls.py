"""The controls' pure parts: the button map, the spoken status, where an asked phrase goes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.controls.buttons import parse_buttons
from stridebeat.controls.remote import ACTIONS, Remote
from stridebeat.controls.status import status_phrase
from stridebeat.engine.render import SpokenCue
from stridebeat.sinks.live_cues import LiveCues


def test_parse_buttons() -> None:
    assert parse_buttons("17:play-pause, 27:faster,,22:slower") == {
        17: "play-pause", 27: "faster", 22: "slower",
    }  # fmt: skip
    for bad, said in [("17", "the action is one of"), ("x:status", "GPIO pin"),
                      ("40:status", "0-27"), ("17:jump", "the action is one of"),
                      ("17:stop,17:status", "twice"), (",", "maps no pin")]:  # fmt: skip
        with pytest.raises(ValueError, match=said):  # noqa: PT011
            parse_buttons(bad)


def test_a_bad_buttons_option_is_bad_input(runner) -> None:  # type: ignore[no-untyped-def]
    from stridebeat.cli.app import cli

    result = runner.invoke(cli, ["play", "--spm", "170", "--buttons", "17:jump"])
    assert result.exit_code == 2 and "--buttons" in result.output
    result = runner.invoke(cli, ["play", "--spm", "170"], env={"STRIDEBEAT_NEXT_ACTION": "x"})
    assert result.exit_code == 2 and "STRIDEBEAT_NEXT_ACTION" in result.output


def status(seconds: float, length: float, cadence: float | None) -> SimpleNamespace:
    return SimpleNamespace(frame=round(seconds * 100), length=round(length * 100), rate=100,
                           cadence=cadence)  # fmt: skip


def test_status_phrase() -> None:
    assert status_phrase(status(725, 1920, 171.6), False) == (
        "Cadence 172. 12 minutes in, 20 minutes to go."
    )
    assert status_phrase(status(95, 10**6, 170), True) == "Cadence 170. 1 and a half minutes in."
    assert status_phrase(status(30, 60, None), False) == (
        "No beat now. 30 seconds in, 30 seconds to go."
    )


def test_the_remote_passes_actions_to_the_session_playing() -> None:
    asked: list[tuple[str, tuple[object, ...]]] = []

    class Session:
        def __getattr__(self, name: str) -> object:
            return lambda *args: asked.append((name, args))

        def status(self) -> SimpleNamespace:
            return SimpleNamespace(paused=False, **vars(status(60, 120, 170)))

    started: list[bool] = []
    remote = Remote(start=lambda: started.append(True))
    remote.do("play")  # nothing plays: standby starts a session
    assert started == [True] and remote.playback_status() == "Stopped"
    remote.attach(Session(), "run", endless=False)  # type: ignore[arg-type]
    assert remote.playback_status() == "Playing"
    for action in ACTIONS:
        remote.do(action)
    assert [name for name, _ in asked] == [
        "toggle_pause", "resume", "pause", "stop", "change_cadence", "change_cadence",
        "change_cadence", "change_cadence", "next_block", "speak", "toggle_cues", "stop",
    ]  # fmt: skip
    assert ("speak", ("Cadence 170. 1 minute in, 1 minute to go.",)) in asked
    with pytest.raises(ValueError):
        remote.do("rewind")
    assert started == [True]


cue_lists = st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 800)), max_size=8).map(
    lambda items: [SpokenCue(at, np.zeros(n, np.float32), "") for at, n in items]
)


@given(cue_lists, st.lists(st.tuples(st.integers(0, 6000), st.integers(1, 600)), max_size=4))
def test_an_asked_phrase_never_overlaps_a_cue(
    cues: list[SpokenCue], asked: list[tuple[int, int]]
) -> None:
    ordered = sorted(cues, key=lambda c: c.frame)
    spoken = [c for i, c in enumerate(ordered)  # the scripts' cues never overlap each other
              if all(c.frame >= o.frame + len(o.wave) for o in ordered[:i])]  # fmt: skip
    live = LiveCues(spoken)
    live.toggle_mute()  # muted cues are kept clear of too: they may come back
    placed = [live.ask(frame, SpokenCue(0, np.zeros(n, np.float32), "s")) for frame, n in asked]
    for (frame, _), phrase in zip(asked, placed, strict=True):
        assert phrase.frame >= frame
    everything = sorted(spoken + placed, key=lambda c: c.frame)
    for a, b in zip(everything, everything[1:], strict=False):
        assert a.frame + len(a.wave) <= b.frame
    assert live.mixed() == placed


def test_keys_name_the_same_actions() -> None:
    from stridebeat.controls.keys import key_bindings

    done: list[str] = []
    remote = Remote(quit=lambda: done.append("left standby"))
    remote.do = done.append  # type: ignore[method-assign]
    press = key_bindings(remote)
    for key in " +=-_cCsSqQx":
        press(key)
    assert done == ["play-pause", "faster", "faster", "slower", "slower", "cues", "cues",
                    "status", "status", "quit", "quit"]  # fmt: skip
