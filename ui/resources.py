"""Process-wide resources (cached once for all sessions): the database and the login throttle."""

from __future__ import annotations

import streamlit as st

from leadcore.accounts.users import LoginThrottle
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.runtime import Database, open_database


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """The configured database, migrated to the latest schema on first use."""
    return open_database(settings().database_url)


def uow() -> UnitOfWork:
    """A fresh unit of work for one user action."""
    return database().uow()


@st.cache_resource(show_spinner=False)
def login_throttle() -> LoginThrottle:
    s = settings()
    return LoginThrottle(s.login_max_failures, s.login_lockout_s)
