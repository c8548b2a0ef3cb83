"""Preview the Data panel alone.

``python -m workbench.gui.data [SOURCE] [--screenshot PNG]`` shows the panel with SOURCE loaded
(default ``synthetic:spirals``, which needs no files); with ``--screenshot`` it saves a picture
once the data is shown and exits (exit code 1 if loading failed).
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QTimer

from workbench.core.document import ExperimentDocument
from workbench.gui.app import make_application
from workbench.gui.context import AppContext
from workbench.gui.data.panel import DataPanel
from workbench.gui.session import DocumentSession


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.gui.data", description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default="synthetic:spirals", help="data source string")
    parser.add_argument("--screenshot", metavar="PNG", help="save the panel as an image and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    app = make_application()
    document = ExperimentDocument(name="Data preview")
    document.data.source = args.source
    session = DocumentSession(document)
    context = AppContext(session)
    panel = DataPanel(context)
    panel.setWindowTitle("Keras Workbench — Data panel preview")
    panel.resize(1280, 780)
    panel.show()
    status = {"code": 0}
    if args.screenshot:
        def save(*_args) -> None:
            # One turn of the event loop lets the views lay out before the grab.
            QTimer.singleShot(100, lambda: (panel.grab().save(args.screenshot), app.quit()))

        def failed(message: str) -> None:
            print(message, file=sys.stderr)
            status["code"] = 1
            save()

        panel.data_loaded.connect(save)
        panel.load_failed.connect(failed)
    panel.start_load()
    code = app.exec()
    context.pool.shutdown()
    return status["code"] or code


if __name__ == "__main__":
    sys.exit(main())
