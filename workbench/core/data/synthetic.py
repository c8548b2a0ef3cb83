"""2-D toy classification sets generated with numpy, for experimenting with no files at all."""

from __future__ import annotations

import numpy as np

from workbench.core.errors import DataError

DESCRIPTIONS = {
    "circles": "Two noisy concentric circles (2 classes): needs a non-linear boundary.",
    "spirals": "Two interleaved spirals (2 classes): hard for small models.",
    "xor": "Four clusters in an XOR pattern (2 classes).",
    "gaussians": "Gaussian blobs, one per class (3 classes by default, option classes=N).",
}


def generate(name: str, n: int = 400, noise: float = 0.1, seed: int = 0,
             classes: int = 3) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(x float32 (n, 2), y int32 (n,), class_names)`` for a synthetic set, reproducible by seed."""
    if n < 4:
        raise DataError(f"synthetic:{name}: n must be at least 4, got {n}.")
    rng = np.random.default_rng(seed)
    if name == "circles":
        y = np.arange(n) % 2
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = np.where(y == 0, 1.0, 0.5)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        x += rng.normal(0, noise, x.shape)
        names = ["outer", "inner"]
    elif name == "spirals":
        y = np.arange(n) % 2
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        sign = np.where(y == 0, 1.0, -1.0)
        x = np.stack([sign * t * np.cos(t), sign * t * np.sin(t)], axis=1) / (3 * np.pi)
        x += rng.normal(0, noise, x.shape)
        names = ["spiral A", "spiral B"]
    elif name == "xor":
        x = rng.uniform(-1, 1, (n, 2))
        y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
        x += rng.normal(0, noise, x.shape)
        names = ["same sign", "different sign"]
    elif name == "gaussians":
        if classes < 2:
            raise DataError(f"synthetic:gaussians: classes must be at least 2, got {classes}.")
        y = np.arange(n) % classes
        centres = np.stack([np.cos(2 * np.pi * np.arange(classes) / classes),
                            np.sin(2 * np.pi * np.arange(classes) / classes)], axis=1)
        # noise is the blob spread; 0.1 would make trivially separable dots, so scale it up.
        x = centres[y] + rng.normal(0, max(noise, 1e-6) * 3, (n, 2))
        names = [f"blob {i}" for i in range(classes)]
    else:
        raise DataError(f"unknown synthetic dataset {name!r}; available: {', '.join(DESCRIPTIONS)}.")
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order].astype(np.int32), names
