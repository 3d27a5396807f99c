"""Free-mail and role-address knowledge shared by dedupe and scoring."""

from __future__ import annotations

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
