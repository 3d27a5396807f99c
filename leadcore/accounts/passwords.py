"""Password hashing: argon2id, one hasher for the process, replaceable through :func:`hashing_with`.

Production uses the argon2 library's default costs. A caller that needs other costs (the test suite: the same
algorithm at a fraction of the CPU, so a login takes microseconds) swaps the hasher for a block of code instead of
reaching into the module; stored hashes carry their own parameters, so hashes made with either verify with either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher

DEFAULT_HASHER = PasswordHasher()
_active = DEFAULT_HASHER


def hasher() -> PasswordHasher:
    """The hasher that hashes and verifies passwords right now."""
    return _active


@contextmanager
def hashing_with(replacement: PasswordHasher) -> Iterator[PasswordHasher]:
    """Hash and verify with ``replacement`` inside the block (process-wide), then go back to the previous one."""
    global _active
    previous, _active = _active, replacement
    try:
        yield replacement
    finally:
        _active = previous
