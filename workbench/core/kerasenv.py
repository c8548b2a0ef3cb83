"""The one place that imports Keras: lazily, with the backend pinned first.

TensorFlow takes seconds to import; nothing on the start-up path may call these functions.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from types import ModuleType

import workbench


def import_keras() -> ModuleType:
    """Import and return ``keras`` with the workbench's backend."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    return keras


def keras_loaded() -> bool:
    """Whether Keras has been imported in this process."""
    return "keras" in sys.modules


def tensorflow_loaded() -> bool:
    """Whether TensorFlow has been imported in this process."""
    return "tensorflow" in sys.modules


def backend_name() -> str:
    """The backend Keras runs on (imports Keras)."""
    return import_keras().backend.backend()


def package_version(name: str) -> str | None:
    """Installed version of a distribution, without importing it."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions that matter for reproducing a run, read without importing TensorFlow."""
    tf = package_version("tensorflow") or package_version("tensorflow-cpu")
    return {
        "keras_workbench": workbench.__version__,
        "python": sys.version.split()[0],
        "keras": package_version("keras"),
        "tensorflow": tf,
        "numpy": package_version("numpy"),
        "backend": os.environ.get("KERAS_BACKEND"),
    }
