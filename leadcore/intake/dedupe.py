"""Match keys for dedupe (SPEC §5): pure normalizers, the keys of one candidate, in-batch clustering.

Every normalizer takes any ``str`` (or None) and never raises; a value that identifies nothing gives
None. Precision beats recall throughout: a wrong merge destroys a lead, a missed one only leaves a
duplicate someone can see.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from leadcore.emails import is_free_mail_domain, is_role_local_part
from leadcore.intake import validation
from leadcore.intake.candidates import LeadCandidate, LeadType
from leadcore.intake.domains import linkedin_norm, registrable_domain

__all__ = [
    "MatchKeys",
    "cluster",
    "company_domain",
    "company_name_key",
    "email_key",
    "email_norm",
    "fallback_name_key",
    "is_plausible_email",
    "linkedin_norm",
    "match_keys",
    "name_key",
    "person_name_key",
    "phone_norm",
    "registrable_domain",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_APOSTROPHES = "'’‘ʼ`´"
_NO_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
# Letters NFKD does not decompose but people type without the stroke all the same.
_UNSTROKED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
_HONORIFICS = _words("dr mr mrs ms miss mx prof sir dame rev")
_NAME_SUFFIXES = _words("jr sr ii iii iv phd md mba esq dds cpa")
_LEGAL_SUFFIXES = _words(
    "inc incorporated llc llp lp ltd limited gmbh mbh ag kg ug se sa sas sarl sl spa srl sro bv nv plc corp "
    "corporation co company oy oyj ab as asa aps pty pte pvt kk lda ltda ohg"
)
# Company fields that say "no employer": a name there must not make two people one lead.
_NO_COMPANY = _words("freelance freelancer selfemployed independent na none unknown retired student private") | {
    "confidential",
    "stealth",
    "self employed",
    "n a",
    "stealth startup",
    "stealth mode",
}
_LINKEDIN_KINDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    LeadType.INDIVIDUAL: ("in", "pub"), LeadType.COMPANY: ("company", "school", "showcase"),
}


def is_plausible_email(raw: str) -> bool:
    """True when ``raw`` (trimmed, any case) looks like one deliverable address: ``local@host.tld``."""
    return isinstance(raw, str) and _plausible(raw.strip().lower())


def _plausible(addr: str) -> bool:
    # One rule for "plausible" everywhere: validation decides what a row may hold, dedupe what is a key.
    return len(addr) <= 254 and validation.is_plausible_email(addr)


def email_norm(raw: str | None) -> str | None:
    """Trimmed, lowercased address; Gmail loses dots and ``+tags``. None when not plausible."""
    if not raw or not isinstance(raw, str):
        return None
    addr = raw.strip().lower()
    if not _plausible(addr):
        return None
    local, domain = addr.split("@")
    if domain in _GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
        if not local:
            return None
    return f"{local}@{domain}"


def email_key(raw: str | None) -> str | None:
    """The email match key: ``email_norm`` unless it is a role address (``info@``, ``sales@``)."""
    return _key_of_address(email_norm(raw))


def _key_of_address(addr: str | None) -> str | None:
    if addr is None or is_role_local_part(addr.split("@", 1)[0]):
        return None
    return addr


def company_domain(website: str | None, email: str | None) -> str | None:
    """The company's registrable domain: from the website, else from a non-free-mail email."""
    domain = registrable_domain(website)
    if domain is not None:
        return domain
    return _domain_of_address(email_norm(email))


def _first_domain(website_domain: str | None, addr: str | None) -> str | None:
    return website_domain if website_domain is not None else _domain_of_address(addr)


def _domain_of_address(addr: str | None) -> str | None:
    """The registrable domain of a normalized address's host, unless that is a free-mail provider."""
    if addr is None:
        return None
    host = addr.split("@", 1)[1]
    domain = registrable_domain(host)
    if domain is None or is_free_mail_domain(host) or is_free_mail_domain(domain):
        return None
    return domain


def phone_norm(raw: str | None, default_region: str | None = None) -> str | None:
    """E.164 (``+49301234567``) when the number parses and has a possible length, else None."""
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]  # the international prefix most of the world dials
    region = default_region.strip().upper() if isinstance(default_region, str) else None
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _written_as(text, e164):
        return e164  # re-parsing e164 is parsing the same digits again: it is its own normal form
    # Runs of leading zeros ("+31 0000000") re-parse to a shorter number; such a value is no
    # phone number anyone can dial, and a stored key must be its own normal form.
    try:
        again = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164) != e164:
        return None
    return e164


