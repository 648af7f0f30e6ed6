"""Push buttons on a Raspberry Pi's GPIO pins (the optional extra ``stridebeat[pi]``).

Each button connects a pin to ground (the pin's pull-up holds it high otherwise); a press
asks the remote for the action the runner mapped to that pin.
"""

from __future__ import annotations

from collections.abc import Callable

from stridebeat.controls.remote import Remote
from stridebeat.errors import ControlUnavailable

BUTTON_ACTIONS = ("play-pause", "faster", "slower", "status", "stop", "next-block", "cues")
BOUNCE_SECONDS = 0.05  # a press closes the contact a few times within this


def parse_buttons(text: str) -> dict[int, str]:
    """``17:play-pause,27:faster`` to {17: "play-pause", 27: "faster"} (BCM pin numbers).

    >>> parse_buttons("17:play-pause, 27:faster,22:slower")
    {17: 'play-pause', 27: 'faster', 22: 'slower'}
    """
    mapped: dict[int, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        pin_text, _, action = item.partition(":")
        action = action.strip()
        if not pin_text.strip().isdigit() or not 0 <= int(pin_text) <= 27:
            raise ValueError(f"{item!r}: give a GPIO pin 0-27, a colon, an action: 17:status")
        if action not in BUTTON_ACTIONS:
            raise ValueError(f"{item!r}: the action is one of {', '.join(BUTTON_ACTIONS)}")
        pin = int(pin_text)
        if pin in mapped:
            raise ValueError(f"pin {pin} is given twice")
        mapped[pin] = action
    if not mapped:
        raise ValueError(f"{text!r} maps no pin: give e.g. 17:play-pause,27:faster")
    return mapped


class Buttons:
    """While open, a press on each mapped pin asks ``remote`` for its action."""

    def __init__(self, pins: dict[int, str], remote: Remote) -> None:
        try:
            from gpiozero import Button
            from gpiozero.exc import GPIOZeroError
        except ImportError:
            raise ControlUnavailable(
                "--buttons needs gpiozero: pip install 'stridebeat[pi]'"
            ) from None
        self._buttons: list[Button] = []
        try:
            for pin, action in pins.items():
                button = Button(pin, bounce_time=BOUNCE_SECONDS)
                button.when_pressed = _asking(remote, action)
                self._buttons.append(button)
        except (GPIOZeroError, OSError) as exc:
            self.close()
            raise ControlUnavailable(f"cannot use GPIO pins for --buttons: {exc}") from None

    def close(self) -> None:
        for button in self._buttons:
            button.close()
        self._buttons.clear()

    def __enter__(self) -> Buttons:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _asking(remote: Remote, action: str) -> Callable[[], None]:
    def pressed() -> None:
        remote.do(action)

    return pressed
