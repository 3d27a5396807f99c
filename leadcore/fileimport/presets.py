"""The export formats of the tools sales teams already use: how to recognise each one from its header row, and
which of its columns fill which lead field.

Data, not code: every format is a :class:`Format` with a signature (header patterns only that tool writes) and a
column table of ``(pattern, field)`` rules. A pattern is a regular expression matched in full against the header's
key (lowercase letters and digits only, so ``"E-mail 1 - Value"`` is ``email1value``). ``field`` is a mappable field
(see :mod:`leadcore.fileimport.mapping`) or ``None``: the column is known and deliberately left out of the lead
(Outlook's ``Title`` is the honorific, not a job title); its values still go to the raw record. Where several
columns fill one field (three email columns), the rule listed first wins, then the leftmost column: the first
non-blank value becomes the lead's, the others go to the raw record.

The column lists follow what each tool writes in its CSV export (Google Contacts' current and older formats,
Outlook's "Comma Separated Values", Thunderbird's address book, LinkedIn's ``Connections.csv``, the CRMs' list
exports) and this app's own ``export-csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Rule = tuple[str, str | None]


@dataclass(frozen=True)
class Format:
    key: str
    label: str  # "Google Contacts export": the Import page says "Looks like a …"
    signature: tuple[str, ...]  # header patterns characteristic of this tool
    min_hits: int  # how many signature patterns a header row must match to be this format
    columns: tuple[Rule, ...]


_PHONE_ORDER = ("primaryphone", "businessphone", "mobilephone", "businessphone2", "companymainphone", "homephone",
                "homephone2", "otherphone", "carphone")

FORMATS: tuple[Format, ...] = (
    Format(
        "leadcore", "export of this app", ("id", "leadname", "leadscore", "linkedinurl", "searchquery",
                                          "duplicatecount", "version", "ownername"), 5,
        (("id", "id"), ("version", "version"), ("type", "type"), ("status", "status"), ("leadname", "lead_name"),
         ("email", "email"), ("phone", "phone"), ("jobtitle", "job_title"), ("company", "company"),
         ("location", "location"), ("headquarters", "headquarters"), ("industry", "industry"),
         ("website", "website"), ("linkedinurl", "linkedin_url"), ("leadscore", "lead_score"), ("tags", "tags"),
         ("notes", "notes")),
    ),
    Format(
        "google", "Google Contacts export",
        ("email1value", "phone1value", "organizationname", "organizationtitle", "labels", "email1label",
         "address1formatted", "namesuffix"), 3,
        (("firstname", "first_name"), ("middlename", "middle_name"), ("lastname", "last_name"),
         ("organizationname", "company"), ("organizationtitle", "job_title"), (r"email\d+value", "email"),
         (r"phone\d+value", "phone"), (r"address\d+city", "city"), (r"address\d+region", "state"),
         (r"address\d+country", "country"), (r"website\d+value", "website"), ("notes", "notes"), ("labels", "tags"),
         ),
    ),
    Format(
        "google_old", "Google Contacts export (older format)",
        ("givenname", "familyname", "additionalname", "groupmembership", "email1value", "organization1name",
         "email1type"), 3,
        (("name", "lead_name"), ("givenname", "first_name"), ("additionalname", "middle_name"),
         ("familyname", "last_name"), (r"organization\d+name", "company"), (r"organization\d+title", "job_title"),
         (r"email\d+value", "email"), (r"phone\d+value", "phone"), (r"address\d+city", "city"),
         (r"address\d+region", "state"), (r"address\d+country", "country"), (r"website\d+value", "website"),
         ("location", "location"), ("notes", "notes"), ("groupmembership", "tags")),
    ),
    Format(
        "outlook", "Outlook contacts export",
        ("emailaddress", "email2address", "businessphone", "businesscity", "businesscountryregion", "homestreet",
         "webpage", "jobtitle", "assistantsname"), 4,
        (("firstname", "first_name"), ("middlename", "middle_name"), ("lastname", "last_name"), ("title", None),
         ("suffix", None), ("jobtitle", "job_title"), ("company", "company"),
         ("emailaddress", "email"), (r"email\daddress", "email"), *((p, "phone") for p in _PHONE_ORDER),
         ("webpage", "website"), ("personalwebpage", "website"), ("businesscity", "city"),
         ("businessstate", "state"), ("businesscountryregion", "country"), ("location", "location"),
         ("notes", "notes"), ("categories", "tags")),
    ),
    Format(
        "apple", "Apple Contacts (vCard) export",
        (r"email(work|home|other|internet)", r"phone(mobile|iphone|work|home|main)", r"url\w*",
         r"address\w*city", "note"), 3,
        (("firstname", "first_name"), ("middlename", "middle_name"), ("lastname", "last_name"),
         ("organization", "company"), ("jobtitle", "job_title"), (r"email(work|internet)?", "email"),
         (r"email\w*", "email"), (r"phone(work|main)", "phone"), (r"phone\w*", "phone"),
         (r"url(homepage|work)?", "website"), (r"url\w*", "website"), (r"address\w*city", "city"),
         (r"address\w*(state|region)", "state"), (r"address\w*country", "country"), ("note", "notes")),
    ),
    Format(
        "thunderbird", "Thunderbird address book export",
        ("primaryemail", "secondaryemail", "displayname", "workcity", "webpage1", "mobilenumber", "screenname"), 3,
        (("displayname", "lead_name"), ("firstname", "first_name"), ("lastname", "last_name"),
         ("primaryemail", "email"), ("secondaryemail", "email"), ("workphone", "phone"), ("mobilenumber", "phone"),
         ("homephone", "phone"), ("jobtitle", "job_title"), ("organization", "company"), ("workcity", "city"),
         ("workstate", "state"), ("workcountry", "country"), ("webpage1", "website"), ("webpage2", "website"),
         ("notes", "notes")),
    ),
    Format(
        "linkedin", "LinkedIn Connections export",
        ("firstname", "lastname", "url", "emailaddress", "position", "connectedon"), 5,
        (("firstname", "first_name"), ("lastname", "last_name"), ("url", "linkedin_url"),
         ("emailaddress", "email"), ("company", "company"), ("position", "job_title")),
    ),
    Format(
        "apollo", "Apollo people export",
        ("personlinkedinurl", "companylinkedinurl", "companynameforemails", "emailstatus", "apollocontactid",
         "seniority", "firstphone"), 3,
        (("firstname", "first_name"), ("lastname", "last_name"), ("title", "job_title"), ("company", "company"),
         ("email", "email"), ("firstphone", "phone"), ("workdirectphone", "phone"), ("mobilephone", "phone"),
         ("corporatephone", "phone"), ("homephone", "phone"), ("otherphone", "phone"), ("stage", "status"),
         ("industry", "industry"), ("personlinkedinurl", "linkedin_url"), ("website", "website"),
         ("city", "city"), ("state", "state"), ("country", "country"), ("companycity", "hq_city"),
         ("companystate", "hq_state"), ("companycountry", "hq_country"), ("lists", "tags")),
    ),
    Format(
        "hubspot", "HubSpot contacts export",
        ("recordid", "leadstatus", "lifecyclestage", "associatedcompany", "contactowner", "stateregion",
         "countryregion", "marketingcontactstatus"), 3,
        (("firstname", "first_name"), ("lastname", "last_name"), ("email", "email"), ("phonenumber", "phone"),
         ("mobilephonenumber", "phone"), ("jobtitle", "job_title"), ("companyname", "company"),
         ("associatedcompany", "company"), ("leadstatus", "status"), ("city", "city"), ("stateregion", "state"),
         ("countryregion", "country"), ("websiteurl", "website"), ("industry", "industry"),
         ("linkedinurl", "linkedin_url"), ("notes", "notes")),
    ),
    Format(
        "salesforce_leads", "Salesforce leads export",
        ("leadid", "salutation", "stateprovince", "leadsource", "leadowner", "zippostalcode", "leadstatus"), 4,
        (("firstname", "first_name"), ("lastname", "last_name"), ("title", "job_title"), ("company", "company"),
         ("email", "email"), ("phone", "phone"), ("mobile", "phone"), ("leadstatus", "status"), ("city", "city"),
         ("stateprovince", "state"), ("country", "country"), ("website", "website"), ("industry", "industry"),
         ("description", "notes"), ("rating", None)),
    ),
    Format(
        "salesforce_contacts", "Salesforce contacts export",
        ("contactid", "accountname", "mailingcity", "mailingstateprovince", "mailingcountry", "salutation"), 3,
        (("firstname", "first_name"), ("lastname", "last_name"), ("title", "job_title"),
         ("accountname", "company"), ("email", "email"), ("phone", "phone"), ("mobile", "phone"),
         ("mailingcity", "city"), ("mailingstateprovince", "state"), ("mailingcountry", "country"),
         ("description", "notes")),
    ),
    Format(
        "zoho", "Zoho CRM leads export",
        ("recordid", "leadowner", "noofemployees", "annualrevenue", "emailoptout", "skypeid", "leadstatus",
         "secondaryemail"), 4,
        (("firstname", "first_name"), ("lastname", "last_name"), ("title", "job_title"), ("company", "company"),
         ("email", "email"), ("secondaryemail", "email"), ("phone", "phone"), ("mobile", "phone"),
         ("website", "website"), ("leadstatus", "status"), ("industry", "industry"), ("city", "city"),
         ("state", "state"), ("country", "country"), ("description", "notes"), ("rating", None)),
    ),
    Format(
        "pipedrive", "Pipedrive export",
        (r"person(name|firstname|lastname|organization|owner|labels?)", r"person(email|phone)\w*", "leadtitle",
         "organizationname", r"lead(labels|owner|source)"), 2,
        (("personname", "lead_name"), ("personfirstname", "first_name"), ("personlastname", "last_name"),
         (r"personemail(work)?", "email"), (r"personemail\w*", "email"), (r"personphone(work)?", "phone"),
         (r"personphone\w*", "phone"), ("personjobtitle", "job_title"), ("personorganization", "company"),
         ("organizationname", "company"), (r"personlabels?", "tags"), ("leadlabels", "tags"),
         ("organizationaddress", "headquarters"), ("organizationwebsite", "website")),
    ),
)
_BY_KEY = {f.key: f for f in FORMATS}


def header_key(header: str) -> str:
    """``"E-mail 1 - Value"`` → ``"email1value"``: lowercase letters and digits, nothing else."""
    return re.sub(r"[\W_]+", "", header.casefold())


@lru_cache(maxsize=512)
def _pattern(p: str) -> re.Pattern[str]:
    return re.compile(p)


def signature_hits(fmt: Format, headers: list[str] | tuple[str, ...]) -> int:
    keys = [header_key(h) for h in headers]
    return sum(1 for p in fmt.signature if any(_pattern(p).fullmatch(k) for k in keys))


def detect_format(headers: list[str] | tuple[str, ...]) -> Format | None:
    """The export format whose signature the header row matches best, or ``None`` (a file of our own making)."""
    best: tuple[float, int, Format] | None = None
    for fmt in FORMATS:
        hits = signature_hits(fmt, headers)
        if hits < fmt.min_hits:
            continue
        score = (hits / len(fmt.signature), hits, fmt)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def format_by_key(key: str) -> Format | None:
    return _BY_KEY.get(key)


def rule_for(fmt: Format, header: str) -> tuple[int, str | None] | None:
    """(rank, field) of the first rule of ``fmt`` matching ``header``; the rank orders columns of one field."""
    key = header_key(header)
    for rank, (pattern, field) in enumerate(fmt.columns):
        if _pattern(pattern).fullmatch(key):
            return rank, field
    return None
