"""The vocabularies declared in catalogue/vocabularies.toml, as the rest of the code reads them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import CheckConstraint

from catalogue import vocabularies
from catalogue.materials import licences
from catalogue.models import metadata
from catalogue.oeapi.mapping import codes
from catalogue.vocabularies import Level, Licence, OfferingStatus, Vocabulary

# Every attribute a member may carry, as the header of vocabularies.toml explains them.
KNOWN_ATTRIBUTES = {
    "code",
    "label",
    "ooapi",
    "oeapi",
    "oeapi_read",
    "nlqf",
    "sectors",
    "sector",
    "study_load_unit",
    "open",
}
DECLARED = vocabularies.read_declarations()


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_each_table_is_a_vocabulary_of_the_module(name):
    vocabulary = getattr(vocabularies, name)
    assert issubclass(vocabulary, Vocabulary)
    assert [member.name for member in vocabulary] == list(DECLARED[name])


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_members_have_a_unique_code_a_label_and_only_known_attributes(name):
    members = DECLARED[name].values()
    codes_ = [attributes["code"] for attributes in members]
    assert len(set(codes_)) == len(codes_), f"{name} repeats a code"
    for attributes in members:
        assert attributes["label"], f"{name}.{attributes['code']} has no label"
        unknown = set(attributes) - KNOWN_ATTRIBUTES
        assert not unknown, f"{name}.{attributes['code']}: unknown attributes {unknown}"


def test_members_are_their_codes_and_carry_their_labels():
    assert Level.MBO_2 == "mbo-2"
    assert Level("mbo-2") is Level.MBO_2
    assert str(Level.label("mbo-2")) == "mbo level 2"
    assert Level.label("not-a-level") == "not-a-level"
    assert Level.values()[0] == "mbo-1"


def test_the_standards_maps_cover_every_code_they_need():
    assert set(vocabularies.OOAPI_LEVEL) == set(Level.values())
    assert vocabularies.NLQF_LEVEL["mbo-4"] == 4
    assert vocabularies.NLQF_LEVEL["undefined"] is None
    assert vocabularies.SECTOR_LEVELS["hbo"] == {
        "associate-degree",
        "bachelor",
        "master",
        "undefined",
    }
    for name in (
        "LEVEL",
        "STUDY_LOAD_UNIT",
        "MODE_OF_DELIVERY",
        "COMPONENT_TYPE",
        "OFFERING_STATE",
    ):
        vocabulary_map = getattr(codes, name)
        assert vocabulary_map, name
    assert set(codes.COMPONENT_TYPE) == set(vocabularies.ComponentType.values())
    # An open licence is one that lets others share and adapt the material.
    reusable = {code for code in Licence.values() if licences.terms_of(code).allows_reuse}
    assert Licence.having("open") == reusable


def test_what_we_write_to_oeapi_reads_back_to_a_code_that_writes_it():
    for vocabulary, forward, back in [
        (Level, codes.LEVEL, codes.LEVEL_BACK),
        (OfferingStatus, codes.OFFERING_STATE, codes.OFFERING_STATE_BACK),
        (vocabularies.ComponentType, codes.COMPONENT_TYPE, codes.COMPONENT_TYPE_BACK),
        (vocabularies.DeliveryMode, codes.MODE_OF_DELIVERY, codes.MODE_OF_DELIVERY_BACK),
    ]:
        for code in vocabulary.values():
            assert forward[back[forward[code]]] == forward[code], (vocabulary.__name__, code)


def test_read_aliases_win_over_the_first_writer():
    # Planned, open and full runs are all "active" in OEAPI; an active offering reads as open.
    assert codes.OFFERING_STATE_BACK["active"] == "open"
    assert codes.OFFERING_STATE_BACK["concept"] == "planned"
    assert codes.LEVEL_BACK["post_doctoral"] == "doctoral"


def test_every_code_a_check_constraint_allows_fits_its_column():
    checked = 0
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            for column, allowed in re.findall(r"(\w+) IN \(([^)]*)\)", str(constraint.sqltext)):
                longest = max(re.findall(r"'([^']*)'", allowed), key=len)
                length = table.c[column].type.length
                assert len(longest) <= length, f"{table.name}.{column}: '{longest}' > {length}"
                checked += 1
    assert checked >= 20
