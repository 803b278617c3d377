"""The contract suite: run ``pytest contracts/suite`` (a fresh fake in process), or see ``--kit-target``.

Its options are listed under "contract kit" in ``pytest contracts/suite --help``.
"""

from mockserver.kit.plugin import (  # noqa: F401  (pytest finds hooks and fixtures by name here)
    kit,
    pytest_addoption,
    pytest_configure,
    pytest_terminal_summary,
    pytest_unconfigure,
)
