"""URL identities for dedupe: the registrable domain of a website and the canonical LinkedIn page.

Pure functions: they never raise on any ``str`` and never touch the network (the public suffix list
is tldextract's bundled snapshot, private section included).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import tldextract


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Hosts that give each customer a subdomain but are missing from the PSL private section; without
# them every Substack newsletter would be "substack.com", one company.
_EXTRA_SUFFIXES = _words(
    "substack.com wordpress.com tumblr.com weebly.com squarespace.com godaddysites.com business.site "
    "mystrikingly.com site123.me jimdosite.com jimdo.com bandcamp.com typepad.com ghost.io hs-sites.com "
    "wpengine.com bigcartel.com teachable.com thinkific.com mykajabi.com myportfolio.com webnode.com tilda.ws "
    "beehiiv.com mailchimpsites.com zendesk.com freshdesk.com atlassian.net slack.com gitbook.io super.site "
    "softr.app glide.page"
)

# Shared hosts where the first path segment, not the host, names the company.
_PATH_HOSTS = _words(
    "linktr.ee sites.google.com facebook.com x.com instagram.com linkedin.com youtube.com medium.com github.com "
    "gitlab.com bitbucket.org bit.ly tiktok.com pinterest.com t.me about.me behance.net dribbble.com notion.so "
    "beacons.ai bio.link lnk.bio taplink.cc linkin.bio etsy.com yelp.com crunchbase.com wellfound.com angel.co "
    "calendly.com threads.net tumblr.com wix.com"
)
_HOST_ALIASES = {"twitter.com": "x.com", "fb.com": "facebook.com", "angel.co": "wellfound.com"}
# Shared hosts whose links (documents, maps, app stores) identify no company at all.
_NO_KEY_HOSTS = _words(
    "docs.google.com drive.google.com forms.gle goo.gl maps.google.com g.page calendar.google.com play.google.com "
    "apps.apple.com maps.app.goo.gl youtu.be lnkd.in wa.me"
)
# A first segment that is a section, not a name: the next segment names the company.
_SECTION_SEGMENTS = _words(
    "pages pg people groups c channel user view site a company companies school showcase sites shop stores biz "
    "organization org"
)
# A first segment that is a piece of content or an app page: it names no company.
_CONTENT_SEGMENTS = _words(
    "watch share sharer sharer.php intent hashtag explore search home login signup p reel reels status i embed "
    "shorts results feed story.php profile.php permalink.php photo.php events tr l.php dialog plugins tag tags "
    "topic topics"
)
_MOBILE_PREFIXES = ("www.", "m.", "mobile.", "web.", "business.")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"\A{_LABEL}(?:\.{_LABEL})*\Z")
_LINKEDIN_KINDS = frozenset({"in", "company", "school", "pub", "showcase"})


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: the bundled snapshot only, no fetch, no disk cache.
    return tldextract.TLDExtract(
        suffix_list_urls=(),
        cache_dir=None,
        include_psl_private_domains=True,
        extra_suffixes=sorted(_EXTRA_SUFFIXES),
    )


def _unquote_fully(text: str) -> str:
    # Decode until stable so a canonical value decodes to itself (idempotence). Every decoding
    # that changes the text shortens it, so this ends.
    while (decoded := unquote(text)) != text:
        text = decoded
    return text


@lru_cache(maxsize=8_192)  # the same few hosts (www.linkedin.com, a team's customers) again and again
def _valid_host(host: str) -> str | None:
    """The host as lowercase ASCII (IDNA), or None for anything that cannot be a DNS name."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    if not _HOST_RE.match(host):
        return None
    if not host[-1].isdigit():
        return host  # an IP address that passed _HOST_RE is dotted decimal, so it ends in a digit
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        return host


def _url_parts(raw: str) -> tuple[str, list[str]] | None:
    """(ASCII host, lowercased percent-decoded path segments) of a URL, bare host or email."""
    text = raw.strip()
    if not text:
        return None
    if "://" not in text:
        if "@" in text and "/" not in text.split("@", 1)[0]:
            text = text.rsplit("@", 1)[1]  # an email address: its host
        text = "http://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError:
        return None
    if not hostname:
        return None
    host = _valid_host(hostname)
    if host is None:
        return None
    path = _unquote_fully(parts.path) if "%" in parts.path else parts.path
    if not path.isascii():
        path = unicodedata.normalize("NFC", path)
    path = path.lower()
    return host, [seg for seg in path.split("/") if seg]


