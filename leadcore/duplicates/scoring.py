"""Whether two leads are the same person or company: a score in 0–1 and the reasons a reviewer reads.

Pure functions over :class:`Record` (the parts of a lead the scan compares). Identity comes from the name; a phone,
an email name or the company corroborates it. A phone shared by more than two leads is a switchboard and proves
nothing; an email domain shows a shared employer, never the same person; a shared brand word ("Delta Dental" /
"Delta Air Lines") is not the same company.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from leadcore.duplicates.names import (
    KNOWN_GIVEN,
    PersonName,
    company_tokens,
    email_parts,
    fold,
    is_free_mail,
    local_key,
    person_name,
    skeleton,
    typo_of,
)

MIN_SCORE = 0.7  # the review queue's default: below it a pair is too weak to show
SWITCHBOARD = 3  # a phone on this many leads (or more) is a shared line, not a person's


@dataclass(frozen=True)
class Record:
    """What the scan knows about one lead."""

    id: int
    type: str
    name: PersonName | None
    company: tuple[str, ...]
    phone: str | None  # the number's last nine digits: the same in every format, with or without country code
    phone_shown: str | None
    local: str | None  # personal email name, separators removed
    domain: str | None  # email domain
    website: str | None  # registrable domain of the website (leads.domain)
    title: str
    location: str
    industry: str


def record(row: dict[str, object]) -> Record:
    """A :class:`Record` from a row of leads columns."""
    kind = str(row.get("type") or "INDIVIDUAL")
    name_text = _s(row.get("lead_name"))
    local, domain = email_parts(_s(row.get("email")) or None)
    company = company_tokens(name_text or _s(row.get("company"))) if kind == "COMPANY" else company_tokens(
        _s(row.get("company")) or None)
    return Record(
        id=int(row["id"]),  # type: ignore[call-overload]
        type=kind,
        name=person_name(name_text or None) if kind == "INDIVIDUAL" else None,
        company=company,
        phone=phone_key(_s(row.get("phone_norm")) or _s(row.get("phone"))),
        phone_shown=_s(row.get("phone_norm")) or _s(row.get("phone")) or None,
        local=local_key(local),
        domain=domain,
        website=_s(row.get("domain")) or None,
        title=fold(_s(row.get("job_title"))).strip(),
        location=fold(_s(row.get("location")) or _s(row.get("headquarters"))).split(",")[0].strip(),
        industry=fold(_s(row.get("industry"))).strip(),
    )


def phone_key(text: str) -> str | None:
    """The last nine digits of a number (E.164 or as written: "+49 30 9780736" = "030 978-0736"), if it has them."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[-9:] if len(digits) >= 9 else None


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Verdict:
    score: float
    reasons: tuple[str, ...]


def compare(a: Record, b: Record, phone_count: dict[str, int]) -> Verdict | None:
    """The score and reasons when ``a`` and ``b`` may be one lead, else None."""
    if a.type != b.type:
        return None
    if a.type == "COMPANY":
        return _companies(a, b, phone_count)
    return _people(a, b, phone_count)


def _first_names(a: PersonName, b: PersonName) -> tuple[float, str | None] | None:
    fa, fb = a.first, b.first
    if not fa or not fb:
        return 0.6, None
    if fa == fb:
        if len(a.first_raw) > 1 < len(b.first_raw) and skeleton(a.first_raw) != skeleton(b.first_raw):
            nick, full = (a.first_raw, b.first_raw) if skeleton(a.first_raw) != fa else (b.first_raw, a.first_raw)
            return 0.95, f"{nick.title()} = {full.title()}"
        return 1.0, None
    if len(fa) == 1 or len(fb) == 1:
        full, initial = (fb, fa) if len(fa) == 1 else (fa, fb)
        return (0.8, f"{initial.upper()}. = {full.title()}") if full[0] == initial else None
    slip = typo_of(fa, fb) or typo_of(a.first_raw, b.first_raw)  # "Rboert": its skeleton lost the "oe"
    if slip and not (fa in KNOWN_GIVEN and fb in KNOWN_GIVEN):
        return 0.85, f"{b.first_raw.title()} ≈ {a.first_raw.title()}"
    return None


