"""Keeping Python's cyclic garbage collector out of the way while the large,
long-lived structures of a snapshot are built.

Loading a snapshot and building its principal graph allocate millions of
long-lived objects (policy models, prepared statements, graph nodes and
edges) and almost no reference cycles. Left alone, the collector walks every
object already alive again and again as allocations pile up: on a
10,000-role snapshot about 40% of the time went to collections that freed
nothing, and merely pausing the collector only postponed a pass over
everything (2.8 s) to the next allocation after the pause
(``benchmarks/snapshot.py``).

So :func:`paused_gc` disables automatic collection in its block and, when
the outermost block ends, moves every tracked object to the permanent
generation (``gc.freeze``), where no later collection scans it. Memory use is
not affected: objects are still freed by reference counting as soon as they
are no longer used. The one cost: a reference cycle among frozen objects that
becomes garbage is not reclaimed (until ``gc.unfreeze()``), which suits the
snapshot, graph and answers these blocks make. A long-running program that
loads many snapshots can call ``gc.unfreeze()`` and ``gc.collect()``.

Source: Python documentation, *gc — Garbage Collector interface*
(``gc.disable``, ``gc.enable``, ``gc.isenabled``, ``gc.freeze``).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused_gc"]

_depth = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable automatic cyclic collection inside the ``with`` block (or the
    decorated function: ``@paused_gc()``), then freeze what exists.

    Nested uses are safe: only the outermost block freezes, and the
    collector is enabled again on leaving it only when it was enabled on
    entering, also when the block raises.
    """
    global _depth
    was_enabled = gc.isenabled()
    gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.freeze()
            if was_enabled:
                gc.enable()
