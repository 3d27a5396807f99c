"""Managers' browsers load the chart code in idle time after signing in (ui/prefetch.py); reps' do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui import prefetch


def scripts(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.unsafe_allow_javascript]


def test_the_installed_streamlit_has_exactly_one_plotly_module():
    # A Streamlit upgrade that renames or splits the module fails here, not silently in the browser.
    name = prefetch.plotly_chunk()
    assert name is not None, f"no single {prefetch.CHUNK_GLOB} in Streamlit's static files"
    assert (Path(st.__file__).parent / "static" / "static" / "js" / name).stat().st_size > 1_000_000


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_session_prefetches_the_chart_code_once(role, make, new_app, logged_in):
    at = logged_in(new_app(), make.user(role))
    at.switch_page("pages/leads.py").run()  # a link to the grid ("/" hops there first: tests/e2e check that)
    assert not at.exception
    [body] = scripts(at)
    assert json.dumps(prefetch.plotly_chunk()) in body and "requestIdleCallback" in body
    at.run()  # the next rerun of the same session: already asked
    assert not at.exception and not scripts(at)


def test_a_rep_session_does_not(make, new_app, logged_in):
    at = logged_in(new_app(), make.user("rep")).run()
    assert not at.exception and not scripts(at)


def test_signed_out_there_is_nothing_to_prefetch(new_app):
    at = new_app().run()
    assert not at.exception and not scripts(at)
