"""The packaging files stay valid without building: the real PyInstaller build is not in CI.

``packaging/check.sh`` builds the bundle and smoke-tests it before a release; these tests only
keep the spec, the build script and the entry script from rotting in between.
"""

import importlib.util
import os
import subprocess
import sys
import tarfile
import tomllib

import pytest

import workbench
from tests.conftest import REPO_ROOT

PACKAGING = REPO_ROOT / "packaging"
SPEC = PACKAGING / "keras_workbench.spec"
BUILD = PACKAGING / "build.py"
ENTRY = PACKAGING / "entry.py"


@pytest.fixture(scope="module")
def build_module():
    spec = importlib.util.spec_from_file_location("kwb_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", [SPEC, BUILD, ENTRY], ids=lambda p: p.name)
def test_packaging_scripts_compile(path):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_spec_freezes_the_cli_entry_point_with_resources():
    text = SPEC.read_text(encoding="utf-8")
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["keras-workbench"] == "workbench.cli:main"
    assert f'ENTRY_POINT = "{scripts["keras-workbench"]}"' in text
    assert 'ENTRY_SCRIPT = SPEC_DIR / "entry.py"' in text
    assert 'collect_data_files("workbench.resources")' in text
    assert 'collect_submodules("workbench"' in text  # cli._capability imports commands by name
    assert "exclude_binaries=True" in text  # one-folder, not one-file
    assert 'APP_NAME = "KerasWorkbench"' in text
    for unused in ("PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtMultimedia", "PySide6.QtPdf",
                   "PySide6.QtQuick", "keras.src.backend.jax", "keras.src.backend.torch", "tensorboard"):
        assert f'"{unused}"' in text, unused


def test_entry_script_runs_workbench_cli_main():
    text = ENTRY.read_text(encoding="utf-8")
    assert "from workbench.cli import main" in text
    assert "sys.exit(main())" in text


def test_entry_script_calls_freeze_support_before_the_cli():
    # Sweeps start trial processes with multiprocessing "spawn": in a frozen app each child re-runs
    # this script, and only freeze_support() (called before the CLI is imported or run) turns it
    # back into a worker instead of opening a second window.
    text = ENTRY.read_text(encoding="utf-8")
    call = "multiprocessing.freeze_support()"
    assert call in text
    assert text.index(call) < text.index("from workbench.cli import main") < text.index("sys.exit(main())")
    main_guard = text.index('if __name__ == "__main__":')
    assert main_guard < text.index(call)


def test_build_script_uses_a_clean_cpu_venv_and_installs_the_project(build_module):
    requirements = (PACKAGING / "build-requirements.txt").read_text(encoding="utf-8")
    names = [line.split("=")[0].split(">")[0].strip().lower() for line in requirements.splitlines()
             if line.strip() and not line.startswith("#")]
    assert {"tensorflow-cpu", "keras", "pyside6-essentials", "pyqtgraph", "platformdirs", "numpy",
            "pyinstaller"} <= set(names)
    assert not {"tensorflow", "pyside6", "jax", "torch"} & set(names)
    assert build_module.SPEC == SPEC and SPEC.is_file()
    assert build_module.REQUIREMENTS.is_file()
    assert build_module.ICON_SVG.is_file()
    assert build_module.project_version() == workbench.__version__
    text = BUILD.read_text(encoding="utf-8")
    assert '"--no-deps"' in text and "copy_sources" in text  # non-editable, without full TF/PySide6


def test_resources_ship_as_the_workbench_resources_package():
    setup = (REPO_ROOT / "setup.py").read_text(encoding="utf-8")
    assert 'package_dir={"workbench.resources": "resources"}' in setup
    assert (REPO_ROOT / "resources" / "__init__.py").is_file()
    assert (REPO_ROOT / "resources" / "icons" / "keras-workbench.svg").is_file()


def test_copy_sources_and_archive(build_module, tmp_path, monkeypatch):
    copied = build_module.copy_sources(tmp_path / "src")
    assert (copied / "workbench" / "cli.py").is_file()
    assert (copied / "resources" / "icons" / "keras-workbench.svg").is_file()
    assert not list(copied.rglob("__pycache__"))

    dist = tmp_path / "dist"
    (dist / "KerasWorkbench" / "_internal").mkdir(parents=True)
    (dist / "KerasWorkbench" / "KerasWorkbench").write_bytes(b"\x7fELF")
    (dist / "KerasWorkbench" / "_internal" / "lib.so").write_bytes(b"x" * 1000)
    os.symlink("_internal/lib.so", dist / "KerasWorkbench" / "lib.so")
    assert build_module.folder_size(dist / "KerasWorkbench") == 4 + 1000 + len("_internal/lib.so")

    monkeypatch.setattr(build_module.sys, "platform", "linux")
    monkeypatch.setattr(build_module.platform, "machine", lambda: "x86_64")
    archive = build_module.make_archive(dist, "9.8.7")
    assert archive.name == "KerasWorkbench-9.8.7-linux-x86_64.tar.gz"
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert "KerasWorkbench/KerasWorkbench" in members
    assert members["KerasWorkbench/lib.so"].issym()


def _run_entry(tmp_path, argv: list[str], run_name: str) -> subprocess.CompletedProcess:
    """Run packaging/entry.py the way a windowed build does: with no stdout or stderr at all."""
    code = (
        "import os, sys, runpy\n"
        "sys.stdin = sys.stdout = sys.stderr = None\n"
        f"sys.argv = ['KerasWorkbench', *{argv!r}]\n"
        "status = 0\n"
        "try:\n"
        f"    runpy.run_path({str(ENTRY)!r}, run_name={run_name!r})\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        f"with open({str(tmp_path / 'report.txt')!r}, 'w') as report:\n"
        "    sys.stdout.write('still writable')\n"
        "    report.write(f'{status} {sys.stdout.name} {sys.stderr.name} {sys.stdin.name}')\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})


def test_entry_script_survives_a_windowed_build_without_stdio(tmp_path):
    result = _run_entry(tmp_path, ["templates", "--json"], run_name="__main__")
    assert result.returncode == 0, result.stderr
    status, *streams = (tmp_path / "report.txt").read_text().split()
    assert status == "0"
    assert streams == [os.devnull] * 3


def test_docs_explain_the_build():
    text = (REPO_ROOT / "docs" / "packaging.md").read_text(encoding="utf-8")
    for needle in ("python packaging/build.py", "packaging/check.sh", "install-desktop"):
        assert needle in text
