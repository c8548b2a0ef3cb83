"""Text shown in the stack: shapes, parameter counts and a layer's key settings, as Keras prints them."""

from __future__ import annotations

from typing import Any

# Shown first when present: the settings a learner reads a layer by (Dense(16, relu), Conv2D(32, 3x3)).
_KEY_ORDER = ("units", "filters", "kernel_size", "pool_size", "rate", "input_dim", "output_dim",
              "target_shape", "activation", "layer", "merge_mode", "scale", "offset", "axis")
MAX_KEY_SETTINGS = 4


def format_count(count: int | None) -> str:
    return "?" if count is None else f"{count:,}"


def format_bytes(count: int) -> str:
    """Parameter memory as Keras' summary shows it (float32 = 4 bytes each)."""
    size = float(count * 4)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def format_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "×".join("None" if v is None else format_value(v) for v in value)
    if isinstance(value, dict):
        inner = value.get("type") or value.get("class_name")
        return str(inner) if inner else "{…}"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "none"
    return str(value)


def key_settings(layer_type: str, config: dict[str, Any]) -> str:
    """A short line such as ``units=16 · activation=relu``: required settings and changed defaults."""
    try:
        from workbench.core.catalog import get_layer_spec

        spec = get_layer_spec(layer_type)
    except Exception:  # noqa: BLE001 - an unknown type still shows its raw settings
        spec = None
    chosen: list[str] = []
    if spec is not None:
        defaults = {p.name: p.default for p in spec.params}
        required = {p.name for p in spec.params if p.required}
        for name in list(config):
            if name not in defaults:
                continue
            if name in required or config[name] != defaults[name]:
                chosen.append(name)
        for name in required:
            if name not in chosen and name in config:
                chosen.append(name)
    else:
        chosen = list(config)
    rank = {name: i for i, name in enumerate(_KEY_ORDER)}
    chosen.sort(key=lambda n: rank.get(n, len(rank)))
    parts = [f"{name}={format_value(config[name])}" for name in chosen[:MAX_KEY_SETTINGS]]
    if len(chosen) > MAX_KEY_SETTINGS:
        parts.append("…")
    return " · ".join(parts)
