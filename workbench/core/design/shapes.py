"""Per-layer output shapes and parameter counts, in pure Python, matching Keras 3.

Shapes here exclude the batch axis; ``None`` is an unknown size. Each rule takes the input
shape and the layer's resolved config and returns ``(output_shape, trainable, non_trainable)``
or raises :class:`LayerProblem` with a sentence a learner understands.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Shape = tuple[int | None, ...]
Rule = Callable[[Shape, dict[str, Any]], tuple[Shape, int, int]]


class LayerProblem(Exception):
    """This layer cannot take its input (or its settings make no sense for it)."""


def _describe(shape: Shape) -> str:
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({dims})" if len(shape) != 1 else f"({dims},)"


def _rank_name(rank: int) -> str:
    return {1: "a flat vector", 2: "a sequence (steps × features)", 3: "an image (height × width × channels)"}.get(
        rank, f"a {rank}-D tensor")


def _pair(value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return (int(value),) * rank


def _known_last(shape: Shape, layer: str, why: str) -> int:
    if not shape:
        raise LayerProblem(f"{layer} needs an input with at least one axis.")
    last = shape[-1]
    if last is None:
        raise LayerProblem(f"{layer} needs to know the size of the last axis of its input {_describe(shape)} "
                           f"{why}; give the model a fixed input shape.")
    return last


def _need_rank(shape: Shape, rank: int, layer: str, advice: str) -> None:
    if len(shape) != rank:
        raise LayerProblem(
            f"{layer} expects {_rank_name(rank)} but receives {_rank_name(len(shape))} {_describe(shape)}; "
            f"{advice}")


def _window(length: int | None, size: int, stride: int, padding: str, dilation: int, layer: str,
            axis: str) -> int | None:
    if length is None:
        return None
    if padding in ("same", "causal"):
        out = math.ceil(length / stride)
    else:
        effective = dilation * (size - 1) + 1
        out = (length - effective) // stride + 1
    if out <= 0:
        raise LayerProblem(
            f"{layer} would output {out} {axis}: its window of {dilation * (size - 1) + 1} does not fit in the "
            f"{length} {axis} it receives. Use a smaller window, padding 'same', or fewer shrinking layers "
            "before it.")
    return out


# --------------------------------------------------------------------------- rules


def _identity(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    return shape, 0, 0


def _input(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    return tuple(config["shape"]), 0, 0


def _dense(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    fan_in = _known_last(shape, "Dense", "to size its weights")
    units = config["units"]
    params = fan_in * units + (units if config["use_bias"] else 0)
    return shape[:-1] + (units,), params, 0


def _flatten(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    if not shape:
        return (1,), 0, 0
    if any(d is None for d in shape):
        return (None,), 0, 0
    return (math.prod(shape),), 0, 0  # type: ignore[arg-type]


def _reshape(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    target = [int(d) for d in config["target_shape"]]
    if 0 in target or any(d < -1 for d in target):
        raise LayerProblem("Reshape target_shape sizes must be at least 1 (or -1 once, to infer one size).")
    if target.count(-1) > 1:
        raise LayerProblem("Reshape target_shape may contain -1 only once: Keras can infer one size, not two.")
    if any(d is None for d in shape):
        return tuple(None if d == -1 else d for d in target), 0, 0
    total = math.prod(shape)  # type: ignore[arg-type]
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if total % known:
            raise LayerProblem(f"Reshape cannot arrange the {total} values of {_describe(shape)} into "
                               f"{_describe(tuple(target))}: {total} is not divisible by {known}.")
        target = [total // known if d == -1 else d for d in target]
    elif known != total:
        raise LayerProblem(f"Reshape cannot turn {_describe(shape)} ({total} values) into "
                           f"{_describe(tuple(target))} ({known} values); the counts must match.")
    return tuple(target), 0, 0


def _batch_norm(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    channels = _known_last(shape, "BatchNormalization", "to size its statistics")
    learned = channels * (int(config["center"]) + int(config["scale"]))
    return shape, learned, 2 * channels


def _layer_norm(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    channels = _known_last(shape, "LayerNormalization", "to size its scale and offset")
    return shape, channels * (int(config["center"]) + int(config["scale"])), 0


def _conv(rank: int) -> Rule:
    name = f"Conv{rank}D"
    advice = ("add a Reshape or an Embedding before it, or use Dense." if rank == 1
              else "give the model an image input such as [28, 28, 1], or add a Reshape before it.")
    axes = ["steps"] if rank == 1 else ["rows", "columns"]

    def rule(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
        _need_rank(shape, rank + 1, name, advice)
        channels = _known_last(shape, name, "to size its filters")
        kernel = _pair(config["kernel_size"], rank)
        strides = _pair(config["strides"], rank)
        dilation = _pair(config["dilation_rate"], rank)
        spatial = tuple(
            _window(shape[i], kernel[i], strides[i], config["padding"], dilation[i], name, axes[i])
            for i in range(rank))
        filters = config["filters"]
        params = math.prod(kernel) * channels * filters + (filters if config["use_bias"] else 0)
        return spatial + (filters,), params, 0

    return rule


def _pool(rank: int, kind: str) -> Rule:
    name = f"{kind}Pooling{rank}D"
    axes = ["steps"] if rank == 1 else ["rows", "columns"]
    advice = ("it pools along a sequence (steps × features); put it after Conv1D, Embedding or a recurrent "
              "layer with return_sequences." if rank == 1
              else "it pools over an image (height × width × channels); put it after Conv2D or an image input.")

    def rule(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
        _need_rank(shape, rank + 1, name, advice)
        pool = _pair(config["pool_size"], rank)
        strides = pool if config["strides"] is None else _pair(config["strides"], rank)
        spatial = tuple(_window(shape[i], pool[i], strides[i], config["padding"], 1, name, axes[i])
                        for i in range(rank))
        return spatial + (shape[-1],), 0, 0

    return rule


def _global_pool(rank: int, kind: str) -> Rule:
    name = f"Global{kind}Pooling{rank}D"
    advice = ("it expects a sequence (steps × features), e.g. after Conv1D or Embedding." if rank == 1
              else "it expects an image (height × width × channels), e.g. after Conv2D.")

    def rule(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
        _need_rank(shape, rank + 1, name, advice)
        return (shape[-1],), 0, 0

    return rule


def _embedding(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    params = config["input_dim"] * config["output_dim"]
    out = shape + (config["output_dim"],)
    return (out, params, 0) if config["trainable"] else (out, 0, params)


def _rnn_cell_params(kind: str, features: int, units: int, use_bias: bool) -> int:
    core = units * (features + units)
    if kind == "SimpleRNN":
        return core + (units if use_bias else 0)
    if kind == "LSTM":
        return 4 * core + (4 * units if use_bias else 0)
    # GRU with Keras' default reset_after=True keeps two bias vectors.
    return 3 * core + (6 * units if use_bias else 0)


def _rnn(kind: str) -> Rule:
    def rule(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
        _need_rank(shape, 2, kind,
                   "recurrent layers read sequences; put an Embedding before it, or set return_sequences "
                   "on the recurrent layer before it.")
        features = _known_last(shape, kind, "to size its weights")
        units = config["units"]
        params = _rnn_cell_params(kind, features, units, config["use_bias"])
        out = (shape[0], units) if config["return_sequences"] else (units,)
        return out, params, 0

    return rule


def _bidirectional(shape: Shape, config: dict[str, Any]) -> tuple[Shape, int, int]:
    kind = config["layer"]
    _need_rank(shape, 2, "Bidirectional",
               "it reads sequences; put an Embedding before it, or set return_sequences on the recurrent "
               "layer before it.")
    features = _known_last(shape, "Bidirectional", "to size its weights")
    units = config["units"]
    params = 2 * _rnn_cell_params(kind, features, units, True)
    width = 2 * units if config["merge_mode"] == "concat" else units
    out = (shape[0], width) if config["return_sequences"] else (width,)
    return out, params, 0


RULES: dict[str, Rule] = {
    "Input": _input,
    "Dense": _dense,
    "Activation": _identity,
    "Dropout": _identity,
    "Rescaling": _identity,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "Conv1D": _conv(1),
    "Conv2D": _conv(2),
    "MaxPooling1D": _pool(1, "Max"),
    "MaxPooling2D": _pool(2, "Max"),
    "AveragePooling2D": _pool(2, "Average"),
    "GlobalMaxPooling1D": _global_pool(1, "Max"),
    "GlobalAveragePooling1D": _global_pool(1, "Average"),
    "GlobalAveragePooling2D": _global_pool(2, "Average"),
    "Embedding": _embedding,
    "SimpleRNN": _rnn("SimpleRNN"),
    "LSTM": _rnn("LSTM"),
    "GRU": _rnn("GRU"),
    "Bidirectional": _bidirectional,
}


def describe_shape(shape: Shape) -> str:
    """``(28, 28, 1)`` style text for messages ("?" for an unknown size)."""
    return _describe(shape)


def keras_shape_text(shape: Shape | None) -> str:
    """A layer's output shape as ``model.summary()`` prints it, e.g. ``(None, 28, 28, 32)``; "?" unknown."""
    return "?" if shape is None else str(tuple(shape))
