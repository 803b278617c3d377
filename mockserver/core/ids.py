"""Identifiers shaped like the real API's: a prefix and 24 random characters."""

from __future__ import annotations

import random
import string
from typing import Any
from uuid import UUID

from mockserver.core.errors import BadRequest

_ALPHABET = string.ascii_letters + string.digits
_MALFORMED = "ids must be the id sequence's state as a snapshot wrote it"


class IdFactory:
    """Makes ids; seeded, so a fake started with the same seed makes the same ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)

    def new(self, prefix: str) -> str:
        return prefix + "_" + "".join(self._random.choices(_ALPHABET, k=24))

    def uuid(self) -> str:
        """A version-4 UUID (the orchestrator API's ids), from the same seeded sequence."""
        return str(UUID(int=self._random.getrandbits(128), version=4))

    def reset(self) -> None:
        """Start the sequence over from the seed, as a new fake would."""
        self._random.seed(self._seed)

    # ---- state: where the sequence stands, so a restored fake makes the ids this one would have

    def snapshot(self) -> list[Any]:
        version, internal, gauss = self._random.getstate()
        return [version, list(internal), gauss]

    @staticmethod
    def parse_snapshot(value: Any) -> tuple[Any, ...]:
        if (
            not isinstance(value, list)
            or len(value) != 3
            or not isinstance(value[1], list)
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in value[1])
        ):
            raise BadRequest(_MALFORMED)
        state = (value[0], tuple(value[1]), value[2])
        try:
            random.Random().setstate(state)
        except (TypeError, ValueError):
            raise BadRequest(_MALFORMED) from None
        return state

    def restore(self, state: tuple[Any, ...]) -> None:
        self._random.setstate(state)