def _names(a: PersonName, b: PersonName) -> tuple[float, list[str]] | None:
    if a.last != b.last:
        if a.first and b.first and a.first == b.last and a.last == b.first:  # "Weiss Hiro" = "Hiro Weiss"
            return 0.9, ["first and last name swapped"]
        if not typo_of(a.last, b.last):
            return None
        last, reasons = 0.85, [f"{b.last.title()} ≈ {a.last.title()}"]
    else:
        last, reasons = 1.0, []
    first = _first_names(a, b)
    if first is None:
        return None
    if first[1]:
        reasons.append(first[1])
    if a.middle and b.middle and a.middle[0][0] != b.middle[0][0]:
        return None  # "John A. Smith" and "John B. Smith"
    return (first[0] + last) / 2, reasons


@lru_cache(maxsize=500_000)
def _company_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """1 same, 0.7 a variant, 0 different, None when either is unknown."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    ja, jb = " ".join(a), " ".join(b)
    if len(ja) >= 6 and typo_of(ja, jb):
        return 0.85
    if ja.replace(" ", "") == jb.replace(" ", ""):
        return 1.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if longer[: len(shorter)] == shorter and (len(shorter) >= 2 or len(shorter[0]) >= 5):
        return 0.7  # "Acme" / "Acme Robotics"; a short brand word alone ("Delta") is not enough
    return 0.0


def _phone(a: Record, b: Record, phone_count: dict[str, int]) -> str | None:
    if a.phone and a.phone == b.phone and phone_count.get(a.phone, 0) < SWITCHBOARD:
        return f"same phone {a.phone_shown}"
    return None


def _people(a: Record, b: Record, phone_count: dict[str, int]) -> Verdict | None:
    if a.name is None or b.name is None:
        return None
    names = _names(a.name, b.name)
    if names is None:
        return None
    name_score, reasons = names
    score = 0.55 * name_score
    phone = _phone(a, b, phone_count)
    if phone:
        score += 0.4
        reasons.append(phone)
    # The same name before the @ at two employers is usually just the name (namesakes); at a free-mail address
    # beside a work address it is the same person's private and work mail.
    if a.local and a.local == b.local and a.domain != b.domain and (is_free_mail(a.domain) or is_free_mail(b.domain)):
        score += 0.35
        reasons.append(f"same email name on {a.domain} and {b.domain}")
    company = _company_similarity(a.company, b.company)
    same_domain = a.domain and a.domain == b.domain and not is_free_mail(a.domain)
    if same_domain:
        company = max(company or 0.0, 1.0)
    if company is None:
        pass
    elif company >= 1.0:
        score += 0.3
        reasons.append("same company" + (f" (email domain {a.domain})" if same_domain else ""))
    elif company > 0:
        score += 0.2
        reasons.append(f"similar company: {' '.join(a.company).title()} / {' '.join(b.company).title()}")
    else:
        score -= 0.25
        reasons.append("different companies")
    if a.title and a.title == b.title:
        score += 0.05
        reasons.append("same job title")
    if a.location and a.location == b.location:
        score += 0.05
        reasons.append("same location")
    return _verdict(score, ["same name" if name_score == 1.0 and not reasons else "similar name", *reasons])


def _companies(a: Record, b: Record, phone_count: dict[str, int]) -> Verdict | None:
    similarity = _company_similarity(a.company, b.company)
    if not similarity:
        return None
    reasons = ["same company name" if similarity == 1.0 else
               f"similar company name: {' '.join(a.company).title()} / {' '.join(b.company).title()}"]
    score = 0.7 * similarity
    phone = _phone(a, b, phone_count)
    if phone:
        score += 0.35
        reasons.append(phone.replace("same phone", "same switchboard"))
    if a.website and b.website:
        if a.website == b.website:
            score += 0.3
            reasons.append(f"same website {a.website}")
        elif not phone:
            score -= 0.2
            reasons.append(f"different websites {a.website} / {b.website}")
    if a.location and a.location == b.location:
        score += 0.05
        reasons.append("same location")
    if a.industry and a.industry == b.industry:
        score += 0.03
        reasons.append("same industry")
    return _verdict(score, reasons)


def _verdict(score: float, reasons: list[str]) -> Verdict | None:
    score = round(max(0.0, min(1.0, score)), 2)
    return Verdict(score, tuple(reasons)) if score > 0 else None
