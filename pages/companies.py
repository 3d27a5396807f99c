"""Companies: imported from the team's leads, with their people (a list with search; ?id= opens one)."""

from ui import auth, directory

directory.companies_page(auth.actor())
