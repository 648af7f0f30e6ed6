"""``stridebeat`` and ``python -m stridebeat``: Ctrl-C while the command is still loading
ends it quietly (exit 130), not with a traceback from whatever module was being imported."""

from __future__ import annotations


def main() -> None:
    try:
        from stridebeat.cli.app import main as run
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
