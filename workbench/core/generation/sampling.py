"""The book's temperature sampling: ``p ← exp(log(p) / T)`` renormalized, then one multinomial draw.

Qt-free and TensorFlow-free: plain numpy, so the GUI can redraw the "after reweighting" chart
without touching the model.
"""

from __future__ import annotations

import numpy as np

from workbench.core.errors import WorkbenchError

MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 2.0
# Below this a temperature is treated as 0: the reweighted distribution is one-hot on the argmax.
ARGMAX_BELOW = 1e-6


def check_temperature(temperature: float) -> float:
    """Return ``temperature`` as a float, or raise naming the accepted range."""
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        raise WorkbenchError(f'temperature "{temperature}" is not a number; use a value from '
                             f"{MIN_TEMPERATURE} to {MAX_TEMPERATURE}.") from None
    if not np.isfinite(value) or value < MIN_TEMPERATURE or value > MAX_TEMPERATURE:
        raise WorkbenchError(f"temperature {temperature} is outside {MIN_TEMPERATURE}–{MAX_TEMPERATURE}; "
                             "low values repeat the likeliest characters, high values are more surprising.")
    return value


def reweight(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """The distribution after temperature reweighting (float64, sums to 1).

    Computed in log space with the maximum subtracted, which is the same renormalized value as
    the book's ``exp(log(p)/T) / sum`` but cannot overflow or underflow to all zeros at small T.
    ``temperature`` at or near 0 gives the argmax as a one-hot vector.
    """
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0) or not p.sum() > 0:
        raise WorkbenchError("the model's output is not a probability distribution "
                             "(empty, negative, NaN or all zeros); is the last layer a softmax?")
    if temperature <= ARGMAX_BELOW:
        out = np.zeros_like(p)
        out[int(np.argmax(p))] = 1.0
        return out
    with np.errstate(divide="ignore"):
        logits = np.log(p) / float(temperature)
    logits -= logits.max()
    weights = np.exp(logits)
    return weights / weights.sum()


def sample_index(probabilities: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One draw from the reweighted distribution (the book's ``sample``), argmax when T → 0."""
    if temperature <= ARGMAX_BELOW:
        return int(np.argmax(np.asarray(probabilities)))
    reweighted = reweight(probabilities, temperature)
    # multinomial refuses pvals whose float sum drifts past 1; the last entry absorbs the rounding.
    reweighted[-1] = max(0.0, 1.0 - reweighted[:-1].sum())
    draw = rng.multinomial(1, reweighted)
    return int(np.argmax(draw))


def make_rng(seed: int | None) -> np.random.Generator:
    """A numpy Generator; ``None`` means fresh entropy (not reproducible)."""
    return np.random.default_rng(seed)


def column_rng(seed: int | None, temperature: float) -> np.random.Generator:
    """The Generator of one temperature column: derived from the seed *and* the temperature.

    Columns at different temperatures thus draw independently (with one shared stream they
    would look alike whenever the model is unsure), while a given (seed, temperature) always
    produces the same text, whatever other columns are generated beside it.
    """
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, round(float(temperature) * 1000)])
