"""Preview the Playground alone: ``python -m workbench.gui.playground [RUNS_DIR | --demo]``.

``--demo`` writes one tiny run of each data kind into a temporary folder and shows those.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    from workbench.gui.app import make_application
    from workbench.gui.context import AppContext
    from workbench.gui.playground.panel import PlaygroundPanel
    from workbench.gui.session import DocumentSession

    app = make_application()
    session = DocumentSession()
    context = AppContext(session)
    if sys.argv[1:] == ["--demo"]:
        import tempfile

        from workbench.gui.playground.demo_runs import make_all

        folder = Path(tempfile.mkdtemp(prefix="playground-demo-"))
        make_all(folder)
        context.runs_dir = folder
    elif len(sys.argv) > 1:
        context.runs_dir = Path(sys.argv[1])
    panel = PlaygroundPanel(context)
    panel.setObjectName("playgroundPanel")
    panel.resize(1100, 720)
    panel.setWindowTitle("Playground — preview")
    panel.show()
    code = app.exec()
    context.pool.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
