"""Contacts and companies: what imported leads became. Lists with search, one record with the leads it came from,
and the people at a company (the Contacts and Companies pages, GET /api/contacts and /api/companies)."""
