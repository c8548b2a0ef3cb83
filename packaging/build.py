"""Build the one-folder Keras Workbench bundle and its archive: ``python packaging/build.py``.

Steps: a clean virtual environment (reused while ``build-requirements.txt`` is unchanged) with
``tensorflow-cpu`` and ``pyside6-essentials`` and no other Qt binding, JAX or PyTorch; the
project installed into it non-editable; PyInstaller on ``keras_workbench.spec`` (one folder,
binaries stripped); then ``dist/KerasWorkbench-<version>-<os>-<arch>.tar.gz`` (``.zip`` off
Linux). Figures (build time, folder and archive size) go to ``dist/build-info.json``.

Runs with any Python 3.11+; it never imports the project or its dependencies itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "keras_workbench.spec"
REQUIREMENTS = PACKAGING / "build-requirements.txt"
ICON_SVG = REPO / "resources" / "icons" / "keras-workbench.svg"
APP_NAME = "KerasWorkbench"
DEFAULT_VENV = Path(tempfile.gettempdir()) / "kwb-build-venv"

# Distributions that must never reach the bundle: a second Qt binding, the 590 MB GPU
# TensorFlow wheel, other Keras backends. Their presence means the venv is not clean.
FORBIDDEN = ("pyside6", "pyside6-addons", "pyqt5", "pyqt6", "tensorflow", "jax", "jaxlib", "torch")


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def project_version() -> str:
    """``__version__`` from the source, read as text so the build never imports the project."""
    text = (REPO / "workbench" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build: cannot find __version__ in workbench/__init__.py")
    return match.group(1)


def platform_tag() -> str:
    """``linux-x86_64``, ``macos-arm64``, ``windows-amd64``…: the archive name's suffix."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    return f"{system}-{platform.machine().lower()}"


def venv_python(venv_dir: Path) -> Path:
    if sys.platform == "win32":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def run(cmd: list[str | Path], **kwargs) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def ensure_venv(venv_dir: Path, base_python: str) -> Path:
    """Create or reuse the build venv; reinstall the project (non-editable) every time."""
    python = venv_python(venv_dir)
    requirements = REQUIREMENTS.read_text(encoding="utf-8")
    digest = hashlib.sha256((requirements + platform_tag() + sys.version).encode()).hexdigest()
    stamp = venv_dir / ".kwb-requirements.sha256"
    if not python.exists():
        log(f"creating a clean venv in {venv_dir}")
        run([base_python, "-m", "venv", "--clear", venv_dir])
    if not stamp.exists() or stamp.read_text().strip() != digest:
        run([python, "-m", "pip", "install", "--upgrade", "pip", "setuptools>=68", "wheel"])
        extra = ["pillow"] if sys.platform in ("win32", "darwin") else []  # PNG -> .ico/.icns
        run([python, "-m", "pip", "install", "-r", REQUIREMENTS, *extra])
        stamp.write_text(digest)
    else:
        log(f"reusing {venv_dir} (requirements unchanged)")
    # --no-deps: pyproject.toml lists the full `tensorflow` and `pyside6` for developers; the
    # bundle gets tensorflow-cpu and pyside6-essentials from build-requirements.txt instead.
    with tempfile.TemporaryDirectory(prefix="kwb-src-") as tmp:
        run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--force-reinstall",
             "--no-cache-dir", copy_sources(Path(tmp))])
    check_clean(python)
    return python


