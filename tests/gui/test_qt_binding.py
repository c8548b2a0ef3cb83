"""Guards against Qt binding releases with bugs that crash the app."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ticked = Signal(int)


def test_signal_emits_do_not_leak_references_to_true():
    # PySide6 6.12.0 returns True from emit() without a reference of its own; on Python 3.11
    # the interpreter aborts ("bool_dealloc") after a few thousand emits. pyproject excludes it.
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for i in range(5000):
        emitter.ticked.emit(i)
    assert abs(sys.getrefcount(True) - before) < 100