def _strip_prefixes(host: str) -> str:
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


# Letters, digits and -_.@~+ : in Python's Unicode regular expressions \w is exactly str.isalnum() plus "_".
_SEGMENT_RE = re.compile(r"[\w.@~+-]+")


def _valid_segment(seg: str) -> bool:
    return _SEGMENT_RE.fullmatch(seg) is not None


def _path_key(base: str, segments: list[str]) -> str | None:
    """``base/first-segment`` for a shared host, or None when the path names no company."""
    if not segments or segments[0] in _CONTENT_SEGMENTS:
        return None
    take = 2 if segments[0] in _SECTION_SEGMENTS else 1
    if len(segments) < take or not all(_valid_segment(s) for s in segments[:take]):
        return None
    return base + "/" + "/".join(segments[:take])


# The shape nearly every provider sends (https://www.linkedin.com/in/jane-doe-1a2b3c): already canonical but for
# the scheme, host prefix and letter case, so it needs none of the general parsing below.
_CANONICAL_LINKEDIN = re.compile(r"https?://(?:www\.)?linkedin\.com/(in|company|school|showcase)/([A-Za-z0-9-]+)/?")


def linkedin_norm(raw: str | None) -> str | None:
    """Canonical ``linkedin.com/<kind>/<slug>`` of a LinkedIn profile or company URL, else None."""
    if not raw or not isinstance(raw, str):
        return None
    m = _CANONICAL_LINKEDIN.fullmatch(raw)
    if m is not None:
        return f"linkedin.com/{m[1]}/{m[2].lower()}"
    return _linkedin_norm_parsed(raw)


def _linkedin_norm_parsed(raw: str) -> str | None:
    parts = _url_parts(raw)
    if parts is None:
        return None
    host, segments = parts
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return None
    if len(segments) < 2 or segments[0] not in _LINKEDIN_KINDS:
        return None
    kind = segments[0]
    # Old /pub/ URLs are name/a/b/c; the name alone is shared by every John Smith, so keep the ids.
    slug_parts = segments[1:5] if kind == "pub" else segments[1:2]
    if not all(_valid_segment(s) and "@" not in s and "+" not in s for s in slug_parts):
        return None
    return f"linkedin.com/{kind}/" + "/".join(slug_parts)


def registrable_domain(raw: str | None) -> str | None:
    """The registrable domain of a URL, host or email (``www.acme.co.uk/x`` -> ``acme.co.uk``).

    Shared hosts come out as ``host/first-path-segment`` (``linktr.ee/acme``); hosts that identify
    nothing (IP addresses, localhost, document links, a shared host without a path) give None.
    """
    if not raw or not isinstance(raw, str):
        return None
    return _registrable_domain(raw)


@lru_cache(maxsize=65_536)  # a batch repeats the same few company hosts over and over
def _registrable_domain(raw: str) -> str | None:
    parts = _url_parts(raw)
    if parts is None:
        return None
    host, segments = parts
    host = _strip_prefixes(host)
    if host in _NO_KEY_HOSTS:
        return None
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        return linkedin_norm(raw)
    host = _HOST_ALIASES.get(host, host)
    if host in _PATH_HOSTS:
        return _path_key(host, segments)
    ext = _extractor()(host)
    if not ext.suffix:
        return None  # localhost, intranet names, unknown TLDs
    if not ext.domain:
        # The host is itself a suffix: a company only when it is a hosting provider's own site.
        return ext.suffix if ext.suffix in _EXTRA_SUFFIXES else None
    domain = f"{ext.domain}.{ext.suffix}"
    domain = _HOST_ALIASES.get(domain, domain)
    if domain in _PATH_HOSTS:
        return _path_key(domain, segments)
    if ext.suffix == "wixsite.com":
        # Free Wix sites live at user.wixsite.com/site: one user may host several companies.
        if segments and _valid_segment(segments[0]):
            return f"{domain}/{segments[0]}"
        return domain
    return domain
