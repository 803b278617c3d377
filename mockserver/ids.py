"""Identifiers shaped like the real API's: a prefix and 24 random characters."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Makes ids; seeded, so a fake started with the same seed makes the same ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def new(self, prefix: str) -> str:
        return prefix + "_" + "".join(self._random.choices(_ALPHABET, k=24))
