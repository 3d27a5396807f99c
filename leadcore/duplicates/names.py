"""Pure functions that turn names, companies, emails and phones into the parts the duplicate scan compares.

Transliteration (ä→ae, ß→ss), nicknames (Bob = Robert), "Last, First" reordering, initials, legal-suffix and location
stripping, Soundex codes for blocking and an edit distance for typos. No database here: tested as tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from leadcore.emails import is_free_mail_domain, is_role_local_part

# German and Nordic spellings that ASCII systems write out ("Jürgen" = "Juergen", "Weiß" = "Weiss").
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa",
                           "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})
# After transliteration "Muller" (an ASCII system dropped the dots) still differs from "Mueller": compare skeletons
# in which the written-out umlauts collapse back to the plain vowel.
_SKELETON = re.compile(r"(?<=[a-z])(ae|oe|ue)")
_WORD = re.compile(r"[^\W\d_]+")
_HONORIFICS = frozenset("dr mr mrs ms miss mx prof sir dame rev herr frau".split())
_SUFFIXES = frozenset("jr sr ii iii iv phd md mba esq dds cpa".split())

# Nicknames and short forms → the given name they stand for (both sides are mapped before comparing).
_NICKNAMES_TEXT = """
robert: bob bobby rob robbie bert
william: bill billy will willy liam
richard: rick ricky dick rich richie
james: jim jimmy jamie
john: jack johnny jon
jonathan: jon jonny
michael: mike mikey mick
elizabeth: liz lizzy beth betty eliza lisa
katherine: kate katie kathy cathy kat catherine kathryn
margaret: maggie meg peggy greta
thomas: tom tommy
christopher: chris kit
christine: chris chrissy christina
nicholas: nick nicky nico
alexander: alex sasha alec xander
alexandra: alex sandra lexi
daniel: dan danny
david: dave davy
edward: ed eddie ted ned
joseph: joe joey jo
joshua: josh
matthew: matt matty
anthony: tony
andrew: andy drew
benjamin: ben benny
samuel: sam sammy
samantha: sam sammy
stephen: steve stevie steven
charles: charlie chuck chas
patrick: pat paddy
patricia: pat patty trish
jennifer: jen jenny
jessica: jess jessie
rebecca: becky becca
susan: sue susie suzanne
deborah: deb debbie
victoria: vicky tori
gregory: greg
jeffrey: jeff geoffrey
timothy: tim timmy
peter: pete
philip: phil phillip
frederick: fred freddy fritz
johannes: hans jo
josef: sepp joseph
wolfgang: wolf
friedrich: fritz
jurgen: juergen
kristina: tina kristin
francesco: franco
giuseppe: beppe peppe
francisco: paco pancho
jose: pepe
alejandro: alex
eleanor: ellie nora
isabella: bella izzy isabel
abigail: abby
nathaniel: nate nathan
zachary: zach zack
raymond: ray
ronald: ron ronnie
donald: don donnie
kenneth: ken kenny
leonard: leo len lenny
vincent: vince vinny
theodore: ted teddy theo
lawrence: larry
gerald: gerry jerry
hiroshi: hiro
"""
NICKNAMES: dict[str, str] = {}
for _line in _NICKNAMES_TEXT.strip().splitlines():
    _full, _, _short = _line.partition(":")
    NICKNAMES.setdefault(_full.strip(), _full.strip())
    for _nick in _short.split():
        NICKNAMES.setdefault(_nick, _full.strip())
# Given names that differ by one letter yet are different people (Maria/Mario, Jan/Jana): never a typo of each other.
KNOWN_GIVEN = frozenset(NICKNAMES) | frozenset(
    "maria mario marie marion jan jana janet jane joan jean anna anne ann hanna hannah paul paula pauline carl carla "
    "carlo karl karla eric erica erik erika luis luisa louis louise julia julie julian juliana lena lina leon leona "
    "dana dan daniela daniele danielle simon simone martin martina christian christiana ivan ivana emil emilia emily "
    "nina nino sara sarah lara laura lars adam ada eva eve max maxine tim tina ali alia".split())

_LEGAL = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh ag kg ohg ug mbh sa sas sarl srl "
    "spa bv nv oy ab as aps pty pvt pte kk gk sl sro zrt se holding holdings group".split())
_NOT_A_COMPANY = frozenset("freelance freelancer self employed selfemployed independent none unknown na".split())


def fold(text: str) -> str:
    """Lowercase ASCII with transliterated umlauts and no accents: "Jürgen Weiß" → "juergen weiss"."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def skeleton(word: str) -> str:
    """A folded word with written-out umlauts collapsed ("koehler" → "kohler"), for comparing spellings."""
    return _SKELETON.sub(lambda m: m.group(1)[0], word)


