"""What an email address tells: whether it is plausible at all, whether it is a consumer mailbox, whether it names
a function rather than a person. Shared by validation, dedupe, scoring and accounts, so it depends on nothing.
"""

from __future__ import annotations

import re

_LOCAL_SPECIALS = frozenset("!#$%&'*+/=?^_`{|}~.-")

# Consumer mailbox providers: an address there identifies a person, its domain identifies nobody.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it yahoo.co.jp
    ymail.com rocketmail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de hotmail.it hotmail.es
    outlook.com outlook.de outlook.fr live.com live.co.uk live.fr msn.com aol.com aim.com
    icloud.com me.com mac.com protonmail.com proton.me pm.me tutanota.com tuta.io gmx.com gmx.de
    gmx.net gmx.at gmx.ch web.de t-online.de freenet.de mail.com email.com zoho.com zohomail.com
    yandex.com yandex.ru mail.ru bk.ru inbox.ru list.ru qq.com 163.com 126.com sina.com
    naver.com daum.net hanmail.net orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it
    virgilio.it alice.it tiscali.it seznam.cz wp.pl o2.pl interia.pl onet.pl rediffmail.com
    fastmail.com fastmail.fm hushmail.com comcast.net verizon.net att.net sbcglobal.net
    bellsouth.net cox.net earthlink.net btinternet.com sky.com virginmedia.com ntlworld.com
    bigpond.com optusnet.com.au shaw.ca rogers.com sympatico.ca telus.net uol.com.br bol.com.br
    terra.com.br hey.com duck.com
    """.split()
)

# Local parts that name a function, not a person: never a match key on their own.
ROLE_LOCAL_PARTS = frozenset(
    """
    info contact contacts hello hi sales support help admin administrator office team enquiries
    enquiry inquiries inquiry marketing billing accounts accounting finance hr jobs careers
    recruiting recruitment press media pr noreply no-reply donotreply webmaster postmaster
    hostmaster abuse security privacy legal compliance service services customerservice
    customer-service feedback general mail email orders order shop store bookings booking
    reservations partners partnerships investors ir team-lead ops operations dev devs engineering
    it tech newsletter news events community hey
    """.split()
)


def is_free_mail_domain(domain: str | None) -> bool:
    """True when ``domain`` (lowercase) is a consumer mailbox provider such as gmail.com."""
    return bool(domain) and domain in FREE_MAIL_DOMAINS


def is_role_local_part(local: str | None) -> bool:
    """True when an address's local part names a function (``info``, ``sales``) rather than a person."""
    if not local:
        return False
    base = local.split("+", 1)[0].lower()
    return base in ROLE_LOCAL_PARTS


def is_plausible_email(address: str) -> bool:
    """Whether ``address`` looks deliverable: one ``@``, a sane local part, a dotted domain.

    Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals) and looser than
    ASCII-only: international letters are accepted in both parts.
    """
    if address.isascii():
        # The same rule as a regular expression (for ASCII, isalnum() is exactly [A-Za-z0-9]): one C-level match
        # instead of a Python loop over every character; tests/intake/test_fast_paths.py checks both agree.
        m = _ASCII_EMAIL.fullmatch(address)
        if m is None:
            return False
        local, domain, tld = m.groups()
        if len(local) > 64 or len(domain) > 253:
            return False
        return len(tld) >= 2 and (tld.isalpha() or tld[:4].lower() == "xn--")
    return _is_plausible_email_general(address)


_ASCII_LOCAL_CHAR = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_ASCII_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# local part: runs of allowed characters joined by single dots; domain: two or more labels.
_ASCII_EMAIL = re.compile(
    rf"({_ASCII_LOCAL_CHAR}+(?:\.{_ASCII_LOCAL_CHAR}+)*)@((?:{_ASCII_LABEL}\.)+({_ASCII_LABEL}))"
)


def _is_plausible_email_general(address: str) -> bool:
    """:func:`is_plausible_email` for any text, character by character (the reference for the ASCII fast path)."""
    if address.count("@") != 1 or any(ch.isspace() for ch in address):
        return False
    local, domain = address.split("@")
    if not local or len(local) > 64 or not domain or len(domain) > 253:
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if not all(ch.isalnum() or ch in _LOCAL_SPECIALS for ch in local):
        return False
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return False
        if not all(ch.isalnum() or ch == "-" for ch in label):
            return False
    tld = labels[-1]
    return len(tld) >= 2 and (tld.isalpha() or tld.lower().startswith("xn--"))
