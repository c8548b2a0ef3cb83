"""The panel's bridge to the core's code export and ``.keras`` import (both live in core)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.core.document import CompileSpec, ExperimentDocument, ModelSpec
from workbench.core.errors import DesignError


@dataclass
class ImportedDesign:
    """What an opened model file brings into the builder: its layers and, if the file has one, its compile."""

    model: ModelSpec
    compile: CompileSpec | None = None


def export_python_text(document: ExperimentDocument) -> str:
    """The standalone script for ``document`` (core ``export_python``)."""
    from workbench.core.design.export import export_python

    return export_python(document)


def import_model_document(path: str | Path) -> ImportedDesign:
    """Read a ``.keras`` file with the core importer (safe mode); DesignError explains a refusal."""
    from workbench.core.design.importer import import_keras_model

    result = import_keras_model(path)
    if isinstance(result, ExperimentDocument):
        return ImportedDesign(model=result.model, compile=result.compile)
    if isinstance(result, ModelSpec):
        return ImportedDesign(model=result)
    raise DesignError(f"{path}: the importer returned {type(result).__name__}, not a model design.")
