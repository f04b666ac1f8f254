"""The Korean chapters use the glossary's terms, one term per concept."""

import pytest

from course import glossary, notebooks, prose, read


def test_glossary_entries_are_complete_and_unique():
    entries = glossary()
    for entry in entries:
        assert {"ko", "en", "ko_def", "en_def", "forbidden"} <= entry.keys(), entry
    for key in ("ko", "en"):
        terms = [entry[key] for entry in entries]
        assert len(terms) == len(set(terms)), f"a {key} term appears twice"


def test_no_forbidden_variant_is_part_of_an_accepted_term():
    accepted = [entry["ko"] for entry in glossary()]
    for entry in glossary():
        for variant in entry["forbidden"]:
            clashes = [term for term in accepted if variant in term]
            assert not clashes, f"forbidding {variant!r} would forbid {clashes}"


@pytest.mark.parametrize("path", notebooks("ko"), ids=lambda p: p.name)
def test_korean_chapter_uses_the_glossary_terms(path):
    text = prose(read(path))
    found = [(variant, entry["ko"]) for entry in glossary() for variant in entry["forbidden"]
             if variant in text]
    assert not found, "use the glossary's term: " + ", ".join(
        f"{variant!r} → {term!r}" for variant, term in found)
