"""Typed access to data options: source-string options (text) and document options (JSON)."""

from __future__ import annotations

import math
from typing import Any

from workbench.core.errors import DataError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _to_int(raw: Any) -> int | None:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError, OverflowError):
        return None


def _to_float(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


class DataOptions:
    """Options merged from the source string and the document; errors name the option."""

    def __init__(self, values: dict[str, Any] | None = None, origin: str = "data options"):
        self.values = dict(values or {})
        self.origin = origin
        self.used: set[str] = set()

    def _fail(self, key: str, value: Any, wanted: str) -> None:
        raise DataError(f"{self.origin}: option {key}={value!r} must be {wanted}.")

    def has(self, key: str) -> bool:
        return key in self.values and self.values[key] not in (None, "")

    def str(self, key: str, default: str | None = None, choices: tuple[str, ...] | None = None) -> str | None:
        self.used.add(key)
        if not self.has(key):
            return default
        value = str(self.values[key]).strip()
        if choices is not None and value not in choices:
            self._fail(key, value, "one of " + ", ".join(choices))
        return value

    def int(self, key: str, default: int | None, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        self.used.add(key)
        if not self.has(key):
            return default
        raw = self.values[key]
        value = _to_int(raw)
        if value is None:
            self._fail(key, raw, "a whole number")
        if minimum is not None and value < minimum:
            self._fail(key, raw, f"at least {minimum}")
        if maximum is not None and value > maximum:
            self._fail(key, raw, f"at most {maximum}")
        return value

    def float(self, key: str, default: float | None, minimum: float | None = None,
              maximum: float | None = None) -> float | None:
        self.used.add(key)
        if not self.has(key):
            return default
        raw = self.values[key]
        value = _to_float(raw)
        if value is None:
            self._fail(key, raw, "a number")
        if minimum is not None and value < minimum:
            self._fail(key, raw, f"at least {minimum}")
        if maximum is not None and value > maximum:
            self._fail(key, raw, f"at most {maximum}")
        return value

    def bool(self, key: str, default: bool) -> bool:
        self.used.add(key)
        if not self.has(key):
            return default
        raw = self.values[key]
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self._fail(key, raw, "true or false")
        return default

    def list(self, key: str) -> list[str]:
        self.used.add(key)
        if not self.has(key):
            return []
        raw = self.values[key]
        if isinstance(raw, (list, tuple)):
            return [str(v).strip() for v in raw if str(v).strip()]
        return [part.strip() for part in str(raw).split(",") if part.strip()]
