"""Write a benchmark's section into BENCHMARKS.md, between its markers."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def write_section(block: str, begin: str, end: str, write: bool = True, path: Path = BENCHMARKS) -> None:
    """Print ``block``; unless ``write`` is False, also replace the text between
    ``begin`` and ``end`` (markers included, and ``block`` must hold them) with
    it, or append it when the markers are absent."""
    print(block)
    if not write:
        return
    text = path.read_text() if path.exists() else "# Benchmarks\n\nRun by hand; see each script's docstring.\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
