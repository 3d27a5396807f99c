"""Mapping an uploaded file's column headers onto lead fields (guessed first, then editable)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from leadcore.errors import InvalidInput
from leadcore.fileimport.presets import Format, rule_for

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
NAME_PART_FIELDS: tuple[str, ...] = ("first_name", "middle_name", "last_name")
# Parts of a place: joined "City, State, Country" into ``location`` (``hq_*``: ``headquarters``) when that is blank.
PLACE_PART_FIELDS: tuple[str, ...] = ("city", "state", "country", "hq_city", "hq_state", "hq_country")
# Our own export's row identity: the lead a row of ``--mode update`` changes, and the version it was exported at.
IDENTITY_FIELDS: tuple[str, ...] = ("id", "version")
# Not a candidate field either: the import marks the saved lead do-not-contact when the cell says yes.
OPT_OUT_FIELD = "do_not_contact"
MAPPABLE_FIELDS: tuple[str, ...] = (LEAD_FIELDS + NAME_PART_FIELDS + PLACE_PART_FIELDS + IDENTITY_FIELDS
                                    + (OPT_OUT_FIELD,))
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
    "middle_name": ("middlename", "additionalname"),
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
    "location": ("location", "region", "address"),
    "city": ("city", "town"),
    "state": ("state", "province", "stateprovince", "stateregion"),
    "country": ("country", "countryregion"),
    "headquarters": ("headquarters", "hq", "headquarter", "headoffice", "companyheadquarters"),
    "industry": ("industry", "sector", "vertical"),
    "website": (
        "website", "url", "domain", "homepage", "web", "site", "websiteurl", "webaddress",
        "companywebsite", "companydomain", "companyurl",
    ),
    "linkedin_url": (
        "linkedinurl", "linkedin", "linkedinprofile", "linkedinprofileurl", "li", "linkedinlink",
        "linkedinpage", "personlinkedinurl",
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


def field_for_header(header: str) -> str | None:
    """The field a header names by the generic synonyms, or ``None``."""
    return _field_for(header)


def guess_mapping(headers: Sequence[str], fmt: Format | None = None) -> dict[str, str | None]:
    """Each header → the field it most likely holds (see ``MAPPABLE_FIELDS``), or ``None`` to ignore it.

    With a recognised export format ``fmt`` its column table decides first (several columns may then fill one
    field: the first non-blank value wins, see :func:`column_ranks`). Any other header is matched against the
    generic synonyms, ignoring case, spaces and punctuation, and there a field is filled by one column only: the
    first header that names it wins and later ones map to ``None``.
    """
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    by_format: dict[str, str | None] = {}
    if fmt is not None:
        for header in headers:
            rule = rule_for(fmt, header)
            if rule is not None:
                by_format[header] = rule[1]
                if rule[1] is not None:
                    taken.add(rule[1])
    for header in headers:
        if header in by_format:
            mapping[header] = by_format[header]
            continue
        field = _field_for(header)
        if field in IDENTITY_FIELDS or (field is not None and field in taken):
            field = None
        if field is not None:
            taken.add(field)
        mapping[header] = field
    return mapping


def column_ranks(headers: Sequence[str], fmt: Format | None = None) -> dict[str, int]:
    """The order in which columns of one field are read: the format's rule order, then the synonym order."""
    ranks: dict[str, int] = {}
    for header in headers:
        rule = rule_for(fmt, header) if fmt is not None else None
        if rule is not None:
            ranks[header] = rule[0]
            continue
        key = _key(header)
        field = _field_for(header)
        syn = _SYNONYMS.get(field or "", ())
        ranks[header] = 1000 + (syn.index(key) if key in syn else len(syn))
    return ranks


def apply_mapping(
    row: Sequence[str],
    headers: Sequence[str],
    mapping: Mapping[str, str | None],
    ranks: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """One row as ``{lead field: raw text}`` for every field some column maps to.

    Headers mapped to ``None`` or to an unknown field are ignored. When several columns map to one
    field, the first non-blank value wins (in ``ranks`` order, then left to right). Name parts are joined into
    ``lead_name`` unless a name column already gave one; city/state/country into ``location`` (and
    ``hq_*`` into ``headquarters``) unless a location column gave one.
    """
    values = {field: cell for field, cell, _ in mapped_cells(row, headers, mapping, ranks)}
    compose_parts(values)
    return values


def mapped_cells(
    row: Sequence[str],
    headers: Sequence[str],
    mapping: Mapping[str, str | None],
    ranks: Mapping[str, int] | None = None,
) -> list[tuple[str, str, str]]:
    """(field, cell, header) of the column each mapped field is read from: the first non-blank in rank order."""
    order = sorted(range(len(headers)), key=lambda i: ((ranks or {}).get(headers[i], 0), i))
    chosen: dict[str, tuple[str, int]] = {}
    for i in order:
        field = mapping.get(headers[i])
        if field is None or field not in MAPPABLE_FIELDS:
            continue
        cell = row[i] if i < len(row) else ""
        if field not in chosen or (not chosen[field][0].strip() and cell.strip()):
            chosen[field] = (cell, i)
    first_column = {field: min(i for i, h in enumerate(headers) if mapping.get(h) == field) for field in chosen}
    ordered = sorted(chosen.items(), key=lambda kv: first_column[kv[0]])
    return [(field, cell, headers[i]) for field, (cell, i) in ordered]


_COMPOSED = (
    ("lead_name", ("first_name", "middle_name", "last_name"), " "),
    ("location", ("city", "state", "country"), ", "),
    ("headquarters", ("hq_city", "hq_state", "hq_country"), ", "),
)


def compose_parts(values: dict[str, str]) -> None:
    """Join name and place parts into their field (in place) unless that field already has a value."""
    for target, parts, sep in _COMPOSED:
        given = [values.pop(p, "").strip() for p in parts]
        if any(given) and not values.get(target, "").strip():
            values[target] = sep.join(g for g in given if g)


def parse_overrides(pairs: Sequence[str]) -> dict[str, str | None]:
    """``["Phone 2=phone", "Notes=ignore"]`` → ``{"Phone 2": "phone", "Notes": None}``; InvalidInput otherwise."""
    out: dict[str, str | None] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        field = field.strip().lower()
        if not sep or not header.strip():
            raise InvalidInput(f"--map {pair!r} is not HEADER=FIELD", field="mapping")
        if field not in (*MAPPABLE_FIELDS, "ignore"):
            raise InvalidInput(f"--map {pair!r}: FIELD must be one of {', '.join(MAPPABLE_FIELDS)} or ignore",
                               field="mapping")
        out[header.strip()] = None if field == "ignore" else field
    return out
