"""The layer catalog: what the builder offers, with typed, documented parameters (Qt-free)."""

from __future__ import annotations

from typing import Any

from workbench.core.catalog.layers import (
    ACTIVATIONS,
    CATALOG,
    CATEGORY_ORDER,
    INITIALIZERS,
    PADDINGS,
    REGULARIZERS,
)
from workbench.core.catalog.specs import PARAM_KINDS, LayerSpec, ParamSpec
from workbench.core.errors import DesignError

__all__ = [
    "ACTIVATIONS",
    "CATALOG",
    "CATEGORY_ORDER",
    "INITIALIZERS",
    "PADDINGS",
    "PARAM_KINDS",
    "REGULARIZERS",
    "LayerSpec",
    "ParamSpec",
    "get_layer_spec",
    "layers_by_category",
    "validate_config",
    "validate_value",
]


def get_layer_spec(layer_type: str) -> LayerSpec:
    """The catalog entry for ``layer_type``; :class:`DesignError` listing the known ones otherwise."""
    spec = CATALOG.get(layer_type)
    if spec is None:
        raise DesignError(
            f'"{layer_type}" is not a layer the builder knows; available: {", ".join(CATALOG)}.'
        )
    return spec


def layers_by_category() -> dict[str, list[LayerSpec]]:
    """Catalog entries grouped by category, categories in palette order."""
    groups: dict[str, list[LayerSpec]] = {category: [] for category in CATEGORY_ORDER}
    for spec in CATALOG.values():
        groups.setdefault(spec.category, []).append(spec)
    return {category: specs for category, specs in groups.items() if specs}


def validate_value(layer_type: str, param_name: str, value: Any) -> str | None:
    """``None`` when ``value`` suits the parameter, else a message a learner can act on."""
    spec = CATALOG.get(layer_type)
    if spec is None:
        return f'"{layer_type}" is not a layer the builder knows'
    if not spec.has_param(param_name):
        known = ", ".join(p.name for p in spec.params) or "none"
        return f'{layer_type} has no setting "{param_name}" (its settings: {known})'
    return spec.param(param_name).validate(value)


def validate_config(layer_type: str, config: dict[str, Any]) -> list[str]:
    """Every problem of a whole layer config: unknown keys, bad values, missing required values."""
    spec = CATALOG.get(layer_type)
    if spec is None:
        return [f'"{layer_type}" is not a layer the builder knows; available: {", ".join(CATALOG)}']
    problems = []
    for name, value in config.items():
        problem = validate_value(layer_type, name, value)
        if problem:
            problems.append(problem)
    for param in spec.params:
        if param.required and param.name not in config and param.default is None:
            problems.append(f"{param.name} needs a value")
    return problems
