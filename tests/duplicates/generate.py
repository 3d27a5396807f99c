"""A labelled set for the duplicate scan: people and companies, near-duplicate pairs of every kind the issue names,
and look-alike groups that are different people or companies. Seeded, so a run is reproducible.

``generate(seed)`` returns rows (dicts of lead fields), the true pairs as row-index pairs, and the kind of each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FIRST = ("Robert William Richard James Michael Elizabeth Katherine Margaret Thomas Christopher Nicholas Alexander "
         "Daniel David Edward Joseph Matthew Anthony Andrew Benjamin Samuel Stephen Charles Patrick Jennifer "
         "Jessica Rebecca Susan Victoria Gregory Timothy Peter Philip Frederick Olivia Sophie Amelia Chloe Lucas "
         "Noah Ethan Mateo Hugo Emma Lea Mila Ines Yusuf Omar Priya Arjun Wei Mei Kenji Yuki Sven Astrid Pierre "
         "Camille Giulia Marco Diego Lucia Tomasz Agnieszka Fatima Aisha Kwame Amara").split()
NICK = {"Robert": "Bob", "William": "Bill", "Richard": "Rick", "James": "Jim", "Michael": "Mike",
        "Elizabeth": "Liz", "Katherine": "Kate", "Margaret": "Maggie", "Thomas": "Tom", "Christopher": "Chris",
        "Nicholas": "Nick", "Alexander": "Alex", "Daniel": "Dan", "David": "Dave", "Edward": "Ed",
        "Joseph": "Joe", "Matthew": "Matt", "Anthony": "Tony", "Andrew": "Andy", "Benjamin": "Ben",
        "Samuel": "Sam", "Stephen": "Steve", "Charles": "Charlie", "Patrick": "Pat", "Jennifer": "Jen",
        "Jessica": "Jess", "Rebecca": "Becky", "Susan": "Sue", "Victoria": "Vicky", "Gregory": "Greg",
        "Timothy": "Tim", "Peter": "Pete", "Philip": "Phil", "Frederick": "Fred"}
LAST = ("Fischer Hoffmann Brennan Okafor Lindqvist Moreau Rossi Kowalski Nakamura Tanaka Patel Sharma Chen Wong "
        "Garcia Martinez Oliveira Andersen Nilsson Dubois Lambert Ricci Novak Horvat Petrov Ivanova Kaplan "
        "Goldberg Sullivan Gallagher McAllister Whitfield Ashworth Pemberton Hargreaves Castellano Vasquez "
        "Delacroix Rasmussen Johansson Eriksen Bergstrom Takahashi Yamamoto Kimura Fernandes Carvalho Mendes "
        "Schneider Wagner Becker Zimmermann Hartmann Krause Lehmann Schuster Brandt Vogel Friedrich Keller "
        "Stewart Thornton Blackwood Fairbanks Holloway Kensington Lockhart Montague Radcliffe Sinclair "
        "Abernathy Beaumont Calloway Davenport Ellsworth Fitzgerald Gresham Hawthorne Ingram Jefferson").split()
UMLAUT = [("Jürgen", "Köhler"), ("Jörg", "Müller"), ("Günther", "Schäfer"), ("Hiro", "Weiß"), ("Björn", "Größer"),
          ("Käthe", "Bäcker"), ("Uwe", "Krüger"), ("Dörte", "Möller"), ("Lütfi", "Öztürk"), ("Märta", "Strauß"),
          ("Sören", "Jäger"), ("Renée", "Lefèvre"), ("José", "Peña"), ("François", "Gérard"), ("Zoë", "Brontë")]
TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "é": "e", "è": "e", "ç": "c", "ñ": "n", "ë": "e"})
COMPANY_WORDS = ("Atlas Nimbus Vertex Helix Quantum Summit Harbor Cobalt Juniper Lumen Orbit Pioneer Redwood "
                 "Sterling Beacon Cascade Evergreen Granite Horizon Keystone Meridian Northwind Oakridge Polaris "
                 "Riverbend Silverline Tidewater Westbrook Zenith Aurora Bluefin Crestview Driftwood Emberly "
                 "Foxglove Glacier Ironclad Kestrel Larkspur Mosaic").split()
COMPANY_TAILS = ("Bio Analytics Robotics Logistics Systems Labs Software Dynamics Partners Health Energy Foods "
                 "Capital Media Networks").split()
LEGAL = ["Ltd", "GmbH", "Inc.", "LLC", "AG", "S.A.", "Limited", "Corp."]
CITIES = ["Berlin", "London", "Munich", "Paris", "New York", "Austin", "Madrid", "Milan", "Tokyo", "Toronto"]
TITLES = ["CTO", "Head of Sales", "VP Engineering", "Procurement Manager", "CFO", "Marketing Lead", "COO",
          "Data Scientist", "Office Manager", "Founder"]
# Different companies that share a brand word.
BRANDS = [("Delta Dental", "Delta Air Lines"), ("Apple Bank", "Apple Inc"), ("United Airlines", "United Rentals"),
          ("American Express", "American Airlines"), ("General Mills", "General Electric"),
          ("Sun Life", "Sun Pharma"), ("Summit Health", "Summit Materials"), ("Pacific Life", "Pacific Gas"),
          ("Golden Foods", "Golden Capital"), ("Royal Mail", "Royal Caribbean")]


@dataclass
class LabelledSet:
    rows: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[tuple[int, int, str]] = field(default_factory=list)  # (row, row, kind)

    def add(self, row: dict[str, Any]) -> int:
        self.rows.append(row)
        return len(self.rows) - 1


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_names: set[tuple[str, str]] = set()
        self.used_companies: set[str] = set()
        self.n = 0

    def phone(self, country: str = "DE") -> tuple[str, str]:
        """The same number written two ways."""
        if country == "DE":
            area, rest = self.r.choice(["30", "40", "89", "69"]), f"{self.r.randrange(10**6, 10**7)}"
            return f"+49 30 {rest}".replace("30", area, 1), f"0{area} {rest[:3]}-{rest[3:]}"
        a, b, c = self.r.randrange(200, 999), self.r.randrange(200, 999), self.r.randrange(1000, 9999)
        return f"+1 {a} {b} {c}", f"({a}) {b}-{c}"

    def company(self) -> tuple[str, str]:
        while True:
            word, joined = self.r.choice(COMPANY_WORDS), self.r.choice(COMPANY_WORDS).lower()
            name = f"{word}{joined if self.r.random() < 0.7 else ''} {self.r.choice(COMPANY_TAILS)}"
            if name not in self.used_companies:
                self.used_companies.add(name)
                return name, name.lower().replace(" ", "") + self.r.choice([".com", ".de", ".io", ".co.uk"])

    def person_name(self) -> tuple[str, str]:
        while True:
            pair = (self.r.choice(FIRST), self.r.choice(LAST))
            if pair not in self.used_names:
                self.used_names.add(pair)
                return pair

    def person(self, first: str | None = None, last: str | None = None, company: tuple[str, str] | None = None,
               phone: str | None = None) -> dict[str, Any]:
        self.n += 1
        if first is None or last is None:
            first, last = self.person_name()
        self.used_names.add((first, last))
        name, domain = company or self.company()
        local = f"{first}.{last}".lower().translate(TRANSLIT).replace("ß", "ss")
        return {"type": "INDIVIDUAL", "lead_name": f"{first} {last}", "first": first, "last": last,
                "email": f"{local}@{domain}", "phone": phone or self.phone(self.r.choice(["DE", "US"]))[0],
                "company": f"{name} {self.r.choice(LEGAL)}", "company_base": name, "domain": domain,
                "job_title": self.r.choice(TITLES), "location": self.r.choice(CITIES)}


def _typo(r: random.Random, word: str) -> str:
    i = r.randrange(1, len(word) - 1)
    op = r.choice(["swap", "drop", "double"])
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def _other_format(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("+49"):
        national = digits[2:]
        return f"0{national[:2]} {national[2:5]}-{national[5:]}"
    national = digits[1:]
    return f"({national[:3]}) {national[3:6]}-{national[6:]}"


KINDS = ("nickname", "typo", "transliteration", "initials", "reordered", "personal_email", "rebrand",
         "company_variant", "first_typo", "combined")


def generate(seed: int = 16, *, pairs: int = 155, lookalike_groups: int = 100, singles: int = 540) -> LabelledSet:
    g, out = _Gen(seed), LabelledSet()
    r = g.r
    for k in range(pairs):
        kind = KINDS[k % len(KINDS)]
        if kind == "company_variant":
            base, domain = g.company()
            phone = g.phone("US" if k % 2 else "DE")
            city = r.choice(CITIES)
            a = {"type": "COMPANY", "lead_name": f"{base} {r.choice(LEGAL)}", "phone": phone[0],
                 "website": f"https://www.{domain}", "headquarters": city, "industry": "Software"}
            variant = r.choice(["upper_city", "plain", "lower_legal"])
            b_name = {"upper_city": f"{base.upper()} ({city})", "plain": base,
                      "lower_legal": f"{base.lower()} {r.choice(LEGAL).lower()}"}[variant]
            b = {"type": "COMPANY", "lead_name": b_name, "phone": phone[1], "headquarters": city}
            out.pairs.append((out.add(a), out.add(b), kind))
            continue
        if kind == "transliteration":
            first, last = UMLAUT[k // len(KINDS) % len(UMLAUT)]
            a = g.person(first, last + ("" if k < 60 else f"-{r.choice(LAST)}"))
        else:
            a = g.person()
        b = dict(a)
        first, last = a["first"], a["last"]
        b["email"] = None
        b["phone"] = _other_format(a["phone"])
        if kind == "nickname":
            nick_first, nick_last = r.choice(list(NICK)), r.choice(LAST)
            while (nick_first, nick_last) in g.used_names:
                nick_first, nick_last = r.choice(list(NICK)), r.choice(LAST)
            a = g.person(nick_first, nick_last)
            b = dict(a, email=None, phone=_other_format(a["phone"]), lead_name=f"{NICK[nick_first]} {a['last']}")
            b["company"] = a["company_base"].upper()
        elif kind == "typo":
            b["lead_name"] = f"{first} {_typo(r, last)}"
            b["phone"] = None if k % 3 else b["phone"]
        elif kind == "transliteration":
            b["lead_name"] = a["lead_name"].translate(TRANSLIT)
            b["company"] = a["company_base"]
        elif kind == "initials":
            b["lead_name"] = f"{first[0]}. {last}"
            b["phone"] = None
        elif kind == "reordered":
            b["lead_name"] = f"{last}, {first}" if k % 2 else f"{first} {r.choice('ABCDEFGH')}. {last}"
            b["company"] = a["company_base"] + " " + r.choice(["(Berlin)", "- London office", ""])
        elif kind == "personal_email":
            b["email"] = f"{first}.{last}".lower().translate(TRANSLIT) + r.choice(["@gmail.com", "@outlook.com"])
            b["company"] = None
            b["job_title"] = None
        elif kind == "first_typo":  # a slip in the first name, no phone on the copy
            b["lead_name"] = f"{_typo(r, first) if len(first) >= 5 else first} {last}"
            b["phone"] = None
        elif kind == "combined":  # nickname or initial, company written differently, work phone only on one
            short = NICK.get(first, first[0] + ".")
            b["lead_name"] = f"{short} {last}"
            b["company"] = a["company_base"].upper() + r.choice([" (HQ)", "", " - Berlin"])
            b["job_title"] = None
        elif kind == "rebrand":
            new_name, new_domain = g.company()
            b["company"] = new_name
            local = a["email"].split("@")[0]
            b["email"] = f"{local}@{new_domain}"
        out.pairs.append((out.add(_clean(a)), out.add(_clean(b)), kind))
    for k in range(lookalike_groups):
        kind = k % 5
        if kind == 0:  # namesakes at other companies
            first, last = g.person_name()
            for _ in range(r.choice([2, 3])):
                out.add(_clean(g.person(first, last)))
        elif kind == 1:  # colleagues on one switchboard, same last name
            company, phone = g.company(), g.phone("DE")[0]
            last = r.choice(LAST)
            firsts = r.sample([f for f in FIRST if (f, last) not in g.used_names], 3)
            for f in firsts:
                g.used_names.add((f, last))
                out.add(_clean(dict(g.person(f, last, company), phone=phone)))
        elif kind == 2:  # colleagues with one-letter-apart names and the same email domain
            company = g.company()
            last = r.choice(LAST)
            for f in r.choice([("Maria", "Mario"), ("Daniel", "Daniela"), ("Paul", "Paula"), ("Jan", "Jana"),
                               ("Carla", "Carlo"), ("Louis", "Louise"), ("Erik", "Erika")]):
                g.used_names.add((f, last))
                out.add(_clean(g.person(f, last, company)))
        elif kind == 3 and k // 5 < len(BRANDS):  # companies sharing a brand word
            for name in BRANDS[k // 5 % len(BRANDS)]:
                out.add({"type": "COMPANY", "lead_name": f"{name} {r.choice(['', 'Inc', 'Ltd'])}".strip(),
                         "phone": g.phone("US")[0], "website": f"https://{name.lower().replace(' ', '')}{k}.com",
                         "headquarters": r.choice(CITIES)})
        elif kind == 3:  # namesakes in the same city, other companies, no phone
            first, last = g.person_name()
            city = r.choice(CITIES)
            for _ in range(2):
                out.add(_clean(dict(g.person(first, last), location=city, phone=None)))
        else:  # same name, no company, different cities and phones: nothing says they are one person
            first, last = g.person_name()
            for _ in range(2):
                out.add(_clean(dict(g.person(first, last), company=None, email=None)))
    for _ in range(singles):
        out.add(_clean(g.person()))
    return out


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("first", "last", "company_base", "domain") and v}
