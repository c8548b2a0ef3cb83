"""Preview the Runs panel alone.

``python -m workbench.gui.runs [--runs DIR] [--screenshot PNG]`` lists DIR (default: the user's runs
folder) with the newest runs selected for comparison; with ``--screenshot`` it saves a picture and exits.
"""

from __future__ import annotations

import argparse
import sys

from workbench.core.document import ExperimentDocument
from workbench.gui.app import make_application
from workbench.gui.context import AppContext
from workbench.gui.runs.panel import RunsPanel
from workbench.gui.session import DocumentSession


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.gui.runs", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", metavar="DIR", help="runs folder (default: the user data folder)")
    parser.add_argument("--screenshot", metavar="PNG", help="save the panel as an image and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    app = make_application()
    context = AppContext(DocumentSession(ExperimentDocument(name="Runs preview")))
    if args.runs:
        context.runs_dir = args.runs
    panel = RunsPanel(context)
    panel.setWindowTitle("Keras Workbench — Runs panel preview")
    panel.resize(1000, 720)
    panel.show()
    panel.select_runs([r for r, record in panel.records.items() if record.readable][:3])
    if args.screenshot:
        # No event loop: a quit() would also end any later event loop of a shared QApplication.
        app.processEvents()
        ok = panel.grab().save(args.screenshot)
        panel.close()
        panel.deleteLater()
        return 0 if ok else 1
    code = app.exec()
    panel.close()
    panel.deleteLater()
    return code


if __name__ == "__main__":
    sys.exit(main())
