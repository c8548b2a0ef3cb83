"""The ``model.compile`` choices a learner picks from: optimizers, losses and metrics.

Used by the Builder's compile section; Qt-free so the command line and checks can use it too.
"""

from __future__ import annotations

# Keras' own identifiers (checked against keras.optimizers.get / losses.get / metrics.get),
# with the one-line explanation a learner sees as tooltip; the default learning rate is Keras'.
OPTIMIZERS: dict[str, tuple[float, str]] = {
    "rmsprop": (0.001, "Scales each step by recent gradient size; the book's default for most models."),
    "adam": (0.001, "Momentum + per-weight step sizes; a robust first choice."),
    "adamw": (0.001, "Adam with decoupled weight decay."),
    "sgd": (0.01, "Plain stochastic gradient descent; simple, often needs a tuned learning rate."),
    "nadam": (0.001, "Adam with Nesterov momentum."),
    "adamax": (0.001, "A variant of Adam based on the largest gradient."),
    "adagrad": (0.001, "Per-weight step sizes that shrink for often-updated weights."),
    "adadelta": (0.001, "Adagrad variant whose step sizes do not shrink forever."),
    "ftrl": (0.001, "Follow-the-regularized-leader; for wide, sparse models."),
    "lion": (0.001, "Sign-based momentum optimizer; use a smaller learning rate than Adam."),
}
LOSSES: dict[str, str] = {
    "binary_crossentropy": "Two classes: one sigmoid output, labels 0/1.",
    "categorical_crossentropy": "Several classes: softmax output, one-hot labels.",
    "sparse_categorical_crossentropy": "Several classes: softmax output, labels are class numbers.",
    "mean_squared_error": "Regression: average squared difference to the target.",
    "mean_absolute_error": "Regression: average absolute difference to the target.",
    "huber": "Regression: squared for small errors, absolute for large ones (robust to outliers).",
    "binary_focal_crossentropy": "Two classes, focusing on hard examples (imbalanced data).",
    "categorical_focal_crossentropy": "Several classes, one-hot labels, focusing on hard examples.",
    "kl_divergence": "Compares two probability distributions.",
    "log_cosh": "Regression: smooth, like Huber.",
    "mean_absolute_percentage_error": "Regression: error relative to the target, in percent.",
}
METRICS: dict[str, str] = {
    "accuracy": "Fraction of correct predictions (Keras picks the right kind for the loss).",
    "auc": "Area under the ROC curve (two classes).",
    "precision": "Of the predicted positives, how many are right (two classes).",
    "recall": "Of the real positives, how many are found (two classes).",
    "mae": "Mean absolute error (regression).",
    "mse": "Mean squared error (regression).",
}


def loss_key(loss: str) -> str:
    """A loss name as Keras matches it, whatever its spelling: "SparseCategoricalCrossentropy",
    "sparse_categorical_crossentropy" and "sparse categorical crossentropy" are one loss."""
    return loss.strip().lower().replace("_", "").replace(" ", "")
