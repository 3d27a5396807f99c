"""Who is calling: the database of the app and the user behind ``Authorization: Bearer <token>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from leadcore.accounts.actors import Actor
from leadcore.accounts.tokens import authenticate_token
from leadcore.api.errors import ApiError
from leadcore.db.runtime import Database, open_database
from leadcore.errors import AuthError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="leadcore"'}

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A per-user API token: `python -m leadcore create-token --email you@example.com`.",
)


def get_database(request: Request) -> Database:
    """The app's database; the configured one is opened (and migrated) on the first request that needs it."""
    db: Database | None = request.app.state.database
    if db is None:
        db = open_database()
        request.app.state.database = db
    return db


DbDep = Annotated[Database, Depends(get_database)]


def current_actor(
    db: DbDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    """The token's user as an Actor; 401 with a Bearer challenge when the token is missing, unknown or revoked."""
    if credentials is None:
        raise ApiError(401, "unauthorized", "Send an API token: 'Authorization: Bearer <token>'", headers=CHALLENGE)
    try:
        info = authenticate_token(db.uow(), credentials.credentials)
    except AuthError as e:
        raise ApiError(401, "unauthorized", str(e), headers=CHALLENGE) from None
    return info.actor()


ActorDep = Annotated[Actor, Depends(current_actor)]
