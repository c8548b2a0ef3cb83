"""What ``model.summary()`` would say about a design, computed without TensorFlow.

:func:`summarize` walks the layer stack with the rules of :mod:`workbench.core.design.shapes`,
names layers as Keras does (``dense``, ``dense_1``…), and collects design issues: errors stop a
design from building or training, warnings point out a probable mistake.

The input shape is ``model.input_shape``; an ``Input`` entry as the first layer overrides it
(it is how Keras code spells the same thing). The ``Input`` entry is listed in the summary with
0 parameters so that summary rows match the document's layers one to one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core.catalog import CATALOG, validate_config
from workbench.core.design.checks import head_checks
from workbench.core.design.issues import ERROR, WARNING, DesignIssue
from workbench.core.design.shapes import RULES, LayerProblem, Shape, describe_shape, keras_shape_text

__all__ = ["DesignIssue", "DesignSummary", "LayerSummary", "input_shape_of", "keras_layer_names", "summarize"]


@dataclass
class LayerSummary:
    """One row: ``output_shape`` includes the batch axis as ``None`` and is ``None`` when unknown."""

    index: int
    name: str
    type: str
    output_shape: tuple[int | None, ...] | None
    params: int = 0
    trainable_params: int = 0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type,
                "output_shape": list(self.output_shape) if self.output_shape is not None else None,
                "params": self.params, "trainable_params": self.trainable_params, "error": self.error}


@dataclass
class DesignSummary:
    layers: list[LayerSummary] = field(default_factory=list)
    errors: list[DesignIssue] = field(default_factory=list)
    warnings: list[DesignIssue] = field(default_factory=list)
    input_shape: tuple[int | None, ...] | None = None

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(layer.trainable_params for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def ok(self) -> bool:
        """True when the design has no errors (warnings allowed)."""
        return not self.errors

    @property
    def output_shape(self) -> tuple[int | None, ...] | None:
        return self.layers[-1].output_shape if self.layers else None

    def issues_for(self, index: int) -> list[DesignIssue]:
        return [i for i in self.errors + self.warnings if i.layer_index == index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "layers": [layer.to_dict() for layer in self.layers],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }

    def format_table(self) -> str:
        """A table laid out like ``model.summary()``, then the issues."""
        rows = [(f"{layer.name} ({layer.type})", keras_shape_text(layer.output_shape), f"{layer.params:,}")
                for layer in self.layers]
        widths = [max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 2,
                  max([len("Output Shape")] + [len(r[1]) for r in rows]) + 2,
                  max([len("Param #")] + [len(r[2]) for r in rows])]
        rule = "─" * sum(widths)
        lines = [rule, f"{'Layer (type)':<{widths[0]}}{'Output Shape':<{widths[1]}}{'Param #':>{widths[2]}}", rule]
        for row in rows:
            lines.append(f"{row[0]:<{widths[0]}}{row[1]:<{widths[1]}}{row[2]:>{widths[2]}}")
        if not rows:
            lines.append("(no layers)")
        lines += [rule,
                  f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}"]
        for issue in self.errors:
            lines.append(f"error: {issue.format()}")
        for issue in self.warnings:
            lines.append(f"warning: {issue.format()}")
        return "\n".join(lines)


def snake_case(name: str) -> str:
    """``GlobalMaxPooling1D`` → ``global_max_pooling1d``, as Keras names layers and config objects."""
    # Keras' own rule (keras.src.utils.naming.to_snake_case), so names match model.summary().
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def keras_layer_names(types: list[str]) -> list[str]:
    """Default Keras names for a fresh model's layers: ``dense``, ``dense_1``, ``conv2d``…"""
    counts: dict[str, int] = {}
    names = []
    for layer_type in types:
        base = "input_layer" if layer_type == "Input" else snake_case(layer_type)
        n = counts.get(base, 0)
        counts[base] = n + 1
        names.append(base if n == 0 else f"{base}_{n}")
    return names


