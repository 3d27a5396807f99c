"""``python -m leadcore``: the command line, one module per area in ``commands``; each registers its commands on
``app``.

It may import every feature package; nothing in leadcore imports it.
"""

from leadcore.cli.app import app
from leadcore.cli.commands import (  # noqa: F401  (each registers its commands)
    accounts,
    database,
    discovery,
    duplicates,
    enrichment,
    imports,
    jobs,
    leads,
    outreach,
    work,
)

__all__ = ["app"]
