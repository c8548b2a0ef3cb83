"""Scripted user journeys for ``selftest --journey``: the real window driven like a user."""

from __future__ import annotations

from typing import Any

from workbench.core.errors import NotAvailableYet


def _playground_journey(window, app, args, shoot) -> dict[str, Any]:
    from workbench.gui.playground.journeys import playground_journey

    return playground_journey(window, app, args, shoot)


def _generate_journey(window, app, args, shoot) -> dict[str, Any]:
    from workbench.gui.playground.journeys import generate_journey

    return generate_journey(window, app, args, shoot)


def _train_journey(window, app, args, shoot) -> dict[str, Any]:
    from workbench.gui.train.journey import train_journey

    return train_journey(window, app, args, shoot)


# One small function per journey, registered here.
JOURNEYS = {
    "train": _train_journey,
    "playground": _playground_journey,
    "generate": _generate_journey,
}


def run_journey(name: str, window, app, args, shoot) -> dict[str, Any]:
    """Run the journey ``name``; returns JSON-ready facts read from the widgets themselves."""
    journey = JOURNEYS.get(name)
    if journey is None:
        raise NotAvailableYet(f'the "{name}" journey is not available yet in this version.')
    return journey(window, app, args, shoot)
