"""One rendering to a file: the audio, written atomically, and its lyrics beside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stridebeat.prepare import Prepared
from stridebeat.render import render_to
from stridebeat.sinks.tags import Tags
from stridebeat.sinks.wav import AudioFileSink, write_text_atomically


def write_rendering(
    prepared: Prepared,
    output: Path,
    lyrics: bool = True,
    tags: Tags | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Render to ``output`` (atomically) and, when there are cues, ``output.lrc`` beside it."""
    from stridebeat.lyrics import lrc_path, lrc_text

    renderer = prepared.renderer
    rate = renderer.timeline.rate
    text = lrc_text(prepared.cues, rate, prepared.session.title) if prepared.cues else ""
    if tags is not None and lyrics:
        tags = Tags(tags.title, tags.album, tags.track, text, tags.artist)
    with AudioFileSink(output, rate, renderer.channels, tags) as sink:
        render_to(sink.write, renderer, progress, sink.pcm16)
        sink.commit()
    if text and lyrics:
        write_text_atomically(lrc_path(output), text)
