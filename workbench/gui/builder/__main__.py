"""Preview the Builder panel alone: ``python -m workbench.gui.builder [TEMPLATE] [--screenshot PNG]``."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtGui import QKeySequence, QShortcut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.gui.builder", description=__doc__)
    parser.add_argument("template", nargs="?", default="imdb-dense", help="template id (default imdb-dense)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the panel and exit")
    args = parser.parse_args(argv)

    from workbench.core.design.templates import load_template
    from workbench.gui.app import make_application
    from workbench.gui.builder.panel import BuilderPanel
    from workbench.gui.context import AppContext
    from workbench.gui.session import DocumentSession

    app = make_application()
    session = DocumentSession(load_template(args.template))
    context = AppContext(session)
    panel = BuilderPanel(context)
    panel.setObjectName("builderPanel")
    panel.setWindowTitle(f"Builder preview — {args.template}")
    # The main window owns Undo/Redo; give the preview the same keys.
    QShortcut(QKeySequence.StandardKey.Undo, panel, session.undo_stack.undo)
    QShortcut(QKeySequence.StandardKey.Redo, panel, session.undo_stack.redo)
    context.status_message.connect(lambda text: print(text, file=sys.stderr))
    panel.resize(1280, 760)
    panel.show()
    if args.screenshot:
        app.processEvents()
        panel.grab().save(args.screenshot)
        context.pool.shutdown()
        return 0
    code = app.exec()
    context.pool.shutdown()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
