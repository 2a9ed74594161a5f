"""Fixtures shared by every test."""

from __future__ import annotations

import pytest

from linkage.review import accounts
from linkage.review.testing import use_cheap_password_hashing


@pytest.fixture(autouse=True)
def _cheap_hashing():
    """Fast argon2 parameters: account tests create many passwords."""
    previous = use_cheap_password_hashing()
    yield
    accounts.password_hasher = previous
