"""Entry script of the frozen bundle: the same ``workbench.cli:main`` as ``keras-workbench``.

With no arguments it opens the window; ``KerasWorkbench selftest …``, ``KerasWorkbench train …``
and ``KerasWorkbench FILE`` work as the installed command does.
"""

import os
import sys


def _guard_stdio() -> None:
    """Give a windowed build (no console: ``sys.stdout is None``) somewhere harmless to print.

    Without this, any ``print``, logging handler or progress bar (Keras' ``verbose=1``) raises
    ``AttributeError: 'NoneType' object has no attribute 'write'`` and kills the app.
    """
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115 - lives as long as the process


_guard_stdio()

if __name__ == "__main__":
    import multiprocessing

    # A worker process of a frozen app re-runs this script; freeze_support() turns it back into a worker.
    multiprocessing.freeze_support()

    from workbench.cli import main

    sys.exit(main())