@dataclass(frozen=True)
class PersonName:
    first: str  # canonical (nicknames resolved), skeleton
    last: str  # skeleton
    first_raw: str  # as written, folded (for reasons: "Bob")
    middle: tuple[str, ...]
    tokens: frozenset[str]


@lru_cache(maxsize=200_000)
def person_name(raw: str | None) -> PersonName | None:
    """First and last name of a person: "Weiß, Hiro" and "Hiro H. Weiß" both give first "hiro", last "weiss"."""
    if not raw:
        return None
    text = fold(raw)
    if "," in text:  # "Last, First" (but "Smith, Jr." keeps its order)
        last_part, _, first_part = text.partition(",")
        if set(_WORD.findall(first_part)) - _SUFFIXES - _HONORIFICS:
            text = f"{first_part} {last_part}"
    words = [w for w in _WORD.findall(text.replace("'", "")) if w not in _HONORIFICS and w not in _SUFFIXES]
    if not words:
        return None
    if len(words) == 1:
        w = skeleton(words[0])
        return PersonName(first="", last=w, first_raw="", middle=(), tokens=frozenset({w}))
    first_raw, last = words[0], skeleton(words[-1])
    first = skeleton(NICKNAMES.get(first_raw, first_raw))
    middle = tuple(skeleton(w) for w in words[1:-1])
    return PersonName(first=first, last=last, first_raw=first_raw, middle=middle,
                      tokens=frozenset(skeleton(w) for w in words))


_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_AFTER_DASH = re.compile(r"\s[-–—|/]\s.*$")


@lru_cache(maxsize=200_000)
def company_tokens(raw: str | None) -> tuple[str, ...]:
    """Company words without legal form, "the", or a location in parentheses or after a dash:
    "ATLAS BIO (London)" and "Atlas Bio Ltd" both give ("atlas", "bio")."""
    if not raw:
        return ()
    text = fold(_AFTER_DASH.sub("", _PARENS.sub(" ", raw))).replace("&", " and ")
    words = [skeleton(w) for w in _WORD.findall(text.replace(".", "").replace("'", ""))]
    while len(words) > 1 and (words[-1] in _LEGAL or words[-1] == "and"):
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    if not words or " ".join(words) in _NOT_A_COMPANY:
        return ()
    return tuple(words)


def email_parts(raw: str | None) -> tuple[str | None, str | None]:
    """(personal local part, domain) of an address; the local part is None for role addresses (info@, sales@)."""
    if not raw or "@" not in raw:
        return None, None
    local, _, domain = raw.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local = local.replace(".", "")
    if not local or is_role_local_part(local):
        return None, domain or None
    return local, domain or None


def is_free_mail(domain: str | None) -> bool:
    return bool(domain) and is_free_mail_domain(domain)


def local_key(local: str | None) -> str | None:
    """A local part without separators ("robert.fischer" = "robert_fischer" = "robertfischer"), if it is long
    enough to tell people apart."""
    if not local:
        return None
    key = re.sub(r"[^a-z0-9]", "", local)
    return key if len(key) >= 6 else None


_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


def soundex(word: str) -> str:
    """American Soundex of a folded word ("fischer" = "fisher" = F260)."""
    if not word:
        return ""
    codes = word.translate(_SOUNDEX)
    out, last = word[0].upper(), codes[0]
    for ch, code in zip(word[1:], codes[1:], strict=True):
        if code.isdigit() and code != last:
            out += code
        if ch not in "hw":
            last = code
    return (out + "000")[:4]


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau–Levenshtein (adjacent swaps count one), stopping early once it exceeds ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=1_000_000)  # surnames and company names repeat across a team: a scan asks the same pairs often
def typo_of(a: str, b: str) -> bool:
    """One slip of the keyboard apart (two for long words), and long enough for that to mean something."""
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 2 or len(set(a) ^ set(b)) > 4:
        return False
    return edit_distance(a, b, 2) <= (2 if min(len(a), len(b)) >= 9 else 1)
