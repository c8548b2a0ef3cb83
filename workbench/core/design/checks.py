"""Head / loss / label checks: does the last layer suit the loss and the labels?

These run after shape inference succeeded; each returns issues naming the head layer, with the
fix in the message (``softmax`` units vs classes, sigmoid with a categorical loss, …).
"""

from __future__ import annotations

from typing import Any

from workbench.core.catalog.compile_choices import loss_key
from workbench.core.design.issues import ERROR, WARNING, DesignIssue
from workbench.core.design.shapes import describe_shape

# In loss_key form (lower case, no underscores), so every spelling Keras accepts is recognised.
BINARY_LOSSES = {"binarycrossentropy", "binaryfocalcrossentropy"}
CATEGORICAL_LOSSES = {"categoricalcrossentropy", "categoricalfocalcrossentropy"}
SPARSE_LOSSES = {"sparsecategoricalcrossentropy"}
CLASS_LOSSES = BINARY_LOSSES | CATEGORICAL_LOSSES | SPARSE_LOSSES
REGRESSION_LOSSES = {
    "mse", "meansquarederror", "mae", "meanabsoluteerror", "huber", "mape",
    "meanabsolutepercentageerror", "msle", "meansquaredlogarithmicerror", "logcosh",
}

# Classes of sources whose labels are fixed; other sources say so in data.options["num_classes"].
KNOWN_CLASSES = {
    "keras:imdb": 2, "keras:reuters": 46, "keras:mnist": 10, "keras:fashion_mnist": 10,
    "keras:cifar10": 10, "synthetic:circles": 2, "synthetic:xor": 2,
}
REGRESSION_SOURCES = {"keras:boston_housing"}

_LABEL_ALIASES = {
    "categorical": "categorical", "one_hot": "categorical", "one-hot": "categorical", "onehot": "categorical",
    "sparse": "sparse", "int": "sparse", "integer": "sparse", "index": "sparse",
    "binary": "binary", "regression": "regression",
}


def known_num_classes(document: Any) -> int | None:
    """Number of classes from ``data.options["num_classes"]`` or the data source, if known."""
    value = document.data.options.get("num_classes")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    source = document.data.source.split("?", 1)[0].strip().lower()
    return KNOWN_CLASSES.get(source)


def label_format(document: Any) -> str | None:
    """``"categorical"`` (one-hot), ``"sparse"``, ``"binary"``, ``"regression"`` or ``None`` if not stated."""
    raw = document.data.options.get("label_format", document.data.options.get("labels"))
    if isinstance(raw, str) and raw.lower() in _LABEL_ALIASES:
        return _LABEL_ALIASES[raw.lower()]
    source = document.data.source.split("?", 1)[0].strip().lower()
    if source in REGRESSION_SOURCES:
        return "regression"
    return None


def head_checks(document: Any, head_index: int, head_activation: str | None, output_shape: tuple,
                ) -> list[DesignIssue]:
    """Issues about the head (last layer) given its activation and per-sample output shape."""
    issues: list[DesignIssue] = []
    head_type = document.model.layers[head_index].type
    loss_name = document.compile.loss.strip()
    loss = loss_key(loss_name)

    def add(message: str, severity: str = ERROR) -> None:
        issues.append(DesignIssue(message, head_index, severity, head_type))

    if len(output_shape) != 1:
        if loss in CLASS_LOSSES or loss in REGRESSION_LOSSES:
            add(f"the model ends with one output per step/position (shape {describe_shape(output_shape)}), but "
                f"{loss_name} compares one prediction per sample; add Flatten or a global pooling layer before "
                "the last Dense.")
        return issues
    units = output_shape[0]
    activation = (head_activation or "linear").lower()
    classes = None if document.model.output_from_data else known_num_classes(document)
    labels = label_format(document)

    if activation == "sigmoid" and loss in CATEGORICAL_LOSSES | SPARSE_LOSSES:
        add(f"a sigmoid head gives independent yes/no scores, but {loss_name} expects a probability spread over "
            "classes: use softmax for several classes, or binary_crossentropy for a yes/no label.")
    if activation == "softmax" and units == 1:
        add("softmax over a single unit always outputs 1.0, so the model cannot learn; use Dense(1) with "
            "sigmoid for a yes/no label, or one unit per class with softmax.")
    elif activation == "softmax" and classes is not None and classes > 2 and units != classes:
        add(f"the head has {units} softmax units but the data has {classes} classes; set units to {classes}.")
    elif activation == "softmax" and classes == 2 and units not in (1, 2):
        add(f"the head has {units} softmax units but the data has 2 classes; use Dense(1, sigmoid) or "
            "Dense(2, softmax).")
    if activation == "sigmoid" and units == 1 and classes is not None and classes > 2:
        add(f"one sigmoid output can only separate two classes, but the data has {classes}; use "
            f"Dense({classes}) with softmax and a categorical loss.")
    if loss in CATEGORICAL_LOSSES | SPARSE_LOSSES and units == 1 and activation not in ("sigmoid", "softmax"):
        add(f"{loss_name} needs one output per class, but the head has 1 unit; set units to the number of classes "
            "with softmax, or use binary_crossentropy with Dense(1, sigmoid).")
    if loss in SPARSE_LOSSES and labels == "categorical":
        add("the labels are one-hot vectors, but sparse_categorical_crossentropy expects class numbers "
            "(0, 1, 2…); use categorical_crossentropy.")
    if loss in CATEGORICAL_LOSSES and labels == "sparse":
        add("the labels are class numbers (0, 1, 2…), but categorical_crossentropy expects one-hot vectors; "
            "use sparse_categorical_crossentropy.")
    if loss in REGRESSION_LOSSES and activation in ("softmax", "sigmoid"):
        add(f"{loss_name} is a regression loss, but the {activation} head outputs class probabilities; for "
            "classes use a crossentropy loss, for numbers use a Dense head without activation.", WARNING)
    if loss in CLASS_LOSSES and labels == "regression":
        add(f"the labels are numbers to predict (regression), but {loss_name} is a classification loss; use mse "
            "or mae.", WARNING)
    if loss in BINARY_LOSSES and activation == "softmax" and units > 1:
        add("binary_crossentropy with a softmax head treats each class as a separate yes/no question; use "
            "categorical_crossentropy (or sparse_) for one class per sample.", WARNING)
    if loss in CLASS_LOSSES and activation in ("linear", "relu"):
        add(f"the head's activation is {activation}, so its outputs are not probabilities as {loss_name} expects; "
            "use sigmoid (yes/no) or softmax (classes).", WARNING)
    return issues


