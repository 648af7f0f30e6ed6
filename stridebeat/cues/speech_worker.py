"""Child process that runs pyttsx3, so its crashes, hangs and prints stay out of stridebeat.

``stridebeat.cues.speech_engines`` starts it with this file's path (it imports nothing from
stridebeat), sends one JSON request on stdin and reads one JSON answer from stdout:

- ``{"op": "voices"}`` → ``{"voices": [{"id": ..., "name": ..., "languages": [...]}, ...]}``
- ``{"op": "say", "text": ..., "voice": id or null, "rate_wpm": 175, "out": path}`` →
  ``{"ok": true}`` once the audio file is written.

A failure answers ``{"error": message}`` and exits 1. One phrase per process: pyttsx3's
espeak driver drifts between calls in one process and once wrote an empty file on a second
call, while its first call in a fresh process is deterministic.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, BinaryIO


def _voices(engine: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": str(voice.id),
            "name": str(voice.name),
            "languages": [_text(lang) for lang in (voice.languages or [])],
        }
        for voice in engine.getProperty("voices")
    ]


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00\x05 ")
    return str(value)


def _say(engine: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("voice"):
        engine.setProperty("voice", request["voice"])
    # The rate does not always stick on the first set.
    engine.setProperty("rate", int(request["rate_wpm"]))
    engine.setProperty("rate", int(request["rate_wpm"]))
    engine.save_to_file(str(request["text"]), str(request["out"]))
    engine.runAndWait()
    return {"ok": True}


def _answer(stream: BinaryIO, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message).encode("utf-8"))
    stream.flush()


def main() -> int:
    answer = os.fdopen(os.dup(1), "wb")
    # pyttsx3 prints "Audio saved to ..." and libespeak may write to fd 1: send both to stderr.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        import pyttsx3

        engine = pyttsx3.init()
        op = request.get("op")
        if op == "voices":
            _answer(answer, {"voices": _voices(engine)})
        elif op == "say":
            _answer(answer, _say(engine, request))
        else:
            raise ValueError(f"unknown request {op!r}")
    except Exception as exc:  # everything is reported to the parent, which decides
        _answer(answer, {"error": f"{type(exc).__name__}: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
