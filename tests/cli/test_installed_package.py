"""The installed package works from outside the checkout: its console script and its package data.

CI runs ``python -m pytest`` from the repository root, where ``./workbench`` is importable and
shadows the installed package, so every other test would pass even with a broken entry point or
missing package data. These tests run from ``tmp_path`` instead, so Python imports what pip
installed. (In the dev venv that is an editable install pointing back here, which is fine: the
entry point and the ``workbench.resources`` package-data mapping are still what is checked.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

CONSOLE_SCRIPT = Path(sys.executable).parent / "keras-workbench"
CHECKOUT_TEMPLATES = {p.stem for p in (REPO_ROOT / "resources" / "templates").glob("*.json")}


def _outside_env() -> dict[str, str]:
    """This test's environment (isolated user folders) without anything that points at the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def test_installed_console_script_lists_templates(tmp_path):
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"no installed console script at {CONSOLE_SCRIPT}: install the project "
                    "(pip install -e . or pip install .) into this interpreter's environment")
    proc = subprocess.run([str(CONSOLE_SCRIPT), "templates", "--json"], check=False, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=_outside_env())
    assert proc.returncode == 0, f"keras-workbench templates --json exited {proc.returncode}:\n{proc.stderr[-2000:]}"
    templates = json.loads(proc.stdout)
    assert isinstance(templates, list) and templates, "no templates listed"
    assert all({"id", "name", "description"} <= set(t) for t in templates)
    assert CHECKOUT_TEMPLATES <= {t["id"] for t in templates}


CHECK_RESOURCES = """
import importlib.resources, json, workbench
root = importlib.resources.files("workbench.resources")
print(json.dumps({
    "workbench": workbench.__file__,
    "icon": (root / "icons" / "keras-workbench.svg").is_file(),
    "templates": sorted(p.name for p in (root / "templates").iterdir() if p.name.endswith(".json")),
}))
"""


def test_installed_package_ships_icon_and_templates(tmp_path):
    proc = subprocess.run([sys.executable, "-c", CHECK_RESOURCES], check=False, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=_outside_env())
    assert proc.returncode == 0, f"importing the installed workbench.resources failed:\n{proc.stderr[-2000:]}"
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    # Imported from site-packages or the editable install's mapping, never from the test's cwd.
    assert not Path(found["workbench"]).is_relative_to(tmp_path)
    assert found["icon"], "workbench.resources has no icons/keras-workbench.svg"
    assert CHECKOUT_TEMPLATES and {f"{name}.json" for name in CHECKOUT_TEMPLATES} <= set(found["templates"])
