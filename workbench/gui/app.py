"""Starting the window: the QApplication, organisation names for QSettings, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

APP_NAME = "Keras Workbench"
ORG_NAME = "KerasWorkbench"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with the names QSettings files its settings under."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    from workbench.gui.icons import app_icon

    app.setWindowIcon(app_icon())
    assert isinstance(app, QApplication)
    return app


def run_app(file: str | None = None) -> int:
    """Open the window (and ``file``), run the event loop, return its exit code."""
    app = make_application()
    from workbench.core.paths import fallback_notes
    from workbench.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if file:
        window.open_file(file)
    else:
        window.offer_recovery()
    for note in fallback_notes():
        window.statusBar().showMessage(note)
    return app.exec()


def main() -> int:
    """Entry point of the ``keras-workbench-gui`` launcher (no console window)."""
    return run_app(sys.argv[1] if len(sys.argv) > 1 else None)
