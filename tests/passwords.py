"""Argon2 at its cheapest for the tests: the application's hasher is swapped for one of
the same kind (argon2id) with the smallest time and memory cost.

The application hashes with argon2-cffi's recommended cost, about 0.2 s per hash or
check on one core, on purpose (a stolen hash is slow to guess). The tests set and
check hundreds of passwords (every small world signs in eight people), which cost
minutes that prove nothing about the workflow. The hashes stay real argon2id hashes,
checked the same way; tests/web/test_auth.py checks that the application's own
hasher keeps the recommended cost.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from mqa_workflow.web import security

APPLICATION_HASHER: PasswordHasher = security._hasher
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def use_cheap_hashing() -> None:
    """Swap the hasher of this process (the in-process web server's and tasks' too)."""
    for name in ("_hasher", "_DUMMY_HASH"):  # fail loudly if security.py renames them
        getattr(security, name)
    security._hasher = CHEAP_HASHER
    # The unknown-e-mail check must still cost what a wrong password costs.
    security._DUMMY_HASH = CHEAP_HASHER.hash("not-a-real-password")
