"""The password hasher seam: swapped for a block, restored after it, and hashes verify whichever made them."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from leadcore.accounts import passwords


def test_hashing_with_swaps_the_hasher_for_the_block_and_restores_it() -> None:
    before = passwords.hasher()
    cheaper = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    with passwords.hashing_with(cheaper) as active:
        assert active is cheaper and passwords.hasher() is cheaper
    assert passwords.hasher() is before


def test_the_previous_hasher_comes_back_even_when_the_block_fails() -> None:
    before = passwords.hasher()
    with pytest.raises(RuntimeError), passwords.hashing_with(PasswordHasher(time_cost=1, memory_cost=512)):
        raise RuntimeError("boom")
    assert passwords.hasher() is before


def test_a_hash_carries_its_costs_so_the_production_hasher_verifies_a_cheap_one() -> None:
    stored = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("correct horse")
    assert stored.startswith("$argon2id$") and "m=512,t=1,p=1" in stored
    assert passwords.DEFAULT_HASHER.verify(stored, "correct horse")
    with pytest.raises(VerifyMismatchError):
        passwords.DEFAULT_HASHER.verify(stored, "wrong horse")
    assert passwords.DEFAULT_HASHER.check_needs_rehash(stored)  # a login upgrades it to the production costs
