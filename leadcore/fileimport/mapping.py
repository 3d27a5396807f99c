"""Mapping an uploaded file's column headers onto lead fields (guessed first, then editable)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# The lead fields a column can fill, in the order a mapping editor shows them.
LEAD_FIELDS: tuple[str, ...] = (
    "type",
    "lead_name",
    "email",
    "phone",
    "job_title",
    "company",
    "location",
    "headquarters",
    "industry",
    "website",
    "linkedin_url",
    "lead_score",
    "notes",
    "tags",
    "status",
)
# Not lead fields: ``apply_mapping`` joins them into ``lead_name`` when no name column is filled.
NAME_PART_FIELDS: tuple[str, ...] = ("first_name", "last_name")
# Not a candidate field either: the import marks the saved lead do-not-contact when the cell says yes.
OPT_OUT_FIELD = "do_not_contact"
MAPPABLE_FIELDS: tuple[str, ...] = LEAD_FIELDS + NAME_PART_FIELDS + (OPT_OUT_FIELD,)
_YES = frozenset({"1", "y", "yes", "true", "x", "unsubscribed", "opted out", "optedout", "opt out", "dnc"})


def opted_out(value: str | None) -> bool:
    """Whether an unsubscribe / do-not-contact cell says yes ("yes", "true", "1", "x", "unsubscribed" …)."""
    return (value or "").strip().casefold() in _YES

# Header spellings per field, compared after _key() (lowercase, letters and digits only), so
# "E-mail Address", "email_address" and "emailAddress" are all "emailaddress".
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "type": ("type", "kind", "leadtype", "recordtype"),
    "lead_name": (
        "leadname", "name", "fullname", "contact", "contactname", "contactperson", "person",
        "personname",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "fname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname"),
    "email": (
        "email", "mail", "emailaddress", "workemail", "businessemail", "emailid", "mailaddress",
    ),
    "phone": (
        "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "tel", "telephone",
        "telephonenumber", "cell", "cellphone", "workphone", "directphone",
    ),
    "job_title": ("jobtitle", "title", "position", "role", "job", "jobrole", "jobposition"),
    "company": (
        "company", "companyname", "organization", "organisation", "organizationname",
        "organisationname", "org", "employer", "account", "accountname",
    ),
    "location": ("location", "city", "region", "country", "address", "state"),
    "headquarters": ("headquarters", "hq", "headquarter", "headoffice", "companyheadquarters"),
    "industry": ("industry", "sector", "vertical"),
    "website": (
        "website", "url", "domain", "homepage", "web", "site", "websiteurl", "webaddress",
        "companywebsite", "companydomain", "companyurl",
    ),
    "linkedin_url": (
        "linkedinurl", "linkedin", "linkedinprofile", "linkedinprofileurl", "li", "linkedinlink",
        "linkedinpage",
    ),
    "lead_score": ("leadscore", "score", "rating"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "tags": ("tags", "tag", "label", "labels"),
    "status": ("status", "leadstatus"),
    "do_not_contact": (
        "donotcontact", "dnc", "unsubscribed", "unsubscribe", "optout", "optedout", "emailoptout",
        "hasoptedoutofemail", "donotemail", "emailunsubscribed", "unsubscribedfromemails",
    ),
}
_BY_KEY: dict[str, str] = {key: field for field, keys in _SYNONYMS.items() for key in keys}
# "leadEmail", "contactPhone": a prefix naming the record, not the field.
_PREFIXES = ("lead", "contact")


def _key(header: str) -> str:
    return re.sub(r"[\W_]+", "", header.casefold())


def _field_for(header: str) -> str | None:
    key = _key(header)
    if key in _BY_KEY:
        return _BY_KEY[key]
    for prefix in _PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in _BY_KEY:
            return _BY_KEY[key[len(prefix) :]]
    return None


def guess_mapping(headers: Sequence[str]) -> dict[str, str | None]:
    """Each header → the field it most likely holds (see ``MAPPABLE_FIELDS``), or ``None`` to ignore it.

    Matching ignores case, spaces and punctuation. A field is filled by one column only: the first
    header that names it wins and later ones map to ``None``.
    """
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        field = _field_for(header)
        if field is not None and field in taken:
            field = None
        if field is not None:
            taken.add(field)
        mapping[header] = field
    return mapping


def apply_mapping(
    row: Sequence[str], headers: Sequence[str], mapping: Mapping[str, str | None]
) -> dict[str, str]:
    """One row as ``{lead field: raw text}`` for every field some column maps to.

    Headers mapped to ``None`` or to an unknown field are ignored. When several columns map to one
    field, the first non-blank value wins. ``first_name``/``last_name`` are joined into
    ``lead_name`` unless a name column already gave one.
    """
    values: dict[str, str] = {}
    for i, header in enumerate(headers):
        field = mapping.get(header)
        if field is None or field not in MAPPABLE_FIELDS:
            continue
        cell = row[i] if i < len(row) else ""
        if field not in values or (not values[field].strip() and cell.strip()):
            values[field] = cell
    first = values.pop("first_name", "").strip()
    last = values.pop("last_name", "").strip()
    if (first or last) and not values.get("lead_name", "").strip():
        values["lead_name"] = " ".join(part for part in (first, last) if part)
    return values
