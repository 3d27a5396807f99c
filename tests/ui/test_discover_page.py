"""The Discover page: a demo search with counts and labels, dedupe on a second run, history and re-run."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.discovery.runs import list_searches


@pytest.fixture
def discover(make, new_app, logged_in, monkeypatch):
    """The Discover page, opened by a signed-in rep; the app runs its own job worker (as `streamlit run` does)."""
    from leadcore.config import settings

    monkeypatch.setenv("LEADCORE_INLINE_WORKER", "1")
    settings.cache_clear()

    def open_page(role: str = "rep") -> AppTest:
        user = make.user(role)
        at = logged_in(new_app(), user).run()
        at.switch_page("pages/discover.py").run()
        assert not at.exception
        at.actor = user  # type: ignore[attr-defined]
        return at

    return open_page


def search(at: AppTest, text: str, *, limit: int = 10, mode: str | None = None) -> AppTest:
    next(w for w in at.text_input if w.label == "Search for").set_value(text)
    at.number_input[0].set_value(limit)
    if mode:
        at.radio[0].set_value(mode)
    next(b for b in at.button if b.label == "Search").click()
    at.run()
    return wait_for_result(at)


def wait_for_result(at: AppTest, timeout: float = 30.0) -> AppTest:
    """The search runs as a job on the app's own worker: rerun the page (as its progress fragment does) until the
    result panel shows, or an error does."""
    deadline = time.monotonic() + timeout
    while not at.metric and not at.error and not at.exception:
        assert time.monotonic() < deadline, "the background search did not finish"
        time.sleep(0.1)
        at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_first_visit_explains_what_to_do(discover):
    at = discover()
    assert at.title[0].value == "Discover leads"
    assert any("No searches yet" in c.value for c in at.caption)
    assert [o for o in at.selectbox[0].options] == ["Demo data (offline)"]


def test_demo_search_shows_counts_the_demo_label_and_a_link_to_the_grid(discover, app_db):
    at = search(discover(), "VP Engineering fintech", limit=10)
    assert not at.exception
    assert metrics(at) == {"Found": "10", "New": "10", "Already known": "0", "Invalid": "0"}
    assert any("Demo data" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert len(table) == 10
    assert set(table["Result"]) == {"New"}
    links = [p for p in at.page_link if "in the Leads grid" in p.value]
    assert len(links) == 1
    search_id = list_searches(app_db.uow(), at.actor)[0]["id"]
    assert links[0].proto.query_string == f"search_id={search_id}"


def test_running_the_same_search_twice_marks_leads_already_known(discover):
    at = search(discover(), "VP Engineering fintech", limit=10)
    at = search(at, "VP Engineering fintech", limit=10)
    assert not at.exception
    m = metrics(at)
    assert m["Found"] == "10"
    assert m["Already known"] == "10"
    assert m["New"] == "0"
    assert not at.dataframe  # the table lists the leads a background search added: none
    assert not [p for p in at.page_link if "Leads grid" in p.value]  # nothing new to open


def test_overlapping_search_shows_new_and_known_side_by_side(discover):
    at = search(discover(), "VP Engineering fintech", limit=10)
    at = search(at, "VP Engineering fintech", limit=30)
    m = metrics(at)
    assert int(m["Already known"]) >= 10
    assert int(m["New"]) > 0
    assert set(at.dataframe[0].value["Result"]) == {"New"}
    assert len(at.dataframe[0].value) == int(m["New"])


def test_empty_query_is_refused_in_words(discover):
    at = search(discover(), "   ")
    assert not at.exception
    assert "Type what to search for" in at.error[0].value
    assert not at.metric


def test_history_lists_runs_and_rerun_runs_the_search_again(discover, app_db):
    at = search(discover(), "Head of Sales", limit=5, mode="company")
    runs = list_searches(app_db.uow(), at.actor)
    assert len(runs) == 1
    at.button(key=f"rerun_{runs[0]['id']}").click().run()
    at = wait_for_result(at)
    assert not at.exception
    assert metrics(at)["Already known"] == "5"
    runs = list_searches(app_db.uow(), at.actor)
    assert len(runs) == 2
    assert runs[0]["query"] == "Head of Sales" and runs[0]["mode"] == "company"
    # both runs are listed, each with a re-run button
    assert {f"rerun_{r['id']}" for r in runs} <= {b.key for b in at.button}


def test_file_imports_in_history_have_no_rerun_button(discover, app_db):
    from leadcore.fileimport.importer import commit_import
    from leadcore.fileimport.reading import read_table

    at = discover()
    table = read_table(b"name,email\nAna Lee,ana@acme.io\n", "people.csv")
    summary = commit_import(app_db.uow(), at.actor, table, filename="people.csv")
    at.run()
    assert not at.exception
    assert f"rerun_{summary.search_id}" not in {b.key for b in at.button}
    assert any(m.value == "File: people.csv" for m in at.markdown)


class FlakyProvider:
    """A provider whose source fails after ``pages_ok`` pages (the network edge, faked)."""

    name = "demo"
    label = "Demo data (offline)"
    is_demo = True

    def __init__(self, pages_ok: int) -> None:
        self.pages_ok = pages_ok

    def search(self, query):
        from leadcore.errors import ProviderError
        from leadcore.intake.candidates import LeadCandidate

        for n in range(self.pages_ok):
            yield [LeadCandidate(lead_name=f"Person {n}-{i}", email=f"p{n}{i}@acme{n}.io", company=f"Acme {n}")
                   for i in range(3)]
        raise ProviderError("the provider is rate limiting us; try again in a minute", status_code=429)


@pytest.mark.parametrize(("pages_ok", "alert", "words"), [
    (1, "warning", "The search stopped before it finished: the provider is rate limiting us"),
    (0, "error", "The search failed and nothing was saved: the provider is rate limiting us"),
])
def test_a_provider_failure_is_explained_and_keeps_what_was_saved(discover, monkeypatch, pages_ok, alert, words):
    import leadcore.discovery.background

    monkeypatch.setattr(leadcore.discovery.background, "get_provider",
                        lambda name, settings: FlakyProvider(pages_ok))
    at = search(discover(), "anything", limit=10)
    assert not at.exception
    assert words in getattr(at, alert)[0].value
    assert metrics(at)["New"] == str(3 * pages_ok)


@pytest.mark.parametrize("limit", [100_000, -5, 0])
def test_an_out_of_range_count_says_why_and_hides_the_previous_result(discover, app_db, limit):
    at = search(discover(), "VP Engineering fintech", limit=10)
    assert metrics(at)["Found"] == "10"
    at = search(at, "Head of Sales", limit=limit)
    assert not at.exception
    assert any("The search did not run" in e.value and "from 1 to 1000" in e.value for e in at.error)
    assert not at.metric  # the previous run is not shown under the new query
    assert len(list_searches(app_db.uow(), at.actor)) == 1


def test_a_running_search_shows_live_progress_and_cancel_stops_it(discover, app_db, monkeypatch, tmp_path):
    """With no worker running (LEADCORE_INLINE_WORKER=0) a started search waits; its progress comes from the run
    row; Cancel closes it. A user coming back to the page sees it under "Running now"."""
    from sqlalchemy import update

    from leadcore.config import settings
    from leadcore.db.models import LeadSearch
    from leadcore.discovery import background
    from leadcore.discovery.providers import SearchQuery

    monkeypatch.setenv("LEADCORE_INLINE_WORKER", "0")  # after the fixture turned it on, before the app starts
    monkeypatch.setenv("LEADCORE_QUEUE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    settings.cache_clear()
    at = discover()
    search_id = background.start_search(app_db.uow(), at.actor, SearchQuery("Head of Sales", limit=100))
    at.run()
    assert any("waiting for a worker" in p.proto.text for p in at.get("progress"))
    with app_db.uow() as uow:  # a worker saved two pages
        uow.session.execute(update(LeadSearch).where(LeadSearch.id == search_id)
                            .values(pages=2, returned=50, saved=45, duplicates=5))
        uow.commit()
    at.run()
    texts = [p.proto.text for p in at.get("progress")]
    assert any("page 2 of about 4: 50 found, 45 new, 5 already known" in t for t in texts), texts
    at.button(key=f"cancel_{search_id}").click().run()
    assert not at.exception
    assert not at.get("progress")
    assert background.search_progress(app_db.uow(), at.actor, search_id)["state"] == "cancelled"