def input_shape_of(document: Any) -> tuple[int | None, ...] | None:
    """The sample shape the model starts from: a leading ``Input`` entry, else ``model.input_shape``."""
    layers = document.model.layers
    if layers and layers[0].type == "Input":
        shape = layers[0].config.get("shape", CATALOG["Input"].param("shape").default)
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = [shape]
        return tuple(shape) if isinstance(shape, (list, tuple)) else None
    if document.model.input_shape is not None:
        return tuple(document.model.input_shape)
    return None


def _head_activation(document: Any, summary_layers: list[LayerSummary]) -> tuple[int, str | None] | None:
    """Index and activation of the layer that decides the output, if the stack ends in Dense/Activation."""
    layers = document.model.layers
    index = len(layers) - 1
    entry = layers[index]
    if entry.type in ("Dense", "Activation"):
        default = CATALOG[entry.type].param("activation").default
        return index, entry.config.get("activation", default)
    return None


def summarize(document: Any) -> DesignSummary:
    """Shapes, parameter counts and design issues of ``document.model``, without Keras."""
    model = document.model
    summary = DesignSummary()
    errors, warnings = summary.errors, summary.warnings
    layers = model.layers
    names = keras_layer_names([entry.type for entry in layers])

    if not layers:
        errors.append(DesignIssue("the model has no layers yet; add at least one, e.g. a Dense layer."))
        return summary

    shape: Shape | None = input_shape_of(document)
    if layers[0].type == "Input" and model.input_shape is not None and shape is not None \
            and tuple(model.input_shape) != shape:
        warnings.append(DesignIssue(
            f"the Input layer's shape {describe_shape(shape)} replaces the model's input shape "
            f"{describe_shape(tuple(model.input_shape))}.", 0, WARNING, "Input"))
    if shape is None:
        if model.input_from_data:
            warnings.append(DesignIssue(
                "the input shape will be taken from the data when training starts; shapes and parameter "
                "counts appear once an input shape is set.", None, WARNING))
        else:
            errors.append(DesignIssue(
                "the model has no input shape: set the shape of one sample (e.g. [784] for flat vectors or "
                "[28, 28, 1] for images), or add an Input layer first."))
    summary.input_shape = shape

    broken = shape is None
    for index, entry in enumerate(layers):
        row = LayerSummary(index=index, name=names[index], type=entry.type, output_shape=None)
        summary.layers.append(row)

        def fail(message: str, row: LayerSummary = row, layer_type: str = entry.type) -> None:
            row.error = message
            errors.append(DesignIssue(message, row.index, ERROR, layer_type))

        spec = CATALOG.get(entry.type)
        if spec is None:
            fail(f'"{entry.type}" is not a layer the builder knows; available: {", ".join(CATALOG)}.')
            broken = True
            continue
        problems = validate_config(entry.type, entry.config)
        if problems:
            fail(problems[0] + ".")
            broken = True
            continue
        if entry.type == "Input" and index > 0:
            fail("an Input layer can only be the first layer; remove it or move it to the top.")
            broken = True
            continue
        if broken:
            continue
        config = spec.resolved(entry.config)
        assert shape is not None
        if entry.type == "Flatten" and len(shape) == 1:
            warnings.append(DesignIssue(
                f"Flatten does nothing here: its input {describe_shape(shape)} is already a flat vector.",
                index, WARNING, entry.type))
        if entry.type == "Embedding" and index > (1 if layers[0].type == "Input" else 0):
            warnings.append(DesignIssue(
                "Embedding looks up whole-number word indices, so it normally comes first; here it receives "
                "the output of another layer.", index, WARNING, entry.type))
        try:
            out, trainable, frozen = RULES[entry.type](shape, config)
        except LayerProblem as exc:
            fail(str(exc))
            broken = True
            continue
        shape = tuple(out)
        row.output_shape = (None,) + shape
        row.params = trainable + frozen
        row.trainable_params = trainable

    if not errors and shape is not None:
        head = _head_activation(document, summary.layers)
        for issue in (head_checks(document, head[0], head[1], shape) if head else []):
            (errors if issue.severity == ERROR else warnings).append(issue)
    return summary
