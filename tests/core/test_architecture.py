"""Layering rules: core is Qt-free, and nothing on the start-up path imports TensorFlow."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT

BLOCK_QT = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is blocked in this test: ' + name)
sys.meta_path.insert(0, Block())
"""


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_every_core_module_imports_without_qt_or_tensorflow():
    code = BLOCK_QT + """
import pkgutil, importlib, json, workbench.core
names = [m.name for m in pkgutil.walk_packages(workbench.core.__path__, 'workbench.core.')]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "tf": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}))
"""
    result = _run(code)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert "workbench.core.document" in facts["modules"]
    assert not facts["tf"], "a core module imports TensorFlow at module level"
    assert not facts["keras"], "a core module imports Keras at module level"


def test_gui_and_cli_import_without_tensorflow():
    code = """
import sys, pkgutil, importlib, json, workbench.gui, workbench.cli
names = [m.name for m in pkgutil.walk_packages(workbench.gui.__path__, 'workbench.gui.')
         if not m.name.endswith('__main__')]
for name in names:
    importlib.import_module(name)
print(json.dumps({"tf": "tensorflow" in sys.modules, "keras": "keras" in sys.modules}))
"""
    result = _run(code)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {"tf": False, "keras": False}


def test_a_users_keras_json_cannot_switch_the_backend(tmp_path):
    import os

    (tmp_path / "keras.json").write_text('{"backend": "jax", "floatx": "float32"}')
    env = {**os.environ, "KERAS_HOME": str(tmp_path)}
    env.pop("KERAS_BACKEND", None)
    env.pop("WORKBENCH_KERAS_BACKEND", None)
    result = subprocess.run(
        [sys.executable, "-c", "from workbench.core.kerasenv import backend_name; print(backend_name())"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "tensorflow"
