"""Every compile choice offered in the Builder is a name Keras itself accepts."""

from __future__ import annotations

import pytest

from workbench.core.catalog.compile_choices import LOSSES, METRICS, OPTIMIZERS


@pytest.fixture(scope="module")
def keras():
    from workbench.core.kerasenv import import_keras

    return import_keras()


def test_optimizers_are_keras_optimizers_with_their_default_learning_rate(keras):
    for name, (rate, text) in OPTIMIZERS.items():
        optimizer = keras.optimizers.get(name)
        assert float(optimizer.learning_rate) == pytest.approx(rate), name
        assert text


def test_losses_and_metrics_are_keras_names(keras):
    for name in LOSSES:
        assert keras.losses.get(name) is not None, name
    for name in METRICS:
        assert keras.metrics.get(name) is not None, name
