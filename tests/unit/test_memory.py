"""The digest pauses the cyclic garbage collector only for its burst, and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from circleback.services.memory import cyclic_gc_paused


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_is_restored_after_an_error_and_never_enabled_if_it_was_off() -> None:
    with pytest.raises(ValueError), cyclic_gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
