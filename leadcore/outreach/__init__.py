"""Outreach email: templates with merge fields rendered in Jinja2's sandbox (``templates``), messages built and
handed to the company's SMTP server (``mailer``), and the outbox, the database queue every send goes through, with
do-not-contact, repeat protection, the per-minute rate limit and the per-rep daily cap (``outbox``, drained by
``sending.send_pending``).

Imports leadcore.grid (a bulk send over a grid filter), leadcore.leads/events (the timeline, NEW → CONTACTED),
accounts, db, config and errors; never a screen.
"""
