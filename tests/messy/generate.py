"""A messy CSV for evaluating dedupe end to end, with the truth about which rows are one lead.

``generate(path, n_entities=1250, seed=0)`` writes about 3,000 rows (about 2.25 valid rows per
entity plus 5 % invalid rows) under the original camelCase header and returns
``{row_number: entity_id}``, ``None`` for rows that must be rejected as invalid. Row numbers count
data rows from ``first_row_number`` (1 = the line after the header).

Variants of one entity are what real imports look like: Gmail dots and ``+tags``, case and
surrounding spaces in emails, LinkedIn URLs with and without scheme/``www``/country subdomain/
query, websites with paths, names reordered, accented or with honorifics, company legal forms.
Traps that must not merge: namesakes at different companies and at the same company, people
sharing a role address (``info@``), free-mail users, companies sharing a hosting domain
(linktr.ee, github.io, myshopify.com, sites.google.com, wixsite.com), same-named companies on
different domains, and a person at a company next to that company's own lead.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def _split(text: str) -> list[str]:
    return text.split()


HEADER = [
    "leadName",
    "email",
    "phone",
    "jobTitle",
    "company",
    "location",
    "industry",
    "website",
    "linkedinLink",
    "leadScore",
    "type",
]

FIRST = _split(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Carlos Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven "
    "Emily Andrew Donna Kenneth Michelle Joshua Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie "
    "José Zoë François Björn Łukasz Søren Renée Chloé Iñaki Müge Ángel Noémie Jürgen Håkon Anaïs Gaëlle Dóra "
    "Tomás Inés Émile Raphaël Agnès Mateo Priya Wei Yuki Omar Fatima Ivan Olga Sven Ingrid Kofi Amara Hiroshi Mei "
    "Arjun Leila Nikos Eleni"
)
LAST = _split(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Müller Schröder Núñez Álvarez Dubois Lefèvre Østergaard Kowalczyk Wójcik "
    "Söderström Çelik Yılmaz Gómez Peña Fernández Böhm Jäger Brontë Ferreira Conceição Nakamura Tanaka Kim Park "
    "Chen Wang Singh Patel Okafor Mensah Petrov Ivanova Larsen Hansen Novak Horvat Rossi Russo Bianchi Costa "
    "Silva Santos Oliveira"
)
COMMON_NAMES = [("John", "Smith"), ("Maria", "Garcia"), ("David", "Lee"), ("Anna", "Müller"), ("Wei", "Wang")]
WORD_A = _split(
    "Blue Red Green Silver Golden North South East West Bright Clear Swift Prime Nova Apex Summit Harbor River "
    "Stone Iron Cedar Maple Oak Pine Falcon Eagle Lumen Vertex Quantum Atlas Orion Polar Crimson Azure Velvet "
    "Copper Coral Amber Echo Zenith"
)
WORD_B = _split(
    "Harbor Logistics Labs Systems Dynamics Works Analytics Foods Bakery Studio Partners Consulting Robotics "
    "Energy Health Capital Media Software Networks Solutions Designs Textiles Motors Farms Brewing Pharma Finance "
    "Security Ventures Outfitters"
)
ACCENTED_COMPANIES = [
    "Café Lumière",
    "Müller Bäckerei",
    "Société Générale du Nord",
    "Øresund Shipping",
    "Crème Brûlée Co",
]
LEGAL = ["", "Inc.", "Inc", "LLC", "Ltd", "Ltd.", "Limited", "GmbH", "S.A.", "AG", "Corp.", "Pty Ltd", "B.V."]
TLDS = ["com", "com", "com", "io", "co.uk", "com.au", "de", "fr", "co", "net"]
HOSTS: list[Callable[[str], list[str]]] = [
    lambda s: [f"https://linktr.ee/{s}", f"linktr.ee/{s}/", f"https://linktr.ee/{s}?utm_source=ig"],
    lambda s: [f"https://{s}.github.io", f"{s}.github.io/about", f"http://{s}.github.io/"],
    lambda s: [f"{s}.myshopify.com", f"https://{s}.myshopify.com/collections/all", f"https://www.{s}.myshopify.com"],
    lambda s: [f"https://sites.google.com/view/{s}", f"sites.google.com/view/{s}/home"],
    lambda s: [f"https://shopowner.wixsite.com/{s}", f"https://shopowner.wixsite.com/{s}/about"],
    lambda s: [f"https://www.facebook.com/{s}", f"facebook.com/{s}/", f"https://m.facebook.com/{s}"],
]
FREE_MAIL = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com"]
ROLE_LOCALS = ["info", "sales", "hello", "contact"]
TITLES = ["CEO", "CTO", "Head of Sales", "Marketing Manager", "Engineer", "Founder", "VP Operations", "Buyer"]
CITIES = ["Berlin", "London", "Paris", "Sydney", "New York", "Austin", "Madrid", "Oslo", "Tokyo", ""]
INDUSTRIES = ["Software", "Retail", "Logistics", "Food", "Finance", "Healthcare", "Manufacturing", ""]
HONORIFICS = ["Dr.", "Mr.", "Ms.", "Mrs.", "Prof."]
INVALID_EMAILS = ["bob@@x", "a b@example.com", "jane@", "x@example..com", "no-at-sign.example.com"]


def ascii_fold(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_fold(text).lower()).split())


@dataclass
class Employer:
    name: str
    legal: str
    domain: str | None  # None for companies living on a shared host
    hosted: list[str] = field(default_factory=list)  # website spellings on a shared host


@dataclass
class Entity:
    id: str
    kind: str  # INDIVIDUAL or COMPANY
    name: str  # "First Last" or the company's base name
    employer: Employer
    email: str | None = None  # canonical spelling; variants are derived
    linkedin: str | None = None  # slug
    phone: str | None = None
    first: str = ""
    last: str = ""


class _Gen:
    def __init__(self, n_entities: int, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_emails: set[str] = set()
        self.used_slugs: set[str] = set()
        self.used_people: set[tuple[str, str]] = set()
        self.used_domains: set[str] = set()
        self.used_names: set[str] = set()
        self.employers = [self._employer(i) for i in range(max(40, n_entities // 3))]

    # -- entities -------------------------------------------------------------------------------
    def _employer(self, i: int) -> Employer:
        r = self.r
        if i < len(ACCENTED_COMPANIES):
            name = ACCENTED_COMPANIES[i]
        else:
            for _ in range(20):
                name = f"{r.choice(WORD_A)} {r.choice(WORD_B)}"
                if name not in self.used_names:
                    break
            else:  # big runs need more distinct names than the word lists give
                name = f"{name} {i}"
        self.used_names.add(name)
        legal = r.choice(LEGAL)
        if r.random() < 0.12:
            host = r.choice(HOSTS)
            base = slug(name).replace("-", "") + str(i)
            return Employer(name, legal, None, host(base))
        domain = f"{slug(name).replace('-', '')}{i if r.random() < 0.5 else ''}.{r.choice(TLDS)}"
        while domain in self.used_domains:
            domain = f"{slug(name).replace('-', '')}{r.randrange(10**6)}.{r.choice(TLDS)}"
        self.used_domains.add(domain)
        return Employer(name, legal, domain)

    def _unique_email(self, local: str, domain: str) -> str:
        email, k = f"{local}@{domain}", 1
        while self._email_id(email) in self.used_emails:
            k += 1
            email = f"{local}{k}@{domain}"
        self.used_emails.add(self._email_id(email))
        return email

    @staticmethod
    def _email_id(email: str) -> str:
        local, domain = email.lower().split("@")
        return local.replace(".", "") + "@" + domain if domain == "gmail.com" else email.lower()

    def _unique_slug(self, base: str) -> str:
        s = base
        while s in self.used_slugs:
            s = f"{base}-{self.r.randrange(16**6):06x}"
        self.used_slugs.add(s)
        return s

    def person(
        self,
        eid: str,
        *,
        common: bool = False,
        employer: Employer | None = None,
        role_email: bool = False,
        namesake: Entity | None = None,
    ) -> Entity:
        r = self.r
        if namesake is not None:  # deliberately the same name at the same company
            first, last, emp = namesake.first, namesake.last, namesake.employer
        else:
            for _ in range(100):
                first, last = r.choice(COMMON_NAMES) if common else (r.choice(FIRST), r.choice(LAST))
                emp = employer or r.choice(self.employers)
                key = (ascii_fold(f"{first} {last}").lower(), emp.name)
                if key not in self.used_people:
                    break
            self.used_people.add(key)
        e = Entity(eid, "INDIVIDUAL", f"{first} {last}", emp, first=first, last=last)
        f, la = slug(first).replace("-", ""), slug(last).replace("-", "")
        if role_email and emp.domain:
            e.email = f"{r.choice(ROLE_LOCALS)}@{emp.domain}"  # shared by colleagues: no key
        elif emp.domain is None or (namesake is None and r.random() < 0.2):
            local = r.choice([f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}"]) + str(r.randrange(10, 99))
            e.email = self._unique_email(local, r.choice(FREE_MAIL))
        elif namesake is not None or r.random() < 0.9:
            local = r.choice([f"{f}.{la}", f, f"{f[0]}{la}", f"{f}_{la}", f"{f}{la[0]}"])
            e.email = self._unique_email(local, emp.domain)
        if r.random() < 0.7:
            e.linkedin = self._unique_slug(f"{f}-{la}")
        if r.random() < 0.6:
            e.phone = r.choice(["+49 30 ", "+44 20 7946 ", "+1 415 555 "]) + f"{r.randrange(1000, 9999)}"
        return e

    def company(self, eid: str, employer: Employer) -> Entity:
        r = self.r
        e = Entity(eid, "COMPANY", employer.name, employer)
        if employer.domain and r.random() < 0.5:
            e.email = f"{r.choice(ROLE_LOCALS)}@{employer.domain}"
        elif employer.domain is None and r.random() < 0.4:
            e.email = self._unique_email(slug(employer.name).replace("-", ""), "gmail.com")
        if r.random() < 0.5:
            e.linkedin = self._unique_slug(slug(employer.name))
        return e

    # -- variants -------------------------------------------------------------------------------
    def person_name(self, e: Entity) -> str:
        r = self.r
        first, last = (ascii_fold(e.first), ascii_fold(e.last)) if r.random() < 0.2 else (e.first, e.last)
        form = r.random()
        if form < 0.45:
            name = f"{first} {last}"
        elif form < 0.6:
            name = f"{last}, {first}"
        elif form < 0.7:
            name = f"{r.choice(HONORIFICS)} {first} {last}"
        elif form < 0.78:
            name = f"{first} {last}, {r.choice(['PhD', 'Jr.', 'MBA'])}"
        elif form < 0.86:
            name = f"{last} {first}"
        elif form < 0.93:
            name = f"{first.upper()} {last.upper()}"
        else:
            name = f"  {first}   {last} "
        return name

    def company_name(self, emp: Employer) -> str:
        r = self.r
        base = ascii_fold(emp.name) if r.random() < 0.2 else emp.name
        form = r.random()
        if form < 0.35:
            return f"{base} {emp.legal}".strip()
        if form < 0.6:
            return base
        if form < 0.75:
            return f"{base.upper()}, {r.choice(['INC', 'LTD', 'LLC'])}"
        if form < 0.85:
            return f"The {base} Company"
        return f"{base} {r.choice(LEGAL)}".strip()

    def email(self, e: Entity) -> str:
        r = self.r
        assert e.email
        local, domain = e.email.split("@")
        if domain == "gmail.com" and r.random() < 0.6:
            bare = local.replace(".", "")
            cut = r.randrange(1, len(bare))
            local = bare[:cut] + "." + bare[cut:] if r.random() < 0.5 else bare
            if r.random() < 0.4:
                local += r.choice(["+leads", "+news", "+2024"])
            if r.random() < 0.3:
                domain = "googlemail.com"
        text = f"{local}@{domain}"
        form = r.random()
        if form < 0.15:
            text = text.upper()
        elif form < 0.3:
            text = text[0].upper() + text[1:].replace("@" + domain, "@" + domain.title())
        if r.random() < 0.15:
            text = f" {text}  "
        return text

    def linkedin(self, e: Entity) -> str:
        r = self.r
        kind = "in" if e.kind == "INDIVIDUAL" else "company"
        s = e.linkedin or ""
        if r.random() < 0.2:
            s = "-".join(p.title() for p in s.split("-"))
        scheme = r.choice(["https://", "https://", "http://", ""])
        host = r.choice(["www.linkedin.com", "www.linkedin.com", "linkedin.com", "de.linkedin.com", "uk.linkedin.com"])
        tail = r.choice(
            [
                "",
                "/",
                "/",
                "?trk=public_profile",
                "/?originalSubdomain=de",
                "#about",
                "/details/experience/" if kind == "in" else "/about/",
            ]
        )
        return f"{scheme}{host}/{kind}/{s}{tail}"

    def website(self, emp: Employer) -> str:
        r = self.r
        if emp.domain is None:
            return r.choice(emp.hosted)
        host = r.choice(["www.", ""]) + emp.domain
        if r.random() < 0.1:
            host = host.upper()
        path = r.choice(["", "/", "/about", "/contact?utm_source=x", "/en/"])
        return r.choice(["https://", "http://", ""]) + host + path

    def row(self, e: Entity) -> dict[str, str]:
        r = self.r
        row = dict.fromkeys(HEADER, "")
        strong = False
        if e.email and r.random() < 0.85:
            row["email"] = self.email(e)
            strong = e.email.split("@")[0] not in ROLE_LOCALS
        if e.linkedin and r.random() < 0.6:
            row["linkedinLink"] = self.linkedin(e)
            strong = True
        if e.kind == "INDIVIDUAL":
            row["leadName"] = self.person_name(e)
            if not strong or r.random() < 0.9:  # a row without email or LinkedIn needs its company
                row["company"] = self.company_name(e.employer)
            if r.random() < 0.3:
                row["website"] = self.website(e.employer)
            row["jobTitle"] = r.choice(TITLES)
            row["type"] = r.choice(["INDIVIDUAL", "individual", "Individual", ""])
        else:
            row["leadName"] = self.company_name(e.employer)
            if r.random() < 0.85:
                row["website"] = self.website(e.employer)
            if r.random() < 0.3:
                row["company"] = self.company_name(e.employer)
            row["type"] = r.choice(["COMPANY", "company", "Company"])
        if e.phone and r.random() < 0.7:
            row["phone"] = r.choice([e.phone, e.phone.replace("+", "00", 1), e.phone.replace(" ", "-")])
        row["location"] = r.choice(CITIES)
        row["industry"] = r.choice(INDUSTRIES)
        row["leadScore"] = r.choice(["", "", str(r.randrange(0, 101)), f" {r.randrange(0, 101)} "])
        return row

    def broken(self, row: dict[str, str]) -> dict[str, str]:
        r = self.r
        row = dict(row)
        kind = r.randrange(5)
        if kind == 0:  # a row with only a company is a company lead: nothing that names anyone
            row["leadName"] = row["email"] = row["company"] = ""
        elif kind == 1:
            row["email"] = r.choice(INVALID_EMAILS)
        elif kind == 2:  # an unknown type value is read as the default, not refused: break the email instead
            row["email"] = r.choice(["no-at-sign.example", "two@@signs.example", "spaces in@x.example"])
        elif kind == 3:
            row["leadScore"] = r.choice(["101", "abc", "-1", "50.5", "1e2"])
        else:
            col = r.choice(["leadName", "company", "jobTitle", "location", "website"])
            row[col] = ((row[col] or "x") + " " + "x" * 501)[:501]
        return row


def generate(
    path: str | Path, n_entities: int = 1250, seed: int = 0, *, invalid_rate: float = 0.05, first_row_number: int = 1
) -> dict[int, str | None]:
    """Write the messy CSV to ``path``; return ``{row_number: entity_id}`` (None = must be invalid)."""
    g = _Gen(n_entities, seed)
    r = g.r
    entities: list[Entity] = []
    company_pool = r.sample(g.employers, k=min(len(g.employers), int(n_entities * 0.35)))
    for emp in company_pool:
        entities.append(g.company(f"c{len(entities)}", emp))
        if r.random() < 0.08 and emp.domain:  # a same-named company on another domain
            twin = Employer(emp.name, r.choice(LEGAL), f"{slug(emp.name).replace('-', '')}-{len(entities)}.net")
            entities.append(g.company(f"c{len(entities)}", twin))
    with_domain = [x for x in g.employers if x.domain]
    while len(entities) < n_entities:
        trap = r.random()
        eid = f"p{len(entities)}"
        if trap < 0.05:  # namesakes: the same common name at different companies
            entities.append(g.person(eid, common=True))
        elif trap < 0.065:  # namesakes at the same company, told apart by their emails
            first = g.person(eid, common=True, employer=r.choice(with_domain))
            entities.append(first)
            entities.append(g.person(f"p{len(entities)}", namesake=first))
        elif trap < 0.095:  # two people behind one role address
            emp = r.choice(with_domain)
            entities.append(g.person(eid, employer=emp, role_email=True))
            entities.append(g.person(f"p{len(entities)}", employer=emp, role_email=True))
        else:
            entities.append(g.person(eid))
    rows: list[tuple[dict[str, str], str | None]] = []
    for e in entities:
        for _ in range(r.choices([1, 2, 3, 4, 5], weights=[30, 35, 20, 10, 5])[0]):
            rows.append((g.row(e), e.id))
    n_invalid = round(len(rows) * invalid_rate / (1 - invalid_rate))
    for _ in range(n_invalid):
        rows.append((g.broken(g.row(r.choice(entities))), None))
    r.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(row for row, _ in rows)
    return {first_row_number + i: eid for i, (_, eid) in enumerate(rows)}


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """The data rows of a generated file, in order."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
