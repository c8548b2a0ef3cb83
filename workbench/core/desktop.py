"""Linux desktop integration: a menu entry, the app icon, and the experiment file type.

Follows the freedesktop.org specs (Desktop Entry, Icon Theme, shared-mime-info) so that a file
manager lists Keras Workbench in its menu and opens ``*.kwb.json`` files with it on double-click.
Everything goes below one data folder (``$XDG_DATA_HOME``, else ``~/.local/share``): no root needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from workbench.core.document import FILE_SUFFIX
from workbench.core.errors import WorkbenchError
from workbench.core.resources import resource
from workbench.core.storage import atomic_write_bytes

APP_ID = "keras-workbench"  # the .desktop file, icon and MIME package are all named after it
MIME_TYPE = "application/x-keras-workbench-experiment"
COMMAND = "keras-workbench"


def default_prefix() -> Path:
    """The user's data folder per the XDG Base Directory spec."""
    env = os.environ.get("XDG_DATA_HOME")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def _quote_exec_arg(arg: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec asks (and escape a literal ``%``)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def launch_command() -> str:
    """What the menu entry runs: the bundle's own executable when frozen, else the installed command."""
    if getattr(sys, "frozen", False):
        # A bundle unpacked anywhere is usually not on PATH.
        return _quote_exec_arg(str(Path(sys.executable).resolve()))
    return COMMAND


def desktop_entry(command: str = COMMAND) -> str:
    """The ``.desktop`` file's text; ``%f`` passes the double-clicked experiment file."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=Keras Workbench",
        "GenericName=Neural Network Workbench",
        "Comment=Build, train and play with Keras models offline",
        f"Exec={command} %f",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;ArtificialIntelligence;",
        f"MimeType={MIME_TYPE};",
        "Keywords=keras;tensorflow;neural network;deep learning;machine learning;",
        "StartupNotify=true",
        "",
    ])


def mime_package() -> str:
    """shared-mime-info XML: ``*.kwb.json`` is an experiment, a kind of JSON."""
    # The weight beats the plain *.json glob (50), so file managers pick the workbench for these.
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>Keras Workbench experiment</comment>
    <sub-class-of type="application/json"/>
    <generic-icon name="{APP_ID}"/>
    <glob pattern="*{FILE_SUFFIX}" weight="60"/>
  </mime-type>
</mime-info>
"""


def _refresh(tool: str, *args: Path) -> str:
    """Run a cache-update tool if it is installed; its absence is normal on minimal systems."""
    path = shutil.which(tool)
    if path is None:
        return f"Skipped {tool} (not installed); the desktop picks the files up at next login."
    try:
        subprocess.run([path, *map(str, args)], check=True, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        return f"Warning: {tool} failed ({detail.strip()}); the files are in place, run it again later."
    return f"Ran {tool} {' '.join(map(str, args))}"


def install_desktop(prefix: str | os.PathLike[str] | None = None) -> list[str]:
    """Install the menu entry, icon and MIME type below ``prefix``; one line per thing done."""
    if prefix is None and not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise WorkbenchError("install-desktop is for Linux desktops; on macOS and Windows the app "
                             "bundle registers itself. Pass --prefix DIR to write the files anyway.")
    root = Path(prefix).expanduser() if prefix is not None else default_prefix()
    icon = resource("icons", f"{APP_ID}.svg").read_bytes()
    applications = root / "applications"
    mime = root / "mime"
    files: list[tuple[Path, bytes]] = [
        (applications / f"{APP_ID}.desktop", desktop_entry(launch_command()).encode("utf-8")),
        (root / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", icon),
        # File managers look a file type's icon up under mimetypes/ by the type's name.
        (root / "icons" / "hicolor" / "scalable" / "mimetypes" / f"{MIME_TYPE.replace('/', '-')}.svg", icon),
        (mime / "packages" / f"{APP_ID}.xml", mime_package().encode("utf-8")),
    ]
    lines = []
    for path, data in files:
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise WorkbenchError(f"cannot write {path}: {exc.strerror or exc}. "
                                 "Pass --prefix DIR to install into another folder.") from None
        lines.append(f"Wrote {path}")
    lines.append(_refresh("update-desktop-database", applications))
    lines.append(_refresh("update-mime-database", mime))
    return lines
