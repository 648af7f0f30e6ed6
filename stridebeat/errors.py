"""The exceptions stridebeat raises; the CLI maps them to exit codes.

Exit code 2 means something the user gave is wrong (an option, a file); exit code 1 means
the environment failed (disk, sound device, speech engine).
"""

from __future__ import annotations


class StridebeatError(Exception):
    """Base class of every error stridebeat reports to the user."""

    exit_code = 1


class InputError(StridebeatError):
    """A value or file the user gave is wrong."""

    exit_code = 2


class FileInputError(InputError):
    """A file the user gave is wrong at a known place (file:line)."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class SoundError(InputError):
    """A click sound cannot be used (unreadable, empty, too long)."""


class OutputError(StridebeatError):
    """The output file cannot be written (folder not writable, disk full)."""


class DeviceError(StridebeatError):
    """No sound output can be opened (no device, no PortAudio library)."""


class SpeechUnavailable(StridebeatError):
    """No speech engine works on this machine (none installed, or each fails to start)."""


class SpeechFailed(StridebeatError):
    """A phrase could not be spoken by any engine, even after retries."""


class ControlUnavailable(StridebeatError):
    """A remote control cannot be offered (no D-Bus session bus, no GPIO pins)."""
