"""The declarative shape of a catalog entry: a layer type and its typed parameters.

Kept free of Keras and Qt so the builder, the CLI and shape inference share one description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PARAM_KINDS = ("int", "float", "bool", "choice", "tuple", "str", "path")


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a Keras layer.

    ``default=None`` on an optional parameter means "Keras' own default" (for example
    ``strides=None`` of a pooling layer is the pool size) and ``None`` is then an accepted value.
    ``length`` fixes the number of items of a ``tuple`` parameter (``None``: any length);
    a single whole number is accepted for a fixed-length tuple, as Keras does (``kernel_size=3``).
    ``advanced`` parameters are left out of :meth:`LayerSpec.default_config` to keep new
    layers' settings short; editors may show them in a collapsed section.
    """

    name: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: list[str] | None = None
    required: bool = False
    help: str = ""
    length: int | None = None
    advanced: bool = False

    def validate(self, value: Any) -> str | None:
        """``None`` when ``value`` is acceptable, else a message a learner can act on."""
        if value is None:
            if self.default is None and not self.required:
                return None
            return f"{self.name} needs a value"
        checker = _CHECKERS[self.kind]
        return checker(self, value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_problem(spec: ParamSpec, value: float) -> str | None:
    if spec.minimum is not None and value < spec.minimum:
        return f"{spec.name} must be at least {_fmt(spec.minimum)}, got {_fmt(value)}"
    if spec.maximum is not None and value > spec.maximum:
        return f"{spec.name} must be at most {_fmt(spec.maximum)}, got {_fmt(value)}"
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _check_int(spec: ParamSpec, value: Any) -> str | None:
    if not _is_int(value):
        return f"{spec.name} must be a whole number, got {value!r}"
    return _range_problem(spec, value)


def _check_float(spec: ParamSpec, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{spec.name} must be a number, got {value!r}"
    return _range_problem(spec, float(value))


def _check_bool(spec: ParamSpec, value: Any) -> str | None:
    if not isinstance(value, bool):
        return f"{spec.name} must be true or false, got {value!r}"
    return None


def _check_choice(spec: ParamSpec, value: Any) -> str | None:
    if value not in (spec.choices or []):
        return f'{spec.name} must be one of {", ".join(spec.choices or [])}; got {value!r}'
    return None


def _check_tuple(spec: ParamSpec, value: Any) -> str | None:
    if _is_int(value) and spec.length is not None:
        items = [value] * spec.length
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return f"{spec.name} must be a list of whole numbers such as [3, 3], got {value!r}"
    if spec.length is not None and len(items) != spec.length:
        return f"{spec.name} must have {spec.length} numbers, got {len(items)}"
    if not items:
        return f"{spec.name} needs at least one number"
    for item in items:
        if not _is_int(item):
            return f"{spec.name} must contain whole numbers, got {item!r}"
        problem = _range_problem(spec, item)
        if problem:
            return problem
    return None


def _check_str(spec: ParamSpec, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{spec.name} must be text, got {value!r}"
    if spec.required and not value.strip():
        return f"{spec.name} needs a value"
    return None


_CHECKERS = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "choice": _check_choice,
    "tuple": _check_tuple,
    "str": _check_str,
    "path": _check_str,
}


@dataclass(frozen=True)
class LayerSpec:
    """One Keras layer type as the builder offers it."""

    type: str
    category: str
    explanation: str
    params: list[ParamSpec] = field(default_factory=list)

    def param(self, name: str) -> ParamSpec:
        """The parameter called ``name``; ``KeyError`` when the layer has none."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.type} has no parameter {name!r}")

    def has_param(self, name: str) -> bool:
        return any(spec.name == name for spec in self.params)

    def default_config(self) -> dict[str, Any]:
        """Settings for a freshly added layer: every non-advanced parameter at its default."""
        return {spec.name: _copy(spec.default) for spec in self.params if not spec.advanced}

    def resolved(self, config: dict[str, Any]) -> dict[str, Any]:
        """``config`` completed with the defaults of every parameter it leaves out."""
        values = {spec.name: _copy(spec.default) for spec in self.params}
        values.update(config)
        return values


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
