"""The credits the kit may spend on real runs of a live API, and what it has spent.

Each real run is estimated first by a dry run of the same request; the run goes only if its
estimate still fits in what is left. What is spent is counted as the dry runs estimated it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

DRY_RUN_STATUSES = (402, 269)


@dataclass
class Budget:
    limit: float  # credits
    spent: float = 0.0
    runs: int = 0  # real runs made
    declined: int = 0  # real runs not made: over the budget, or with no estimate
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, estimate: float) -> bool:
        """Count one real run of ``estimate`` credits, if it fits; False (nothing counted) if it does not."""
        with self._lock:
            if self.spent + estimate > self.limit:
                self.declined += 1
                return False
            self.spent += estimate
            self.runs += 1
            return True

    def give_back(self, estimate: float) -> None:
        """The run counted by :meth:`take` was refused by the target: nothing was spent on it."""
        with self._lock:
            self.spent -= estimate
            self.runs -= 1

    def decline(self) -> None:
        with self._lock:
            self.declined += 1

    def describe(self) -> str:
        declined = ""
        if self.declined:
            declined = f"; {self.declined} real run(s) not made, over the budget or with no estimate"
        return (
            f"spent {self.spent:g} of a budget of {self.limit:g} credits on {self.runs} real run(s), "
            f"as their dry runs estimated{declined}"
        )


def estimate_of(status: int, body: Any) -> float | None:
    """A dry run's estimate in credits, from its answer; None when it gave none."""
    # The guide's 402 says estimatedCost; the current API's 269, creativeUnitsCost.
    found = body.get("estimatedCost", body.get("creativeUnitsCost")) if isinstance(body, dict) else None
    cost = found if status in DRY_RUN_STATUSES else None
    valid = isinstance(cost, int | float) and not isinstance(cost, bool) and cost >= 0
    return float(cost) if valid else None
