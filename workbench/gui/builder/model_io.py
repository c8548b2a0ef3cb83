"""The panel's bridge to the core's code export and ``.keras`` import (both live in core)."""

from __future__ import annotations

from pathlib import Path

from workbench.core.document import ExperimentDocument, ModelSpec


def export_python_text(document: ExperimentDocument) -> str:
    """The standalone script for ``document`` (core ``export_python``)."""
    from workbench.core.design.export import export_python

    return export_python(document)


def import_model_document(path: str | Path) -> ModelSpec:
    """Read a ``.keras`` file's layers with the core importer (safe mode); DesignError explains a refusal."""
    from workbench.core.design.importer import import_keras_model

    return import_keras_model(path)
