"""Preview the Train panel alone.

``python -m workbench.gui.train [TEMPLATE] [--epochs N] [--screenshot PNG]`` shows the panel with
a template (default ``circles-mlp``, which needs no files) and starts training once TensorFlow has
loaded; with ``--screenshot`` it saves a picture when the run ends and exits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from PySide6.QtCore import QObject, QTimer, Slot

from workbench.core.design.templates import load_template
from workbench.gui.app import make_application
from workbench.gui.context import AppContext
from workbench.gui.main_window import load_keras_info
from workbench.gui.session import DocumentSession
from workbench.gui.train.panel import TrainPanel
from workbench.gui.workers import Worker


class _KerasRelay(QObject):
    """A GUI-thread receiver: a bound slot makes the worker's signal a queued connection."""

    def __init__(self, context: AppContext, panel: TrainPanel):
        super().__init__(panel)
        self.context, self.panel = context, panel

    @Slot(object)
    def loaded(self, info: dict) -> None:
        self.context.keras_ready.emit(info)
        self.panel.start_training()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.gui.train", description=__doc__.splitlines()[0])
    parser.add_argument("template", nargs="?", default="circles-mlp", help="template id")
    parser.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    parser.add_argument("--runs", metavar="DIR", help="runs folder (default: a temporary folder)")
    parser.add_argument("--screenshot", metavar="PNG", help="save the panel after training and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    app = make_application()
    document = load_template(args.template)
    if args.epochs:
        document.training.epochs = args.epochs
    context = AppContext(DocumentSession(document))
    context.runs_dir = args.runs or tempfile.mkdtemp(prefix="workbench-train-preview-")
    panel = TrainPanel(context)
    panel.setWindowTitle("Keras Workbench — Train panel preview")
    panel.resize(1280, 820)
    panel.show()
    status = {"code": 0}

    def save(*_args) -> None:
        if args.screenshot:
            QTimer.singleShot(150, lambda: (panel.grab().save(args.screenshot), app.quit()))

    def failed(message: str) -> None:
        print(message, file=sys.stderr)
        status["code"] = 1
        save()

    panel.training_finished.connect(save)
    panel.training_failed.connect(failed)
    loader = Worker(load_keras_info, name="keras-loader")
    relay = _KerasRelay(context, panel)
    loader.finished.connect(relay.loaded)
    context.pool.start(loader)
    code = app.exec()
    panel.shutdown()
    context.pool.shutdown()
    return status["code"] or code


if __name__ == "__main__":
    sys.exit(main())
