"""API test helpers: a TestClient over the test database and bearer headers for factory-made users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from leadcore.accounts.actors import Actor
from leadcore.accounts.tokens import create_token
from leadcore.api import create_app
from leadcore.db.runtime import Database


class Api:
    """``api.client`` calls the app; ``api.auth(actor)`` is the header for that user's fresh token."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.client = TestClient(create_app(db))

    def auth(self, actor: Actor) -> dict[str, str]:
        assert actor.user_id is not None
        return {"Authorization": f"Bearer {create_token(self.db.uow(), actor.user_id, 'test')}"}


@pytest.fixture
def api(db: Database) -> Iterator[Api]:
    a = Api(db)
    with a.client:
        yield a
