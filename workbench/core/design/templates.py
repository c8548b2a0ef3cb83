"""The classic book models, shipped as experiment documents in ``resources/templates``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from workbench.core.document import ExperimentDocument
from workbench.core.errors import DocumentError
from workbench.core.resources import resource


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    name: str
    description: str
    source: str


def _template_files() -> dict[str, object]:
    folder = resource("templates")
    return {
        entry.name.removesuffix(".json"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


def template_ids() -> list[str]:
    """Ids of all templates, in their display order (``order`` field, then id)."""
    return [info.id for info in list_templates()]


def list_templates() -> list[TemplateInfo]:
    """All templates with their one-line descriptions."""
    infos = []
    for template_id, entry in _template_files().items():
        raw = json.loads(entry.read_text(encoding="utf-8"))
        infos.append((raw.get("order", 999), TemplateInfo(
            id=template_id,
            name=raw.get("name", template_id),
            description=raw.get("description", ""),
            source=raw.get("data", {}).get("source", ""),
        )))
    return [info for _, info in sorted(infos, key=lambda pair: (pair[0], pair[1].id))]


def load_template(template_id: str) -> ExperimentDocument:
    """A fresh document from a template; unknown ids list the known ones."""
    files = _template_files()
    entry = files.get(template_id)
    if entry is None:
        raise DocumentError(
            f'unknown template "{template_id}"; available: {", ".join(template_ids())}.'
        )
    raw = json.loads(entry.read_text(encoding="utf-8"))
    raw.pop("order", None)
    document = ExperimentDocument.from_dict(raw, origin=f"template {template_id}")
    document.template = template_id
    return document
