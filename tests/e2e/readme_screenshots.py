"""Regenerate the README screenshots: ``python -m tests.e2e.readme_screenshots [--database-url sqlite:////tmp/x.db]``.

Builds a realistic workspace (``seed-demo 800 --seed 3``, two demo discovery runs, a manager and three reps, leads
assigned, worked and imported through leadcore's own services), serves it with ``streamlit run app.py`` and saves
``docs/screenshots/leads.png`` (the grid, 1440×900 viewport) and ``docs/screenshots/analytics.png`` (the manager's
analytics page, full length), each reduced to a 256-colour PNG so it stays small. The database file is replaced.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from leadcore.accounts.users import authenticate
from leadcore.db.models import Lead
from leadcore.db.runtime import open_database
from leadcore.leads import bulk, conversion, edits
from leadcore.leads.bulk import BulkChange

from .app_driver import Grid, go, heading, log_in, open_app
from .conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, VIEWPORT, StreamlitServer, shot, wait_idle

OUT = ROOT / "docs" / "screenshots"
MANAGER = ("maya@example.com", "maya-manager-42", "Maya Manager")
REPS = [("rita@example.com", "rita-rep-4242", "Rita Rep"), ("sam@example.com", "sam-seller-42", "Sam Seller"),
        ("omar@example.com", "omar-owner-42", "Omar Osei")]
MAX_BYTES = 400_000


def build(server: StreamlitServer) -> None:
    """The data: CLI for what the CLI does, leadcore services for the day-to-day work of the team."""
    server.cli("seed-demo", "800", "--seed", "3")
    for email, password, name in [MANAGER, *REPS]:
        role = "manager" if email == MANAGER[0] else "rep"
        server.cli("create-user", "--email", email, "--role", role, "--name", name, "--password-stdin",
                   stdin=password + "\n")
    server.cli("discover", "VP Engineering fintech", "--location", "Berlin", "--limit", "40", "--provider", "demo")
    server.cli("discover", "CTO SaaS", "--location", "London", "--limit", "30", "--provider", "demo")

    db = open_database(server.database_url)
    manager = authenticate(db.uow(), MANAGER[0], MANAGER[1]).actor()
    reps = [authenticate(db.uow(), e, p).actor() for e, p, _ in REPS]
    rng = random.Random(3)
    with db.uow() as uow:
        ids = list(uow.session.scalars(select(Lead.id).order_by(Lead.id)))
    rng.shuffle(ids)
    bulk.bulk_update(db.uow(), manager, ids[540:600], BulkChange(status="REJECTED"))  # an old clean-up
    owned = {rep.user_id: ids[i * 180:(i + 1) * 180] for i, rep in enumerate(reps)}  # the rest stays unassigned
    for rep in reps:
        bulk.bulk_update(db.uow(), manager, owned[rep.user_id], BulkChange().with_owner(rep.user_id))
    # Each rep works their leads: calls, qualifies the good ones, imports some.
    for n, rep in enumerate(reps):
        bulk.bulk_update(db.uow(), rep, owned[rep.user_id][:30 + 10 * n], BulkChange(status="CONTACTED"))
    for n, rep in enumerate(reps):
        bulk.bulk_update(db.uow(), rep, owned[rep.user_id][:12 + 4 * n],
                          BulkChange(status="QUALIFIED", add_tags=("hot",)))
    for n, rep in enumerate(reps):
        conversion.bulk_import(db.uow(), rep, owned[rep.user_id][:5 + 3 * n])
    # This morning's work, one lead at a time and taking turns, so the grid's "Recently updated" shows a mix.
    notes = ["Called, left a voicemail.", "Asked for pricing for 20 seats.", "Intro call booked for Tuesday.",
             "Not the right person; pointed me to their Head of Platform."]
    for k in range(24):
        rep = reps[k % len(reps)]
        lead_id = owned[rep.user_id][60 + k]
        current = edits.get_lead(db.uow(), rep, lead_id)
        status = ("CONTACTED", "QUALIFIED", "CONTACTED", "REJECTED")[k % 4]
        tags = sorted({*current["tags"], *(("follow-up",) if status == "CONTACTED" else ())})
        edits.update_lead(db.uow(), rep, lead_id, {"status": status, "tags": tags},
                          expected_version=current["version"])
        if status == "CONTACTED":
            edits.add_note(db.uow(), rep, lead_id, rng.choice(notes))


def optimize(path: Path) -> int:
    """256 colours, no dithering: UI screenshots keep their look at a fraction of the size."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path.stat().st_size


def capture(server: StreamlitServer) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)  # type: ignore[arg-type]
            ctx.set_default_timeout(90_000)
            expect.set_options(timeout=90_000)
            page = ctx.new_page()
            open_app(page, server.url)
            log_in(page, MANAGER[0], MANAGER[1])
            Grid(page).wait()
            # The team's recent work on top (owners, statuses, tags), and the whole width for the grid's columns.
            page.get_by_role("combobox", name="Sort by").click()
            page.get_by_role("option", name="Recently updated").click()
            page.wait_for_url(re.compile(r"[?&]sort=updated"))
            Grid(page).wait()
            page.get_by_test_id("stSidebar").hover()  # the collapse button only shows on hover
            page.get_by_test_id("stSidebarCollapseButton").get_by_role("button").click()
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
            page.wait_for_timeout(600)  # the slide-out animation
            Grid(page).wait()
            page.mouse.move(0, 0)
            page.wait_for_timeout(500)
            leads_png = OUT / "leads.png"
            page.screenshot(path=str(leads_png))
            page.get_by_test_id("stExpandSidebarButton").click()
            go(page, "Analytics", heading(page, "Conversion by source query"))
            expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
            wait_idle(page)
            page.mouse.move(0, 0)
            analytics_png = shot(page, "readme-analytics", full=True)
            target = OUT / "analytics.png"
            target.write_bytes(analytics_png.read_bytes())
        finally:
            browser.close()
    return [leads_png, target]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.e2e.readme_screenshots", description=__doc__)
    ap.add_argument("--database-url", default="sqlite:////tmp/shots_e2e.db", help="a SQLite file (replaced)")
    args = ap.parse_args(argv)
    path = Path(make_url(args.database_url).database or "")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    server = StreamlitServer(args.database_url)
    try:
        build(server)
        outputs = capture(server)
    finally:
        server.stop()
    status = 0
    for png in outputs:
        size = optimize(png)
        print(f"{png.relative_to(ROOT)}: {size / 1000:.0f} KB")
        if size > MAX_BYTES:
            print(f"  larger than {MAX_BYTES / 1000:.0f} KB", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
