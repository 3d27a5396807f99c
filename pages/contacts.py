"""Contacts: people imported from the team's leads (a list with search; ?id= opens one)."""

from ui import auth, directory

directory.contacts_page(auth.actor())
