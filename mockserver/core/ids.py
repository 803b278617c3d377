"""Identifiers shaped like the real API's: a prefix and 24 random characters."""

from __future__ import annotations

import random
import string
from uuid import UUID

_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Makes ids; seeded, so a fake started with the same seed makes the same ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def new(self, prefix: str) -> str:
        return prefix + "_" + "".join(self._random.choices(_ALPHABET, k=24))

    def uuid(self) -> str:
        """A version-4 UUID (the orchestrator API's ids), from the same seeded sequence."""
        return str(UUID(int=self._random.getrandbits(128), version=4))

    def getstate(self) -> object:
        """Where the sequence of ids stands, so a restored fake makes the ids this one would have."""
        return self._random.getstate()

    def setstate(self, state: object) -> None:
        self._random.setstate(state)  # type: ignore[arg-type]