def copy_sources(target: Path) -> Path:
    """A clean copy of what the wheel is built from.

    pip builds a local folder in place, and setuptools' ``build/lib`` keeps files deleted from
    the checkout since, so building from the checkout could ship stale modules.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("workbench", "resources"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, target / name)
    return target


def check_clean(python: Path) -> None:
    code = ("import importlib.metadata as m, json; "
            "print(json.dumps(sorted({d.metadata['Name'].lower() for d in m.distributions()})))")
    names = set(json.loads(subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                                          text=True).stdout))
    bad = sorted(names & set(FORBIDDEN))
    if bad:
        raise SystemExit(f"build: the venv is not clean, it holds {', '.join(bad)}; "
                         f"delete it (or pass --fresh) and build again.")
    if "keras-workbench" not in names:
        raise SystemExit("build: keras-workbench did not install into the build venv.")


def render_icon(python: Path, work: Path) -> Path | None:
    """A PNG of the SVG icon for PyInstaller (which makes .ico/.icns of it); Linux needs none.

    The executable's icon only exists on Windows and macOS; on Linux the window icon comes from
    the SVG at run time and ``install-desktop`` installs the SVG.
    """
    if sys.platform not in ("win32", "darwin"):
        return None
    target = work / "keras-workbench-256.png"
    work.mkdir(parents=True, exist_ok=True)
    script = (
        "import sys; from PySide6.QtGui import QGuiApplication, QImage, QPainter, QColor;"
        "from PySide6.QtSvg import QSvgRenderer;"
        "app = QGuiApplication(['x']); img = QImage(256, 256, QImage.Format_ARGB32);"
        "img.fill(QColor(0, 0, 0, 0)); p = QPainter(img);"
        "QSvgRenderer(sys.argv[1]).render(p); p.end(); sys.exit(0 if img.save(sys.argv[2]) else 1)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run([python, "-c", script, ICON_SVG, target], env=env)
    return target


def run_pyinstaller(python: Path, dist: Path, work: Path, icon: Path | None, version: str) -> None:
    env = dict(os.environ, KWB_VERSION=version, KWB_ICON=str(icon or ""), PYTHONNOUSERSITE="1")
    work.mkdir(parents=True, exist_ok=True)
    # Not from the checkout: `python -m` puts the working folder first on sys.path, and the
    # analysis must see the installed package (with workbench.resources), not the source tree.
    run([python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", dist, "--workpath", work, SPEC], env=env, cwd=work)


def folder_size(path: Path) -> int:
    """Bytes of the regular files below ``path`` (links counted once, as themselves)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def make_archive(dist: Path, version: str) -> Path:
    """The download users unpack: a .tar.gz on Linux (keeps links and modes), a .zip elsewhere."""
    stem = f"{APP_NAME}-{version}-{platform_tag()}"
    app = dist / f"{APP_NAME}.app"
    source = app if sys.platform == "darwin" and app.is_dir() else dist / APP_NAME
    if sys.platform.startswith("linux"):
        target = dist / f"{stem}.tar.gz"
        with tarfile.open(target, "w:gz", compresslevel=6) as tar:
            tar.add(source, arcname=source.name)
        return target
    target = dist / f"{stem}.zip"
    if sys.platform == "darwin" and shutil.which("ditto"):
        # ditto keeps the symlinks and extended attributes an .app bundle needs; zipfile does not.
        run(["ditto", "-c", "-k", "--keepParent", source, target])
        return target
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(source.rglob("*")):
            archive.write(path, path.relative_to(source.parent))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"build venv (default {DEFAULT_VENV})")
    parser.add_argument("--python", default=sys.executable, help="interpreter that creates the venv")
    parser.add_argument("--fresh", action="store_true", help="delete the build venv first")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="output folder (default dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default build/pyinstaller)")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz/.zip")
    args = parser.parse_args(argv)

    started = time.monotonic()
    version = project_version()
    if args.fresh and args.venv.exists():
        shutil.rmtree(args.venv)
    python = ensure_venv(args.venv.resolve(), args.python)
    venv_s = time.monotonic() - started

    pyinstaller_started = time.monotonic()
    icon = render_icon(python, args.work)
    run_pyinstaller(python, args.dist.resolve(), args.work.resolve(), icon, version)
    pyinstaller_s = time.monotonic() - pyinstaller_started

    folder = args.dist / APP_NAME
    executable = folder / (APP_NAME + (".exe" if sys.platform == "win32" else ""))
    if not executable.exists():
        raise SystemExit(f"build: PyInstaller finished but {executable} is missing.")
    info: dict[str, object] = {
        "version": version,
        "platform": platform_tag(),
        "executable": str(executable),
        "folder_bytes": folder_size(folder),
        "venv_s": round(venv_s, 1),
        "pyinstaller_s": round(pyinstaller_s, 1),
    }
    log(f"bundle: {executable} ({info['folder_bytes'] / 1e6:.0f} MB)")
    if not args.no_archive:
        archive_started = time.monotonic()
        archive = make_archive(args.dist, version)
        info.update(archive=str(archive), archive_bytes=archive.stat().st_size,
                    archive_s=round(time.monotonic() - archive_started, 1))
        log(f"archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    info["total_s"] = round(time.monotonic() - started, 1)
    (args.dist / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    log(f"done in {info['total_s']} s; figures in {args.dist / 'build-info.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
