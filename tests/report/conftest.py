"""The report tests live in two rooms, as the code does (pages/, publish/), and share builders.

pytest's default import mode puts each test file's own folder on ``sys.path``; the builders of
fixture frames (``test_views``), reports (``test_quarter``) and stores (``test_notebooks``) are
imported across the rooms, so all three folders are put there once, here.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "pages", HERE / "publish"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
