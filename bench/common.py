"""What the benchmark scripts share: the stridebeat command, its environment, report tables.

``render.py``, ``export.py`` and ``live.py`` import it as ``common``: run as
``python bench/X.py``, their own folder is first on ``sys.path``; run as ``python -m bench.X``,
they put it there before the import.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

# No STRIDEBEAT_SOUND / _VOLUME / _SAMPLE_RATE (or any other STRIDEBEAT_* setting) from the
# caller: measure the defaults.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("STRIDEBEAT_")}
# The measured commands run as an installed stridebeat does: pip byte-compiles a package when
# it installs it, so the commands may write (and then reuse) bytecode even where the caller
# has PYTHONDONTWRITEBYTECODE set; otherwise every run would compile stridebeat afresh.
MEASURED_ENV = {k: v for k, v in CLEAN_ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}

# ru_maxrss of a child forked from this (large) Python process and then exec'd keeps the
# parent's RSS at the fork as a floor, so os.wait4 would report at least our own ~30-50 MiB
# for any tool. GNU time forks from a small process and reports the command's own peak.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class BenchError(Exception):
    """A measured command, or something else the benchmark needs, failed or gave an
    unexpected result."""


def stridebeat_exe() -> str:
    beside = Path(sys.executable).parent / "stridebeat"
    found = str(beside) if beside.exists() else shutil.which("stridebeat")
    if found is None:
        raise BenchError("no stridebeat executable: install the project into the venv first")
    return found


def cache_state(folder: Path) -> dict[str, int]:
    """Each cached phrase file and its modification time, in ns."""
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# --- reporting -----------------------------------------------------------------------------


class Timed(Protocol):
    """A timed run: each script's own ``Run``."""

    @property
    def seconds(self) -> float: ...


def median_s(runs: Sequence[Timed]) -> float:
    return statistics.median(r.seconds for r in runs)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def section(title: str) -> None:
    print(f"\n== {title} ==")
