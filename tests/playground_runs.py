"""Tiny finished runs of every data kind for Playground tests (see workbench.gui.playground.demo_runs)."""

from workbench.gui.playground.demo_runs import (  # noqa: F401
    make_all,
    make_char_run,
    make_image_run,
    make_points_run,
    make_table_run,
    make_text_run,
)
