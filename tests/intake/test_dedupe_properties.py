"""Properties of the dedupe normalizers over arbitrary text: they never raise, and keys are fixed points."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.dedupe import (
    MatchKeys,
    cluster,
    company_domain,
    company_name_key,
    email_key,
    email_norm,
    is_plausible_email,
    linkedin_norm,
    match_keys,
    name_key,
    person_name_key,
    phone_norm,
    registrable_domain,
)

# Any Unicode, control characters and surrogates excluded by st.text() only where Python strings
# cannot hold them.
any_text = st.text(alphabet=st.characters(codec=None), max_size=80)
maybe_text = st.none() | any_text

# Text that looks like the real thing, so idempotence is exercised on values that survive.
_local = st.text(alphabet="abcXYZ019._+-'", min_size=1, max_size=12)
_label = st.text(alphabet="abcxyz019-", min_size=1, max_size=10)
_host = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["com", "co.uk", "io", "de", "github.io", "myshopify.com", "com.au", "GMAIL.com"]),
)
email_like = st.builds(
    lambda local, host, pad: f"{pad}{local}@{host}{pad}",
    _local,
    st.one_of(_host, st.sampled_from(["gmail.com", "googlemail.com", "GoogleMail.COM"])),
    st.sampled_from(["", " ", "\t"]),
)
url_like = st.builds(
    lambda scheme, host, path, tail: f"{scheme}{host}{path}{tail}",
    st.sampled_from(["", "http://", "https://", "HTTPS://www.", "//", "https://de."]),
    st.one_of(_host, st.sampled_from(["linkedin.com", "linktr.ee", "sites.google.com", "x.wixsite.com"])),
    st.sampled_from(["", "/", "/in/Jane-Doe", "/company/acme/", "/view/Acme", "/a%20b", "/%C3%A9", "/x/y"]),
    st.sampled_from(["", "?q=1", "#f", "/"]),
)
phone_like = st.from_regex(r"\A(\+|00)?[1-9][0-9 ().-]{5,16}\Z", fullmatch=True)
# No deadline: these run beside other suites on shared machines; speed is not the property.
_settings = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
region = st.none() | st.sampled_from(["US", "DE", "GB", "fr", "", "ZZ", "xx"])


@_settings
@given(any_text)
def test_text_normalizers_never_raise(raw):
    for fn in (email_norm, email_key, linkedin_norm, registrable_domain, person_name_key, company_name_key):
        out = fn(raw)
        assert out is None or isinstance(out, str)
    assert isinstance(is_plausible_email(raw), bool)


@_settings
@given(maybe_text, maybe_text, any_text, maybe_text)
def test_combined_keys_never_raise(a, b, lead_type, d):
    assert company_domain(a, b) is None or isinstance(company_domain(a, b), str)
    assert name_key(lead_type, a, b) is None or name_key(lead_type, a, b).startswith(("p:", "c:"))
    phone_norm(d, a)


@_settings
@given(st.one_of(any_text, phone_like), region)
def test_phone_norm_never_raises_and_is_a_fixed_point(raw, default_region):
    e164 = phone_norm(raw, default_region)
    if e164 is not None:
        assert e164.startswith("+") and e164[1:].isdigit()
        assert phone_norm(e164) == e164


@_settings
@given(st.one_of(any_text, email_like))
def test_email_norm_is_idempotent_and_plausible(raw):
    norm = email_norm(raw)
    if norm is not None:
        assert email_norm(norm) == norm
        assert is_plausible_email(norm)
        assert norm == norm.strip().lower()
        assert email_key(norm) in (norm, None)


@_settings
@given(email_like)
def test_gmail_spellings_share_one_key(raw):
    norm = email_norm(raw)
    if norm is not None and norm.endswith("@gmail.com"):
        local = norm.split("@")[0]
        dotted = ".".join(local) + "+tag@GoogleMail.com"
        assert email_norm(dotted) == norm


@_settings
@given(st.one_of(any_text, url_like))
def test_linkedin_norm_of_a_canonical_value_stays(raw):
    norm = linkedin_norm(raw)
    if norm is not None:
        assert norm.startswith("linkedin.com/")
        assert linkedin_norm(norm) == norm
        assert linkedin_norm("https://www." + norm + "/?trk=x") == norm


@_settings
@given(st.one_of(any_text, url_like, email_like))
def test_registrable_domain_is_idempotent(raw):
    domain = registrable_domain(raw)
    if domain is not None:
        assert domain == domain.lower()
        assert registrable_domain(domain) == domain


@_settings
@given(any_text)
def test_name_keys_are_stable(raw):
    for fn in (person_name_key, company_name_key):
        key = fn(raw)
        if key is not None:
            assert key == key.strip() and "  " not in key
            assert fn(key) == key


@_settings
@given(st.lists(st.text(alphabet="abcdeé ", min_size=1, max_size=8), min_size=1, max_size=4))
def test_person_name_key_ignores_token_order(tokens):
    name = " ".join(tokens)
    assert person_name_key(name) == person_name_key(" ".join(reversed(tokens)))


_small = st.sampled_from
candidates = st.builds(
    lambda **fields: _keys_of(tuple(sorted(fields.items()))),
    type=_small(["INDIVIDUAL", "COMPANY"]),
    lead_name=st.none() | _small(["Ann Lee", "Lee, Ann", "Bob Roe", "John Smith", "Acme"]),
    email=st.none() | _small(["ann@acme.com", "a.nn@gmail.com", "ann+x@gmail.com", "info@acme.com", "bob@acme.com"]),
    company=st.none() | _small(["Acme", "ACME Inc.", "Globex", "Freelance"]),
    website=st.none() | _small(["acme.com", "https://www.acme.com/x", "linktr.ee/acme", "globex.io"]),
    linkedin_url=st.none()
    | _small(["linkedin.com/in/ann", "https://de.linkedin.com/in/Ann/", "linkedin.com/company/acme"]),
)


@functools.cache
def _keys_of(fields: tuple[tuple[str, str | None], ...]) -> tuple[str, MatchKeys]:
    c = LeadCandidate(**dict(fields))
    return c.type, match_keys(c)


@_settings
@given(st.lists(candidates, max_size=25), st.randoms(use_true_random=False))
def test_cluster_is_deterministic_and_respects_strong_keys(batch, rnd):
    keys = batch
    labels = cluster(keys)
    assert labels == cluster(list(keys))
    assert all(labels[i] <= i and labels[labels[i]] == labels[i] for i in range(len(labels)))
    for i, (ti, ki) in enumerate(keys):
        for j, (tj, kj) in enumerate(keys):
            if ki.email_norm and ki.email_norm == kj.email_norm:
                assert labels[i] == labels[j]
            if ki.linkedin_norm and ki.linkedin_norm == kj.linkedin_norm:
                assert labels[i] == labels[j]
            if ti == tj == "COMPANY" and ki.domain and ki.domain == kj.domain:
                assert labels[i] == labels[j]
    # The partition does not depend on the order of the rows, only the labels do.
    order = list(range(len(keys)))
    rnd.shuffle(order)
    shuffled = cluster([keys[i] for i in order])
    pos = {orig: new for new, orig in enumerate(order)}
    for i in range(len(keys)):
        for j in range(len(keys)):
            assert (labels[i] == labels[j]) == (shuffled[pos[i]] == shuffled[pos[j]])


def _strong_components(keys):
    """Rows joined by chains of shared strong keys only (None for rows without one)."""
    comp: dict[int, int] = {}
    owner: dict[tuple[str, str], int] = {}
    for i, (lead_type, k) in enumerate(keys):
        hits = {comp[owner[key]] for key in k.strong(lead_type) if key in owner}
        c = min(hits, default=i)
        for j, cj in list(comp.items()):
            if cj in hits:
                comp[j] = c
        if k.strong(lead_type):
            comp[i] = c
            for key in k.strong(lead_type):
                owner.setdefault(key, i)
    return [comp.get(i) for i in range(len(keys))]


@_settings
@given(st.lists(candidates, max_size=25))
def test_cluster_never_joins_two_strong_identities_on_a_name(batch):
    keys = batch
    labels = cluster(keys)
    comps = _strong_components(keys)
    seen: dict[int, int] = {}
    for label, comp in zip(labels, comps, strict=True):
        if comp is not None:
            assert seen.setdefault(label, comp) == comp


_fallback_fields = st.fixed_dictionaries({
    "lead_name": maybe_text, "email": maybe_text, "phone": maybe_text, "location": maybe_text,
    "job_title": maybe_text, "company": maybe_text,
})


@given(_fallback_fields)
def test_the_fallback_key_never_raises_fits_its_column_and_only_keys_the_keyless(fields: dict) -> None:
    keys = match_keys(LeadCandidate(**fields))
    fallback = (keys.name_key or "").startswith("k:")
    assert keys.name_key is None or len(keys.name_key) <= 1100
    if fallback:
        assert keys.email_norm is None and keys.linkedin_norm is None
        assert name_key("INDIVIDUAL", fields["lead_name"], fields["company"]) is None


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@given(_word, _word, st.sampled_from(["location", "job_title"]), _word, _word)
def test_keyless_namesakes_who_differ_in_what_is_known_never_share_a_key(
    first: str, last: str, field: str, one: str, other: str
) -> None:
    name = f"{first} {last}"
    assume(person_name_key(name) is not None)  # "dr jr" is no name
    a = match_keys(LeadCandidate(lead_name=name, **{field: one})).name_key
    b = match_keys(LeadCandidate(lead_name=name, **{field: other})).name_key
    assert a is not None and b is not None
    assert (a == b) == (one == other)
