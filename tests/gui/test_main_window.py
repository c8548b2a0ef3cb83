"""The main window: panels, menus, documents, recent files, Keras loading off the GUI thread."""

import sys

from PySide6.QtCore import QSettings

from workbench.core.design.templates import load_template
from workbench.core.document import load_document, save_document
from workbench.gui.main_window import PANELS, MainWindow


def test_window_has_all_panels_and_the_runs_dock(main_window):
    tabs = main_window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [title for _, title in PANELS]
    for key, _ in PANELS:
        assert main_window.findChild(type(main_window.panels[key]), f"{key}Panel") is not None
    assert main_window.findChild(type(main_window.runs_dock), "runsDock").isVisible()
    menus = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert menus[:2] == ["File", "Edit"] and "Help" in menus
    assert main_window.backend_label.text() == "Loading TensorFlow…"


def test_new_from_template_menu_lists_templates(main_window):
    ids = [a.data() for a in main_window.new_menu.actions()]
    assert "imdb-dense" in ids
    action = next(a for a in main_window.new_menu.actions() if a.data() == "imdb-dense")
    action.trigger()
    assert main_window.session.document.template == "imdb-dense"
    assert "IMDB dense" in main_window.windowTitle()


def test_open_save_and_recent_files(main_window, tmp_path):
    path = tmp_path / "exp.kwb.json"
    save_document(load_template("imdb-dense"), path)
    assert main_window.open_file(str(path))
    assert main_window.session.path == path
    assert main_window.recent_files()[0] == str(path.resolve())
    main_window.session.edit("rename", "all", lambda d: setattr(d, "name", "renamed"))
    assert main_window.windowTitle().startswith("exp.kwb.json *")
    assert main_window.save()
    assert load_document(path).name == "renamed"
    assert not main_window.session.modified


def test_a_broken_file_keeps_the_open_document(main_window, tmp_path):
    main_window.new_from_template("imdb-dense")
    before = main_window.session.document.copy()
    bad = tmp_path / "broken.kwb.json"
    bad.write_bytes(b'{"format": "keras-workbench.experiment", "version": 1, "model": ')
    assert not main_window.open_file(str(bad))
    assert main_window.session.document == before
    assert "is not valid JSON" in main_window.statusBar().currentMessage()


def test_undo_and_redo_actions_follow_the_stack(main_window):
    session = main_window.session
    session.edit("rename", "all", lambda d: setattr(d, "name", "changed"))
    assert main_window.undo_action.isEnabled()
    main_window.undo_action.trigger()
    assert session.document.name != "changed"
    main_window.redo_action.trigger()
    assert session.document.name == "changed"


def test_autosave_and_recovery(qtbot, main_window):
    main_window.session.edit("rename", "all", lambda d: setattr(d, "name", "unsaved work"))
    main_window.autosave()
    second = MainWindow(load_keras=False, ask_to_save=False)
    qtbot.addWidget(second)
    recovered = second.recoverable_document()
    assert recovered is not None and recovered.name == "unsaved work"


def test_window_state_persists_in_qsettings(qtbot, main_window):
    main_window.tabs.setCurrentIndex(2)
    main_window.close()
    assert int(QSettings().value("window/tab")) == 2
    again = MainWindow(load_keras=False, ask_to_save=False)
    qtbot.addWidget(again)
    assert again.tabs.currentIndex() == 2


def test_keras_loads_in_the_background_and_updates_the_status_bar(qtbot):
    window = MainWindow(load_keras=False, ask_to_save=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.context.keras_ready, timeout=120_000) as blocker:
        window.start_loading_keras()
    info = blocker.args[0]
    assert info["backend"] == "tensorflow"
    assert "backend: tensorflow" in window.backend_label.text()
    assert "tensorflow" in sys.modules
    window.close()


def test_recovered_work_stays_modified_after_undo(qtbot, main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    main_window.session.edit("rename", "all", lambda d: setattr(d, "name", "unsaved work"))
    main_window.autosave()
    second = MainWindow(load_keras=False, ask_to_save=False)
    qtbot.addWidget(second)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    second.offer_recovery()
    session = second.session
    assert session.document.name == "unsaved work"
    assert session.modified and "*" in second.windowTitle()
    assert not second.undo_action.isEnabled()  # no fake "Recovered work" step to undo
    session.edit("rename again", "all", lambda d: setattr(d, "name", "edited"))
    second.undo_action.trigger()
    assert session.document.name == "unsaved work"
    assert session.modified  # closing would still ask to save the recovered work
