"""policylint.gcpause: the collector is paused in the block, restored after,
and what the outermost block made is frozen."""

from __future__ import annotations

import gc

import pytest

from policylint.gcpause import paused_gc


@pytest.fixture(autouse=True)
def _restore():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if was else gc.disable)()


def test_paused_inside_restored_after_and_frozen():
    gc.enable()
    gc.unfreeze()
    before = gc.get_freeze_count()
    with paused_gc():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not enable it again
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


def test_left_disabled_when_it_was_disabled():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_restored_when_the_block_raises():
    gc.enable()
    with pytest.raises(ValueError):
        with paused_gc():
            raise ValueError("boom")
    assert gc.isenabled()


def test_as_a_decorator():
    gc.enable()

    @paused_gc()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False and gc.isenabled()