_PHONE_SEPARATORS = str.maketrans("", "", " -.()")


def _written_as(text: str, e164: str) -> bool:
    """Whether ``text`` is ``e164`` with nothing but spaces, hyphens, dots and parentheses between the digits.

    Then parsing ``e164`` again parses the very same digits after the same plus sign (the region plays no part
    once there is a plus, and those separators no part at all), so the second parse of :func:`phone_norm` would
    only repeat the first: the usual case of a provider's ``+49 30 1234567``."""
    return text[0] == "+" and "+" + text[1:].translate(_PHONE_SEPARATORS) == e164


def _fold(text: str) -> str:
    """Casefolded, compatibility-decomposed text without accents, repeated to a fixed point."""
    if text.isascii():
        return text.lower()
    for _ in range(4):
        folded = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).translate(_UNSTROKED)
        if folded == text:
            break
        text = folded
    return text


# A run of letters and digits: in Python's Unicode regular expressions \w is exactly str.isalnum() plus "_".
_ALNUM_RUN = re.compile(r"[^\W_]+")


def _tokens(text: str, *, drop: str) -> list[str]:
    """The runs of letters and digits (str.isalnum) of ``text`` once the characters in ``drop`` are removed."""
    for ch in drop:
        text = text.replace(ch, "")
    return _ALNUM_RUN.findall(text)


def person_name_key(name: str | None) -> str | None:
    """Order-free, accent-free name tokens without honorifics or suffixes: ``John Smith`` = ``Smith, Dr. John``."""
    if not name or not isinstance(name, str):
        return None
    return _person_name_key(name)


@lru_cache(maxsize=65_536)  # names and employers repeat across a team's leads
def _person_name_key(name: str) -> str | None:
    tokens = _tokens(_fold(name.translate(_NO_APOSTROPHES)), drop=_APOSTROPHES)
    kept = sorted(t for t in tokens if t not in _HONORIFICS and t not in _NAME_SUFFIXES)
    return " ".join(kept) or None


def company_name_key(company: str | None) -> str | None:
    """Company name without accents, punctuation, legal form or leading "the": ``The Acme Co., Ltd.`` = ``acme``."""
    if not company or not isinstance(company, str):
        return None
    return _company_name_key(company)


@lru_cache(maxsize=65_536)
def _company_name_key(company: str) -> str | None:
    text = _fold(company.translate(_NO_APOSTROPHES)).replace("&", " and ")
    tokens = _tokens(text, drop=_APOSTROPHES + ".")
    popped = False
    while len(tokens) > 1:
        if tokens[-1] in _LEGAL_SUFFIXES:
            tokens.pop()
            popped = True
        elif tokens[-1] == "and" and popped:
            tokens.pop()  # the "& Co." left behind by "Smith & Co."
        else:
            break
    while len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    return " ".join(tokens) or None


def name_key(lead_type: str, lead_name: str | None, company: str | None) -> str | None:
    """The weak key: ``p:<person>|<company>`` (both needed) or ``c:<company>`` for COMPANY leads. A person with
    neither this nor a strong key gets :func:`fallback_name_key` from :func:`match_keys`."""
    if isinstance(lead_type, str) and lead_type.strip().upper() == LeadType.COMPANY:
        key = company_name_key(lead_name) or company_name_key(company)
        return f"c:{key}" if key else None
    person, firm = person_name_key(lead_name), company_name_key(company)
    if not person or not firm or firm in _NO_COMPANY:
        return None
    return f"p:{person}|{firm}"


@dataclass(frozen=True)
class MatchKeys:
    """The normalized match columns of one lead."""

    email_norm: str | None
    linkedin_norm: str | None
    domain: str | None
    phone_norm: str | None
    name_key: str | None

    def strong(self, lead_type: str) -> tuple[tuple[str, str], ...]:
        """The keys that alone prove identity; the domain counts only for COMPANY leads."""
        keys: list[tuple[str, str]] = []
        if self.email_norm:
            keys.append(("email", self.email_norm))
        if self.linkedin_norm:
            keys.append(("linkedin", self.linkedin_norm))
        if self.domain and isinstance(lead_type, str) and lead_type.strip().upper() == LeadType.COMPANY:
            keys.append(("domain", self.domain))
        return tuple(keys)


