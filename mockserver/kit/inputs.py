"""Input values the kit runs workflows with, valid for any project on any target."""

from __future__ import annotations

# A 1x1 PNG as a data URL. A file input takes an asset of the caller's project or a data URL; the
# data URL needs no asset uploaded first, so the kit's runs leave nothing behind on a live API.
SAMPLE_IMAGE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
