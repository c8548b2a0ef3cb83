"""A problem found in a design: an error (cannot build/train) or a warning (probably a mistake)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class DesignIssue:
    """``layer_index`` is 0-based into ``document.model.layers``; ``None`` for the whole model."""

    message: str
    layer_index: int | None = None
    severity: str = ERROR
    layer_type: str | None = None

    def format(self) -> str:
        """One line for people: ``layer 2 (Conv2D): …``, layers counted from 1."""
        if self.layer_index is None:
            return self.message
        kind = f" ({self.layer_type})" if self.layer_type else ""
        return f"layer {self.layer_index + 1}{kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "layer_index": self.layer_index, "severity": self.severity,
                "text": self.format()}