def match_keys(c: LeadCandidate, *, default_region: str | None = None, phone: bool = True) -> MatchKeys:
    """All match keys of a candidate. ``phone=False`` leaves ``phone_norm`` None: the phone is stored normalized
    but matches nothing, and parsing it is the costliest key."""
    lead_type = (c.type or LeadType.INDIVIDUAL.value).strip().upper()
    linkedin = linkedin_norm(c.linkedin_url)
    # A person whose LinkedIn link is their employer's page (common in scraped data) would
    # otherwise merge with every colleague; a page of the wrong kind is no key.
    kinds = _LINKEDIN_KINDS_BY_TYPE.get(lead_type)
    if linkedin and kinds and linkedin.split("/")[1] not in kinds:
        linkedin = None
    addr = email_norm(c.email)  # once for both keys that read it (email_key and company_domain, inlined)
    email = _key_of_address(addr)
    weak = name_key(lead_type, c.lead_name, c.company)
    if weak is None and email is None and linkedin is None and lead_type == LeadType.INDIVIDUAL:
        weak = fallback_name_key(c, addr)
    return MatchKeys(
        email_norm=email,
        linkedin_norm=linkedin,
        domain=_first_domain(registrable_domain(c.website), addr),
        phone_norm=phone_norm(c.phone, default_region) if phone else None,
        name_key=weak,
    )


_NOT_DIGITS = re.compile(r"\D+")
_PART_MAX = 200  # each part of a fallback key, so the key fits its column


def fallback_name_key(c: LeadCandidate, addr: str | None) -> str | None:
    """The last resort of a person with no key at all (a name without a company, or only a role address such as
    info@): ``k:<name>|<address>|<phone digits>|<location>|<title>``, every part folded. Only a row that agrees on
    all of it matches, so re-importing a team's own export finds its leads again while namesakes who differ in
    anything they are known by stay apart. None without a usable name or with nothing but a name: a common name
    alone never merges two rows (SPEC §5), nor does a role address alone (the name is part of this key)."""
    person = person_name_key(c.lead_name)
    if person is None:
        return None
    digits = _NOT_DIGITS.sub("", c.phone or "")[-9:]
    parts = [addr or "", digits if len(digits) >= 6 else ""]
    parts += [" ".join(_fold(v).split()) if isinstance(v, str) else "" for v in (c.location, c.job_title)]
    if not any(parts):
        return None  # a bare name (or one with "Freelance") says too little: two of them may be two people
    return "k:" + "|".join(p[:_PART_MAX] for p in (person, *parts))


def cluster(keys: list[tuple[str, MatchKeys]]) -> list[int]:
    """Cluster rows of one batch; each row gets the index of the first row of its cluster.

    Rows sharing a strong key are one lead (union-find). A row with no strong key then joins the
    rows with its name key when exactly one cluster with a strong key carries that name key, or
    when none does. Two clusters that both have strong keys never merge on a name: like the
    matcher against stored leads, name + company decides only when one side has nothing to
    disagree with. The result does not depend on the order of the rows, only its labels do.
    """
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    strong = [False] * len(keys)  # per root: does the cluster carry a strong key?

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        root, child = min(ra, rb), max(ra, rb)  # the root is always the cluster's first row
        parent[child] = root
        strong[root] = strong[root] or strong[child]

    first_with: dict[tuple[str, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for i, (lead_type, mk) in enumerate(keys):
        for key in mk.strong(lead_type):
            strong[find(i)] = True
            union(i, first_with.setdefault(key, i))
        if mk.name_key:
            by_name.setdefault(mk.name_key, []).append(i)

    for rows in by_name.values():
        weak = [i for i in rows if not strong[find(i)]]
        anchors = {find(i) for i in rows if strong[find(i)]}
        if not weak or len(anchors) > 1:
            continue  # nothing to join, or two different leads share the name: ambiguous
        target = anchors.pop() if anchors else weak[0]
        for i in weak:
            union(target, i)
    return [find(i) for i in range(len(keys))]
