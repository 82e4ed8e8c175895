"""Write a benchmark's section into BENCHMARKS.md, between its markers."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def write_section(block: str, begin: str, end: str, path: Path = BENCHMARKS) -> None:
    """Replace the text between ``begin`` and ``end`` (markers included, and
    ``block`` must hold them) with ``block``; append it when the markers are absent."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\nRun by hand; see each script's docstring.\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
