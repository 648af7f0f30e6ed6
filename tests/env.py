"""Facts about where the tests run, for modules that cannot import conftest."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IS_CI = os.environ.get("CI") == "true"
