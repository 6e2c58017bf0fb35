"""Search judged the way its users search: the judged set of tests/search/judged_by_users.yaml
must reach the goals per user kind (see catalogue.search.evaluation), and the four ways search
failed its users each have a query on the seed catalogue that shows they are gone.
"""

from __future__ import annotations

import pytest

from catalogue.search import evaluation
from catalogue.search.evaluation import (
    DEPTH,
    GOALS,
    USER_KINDS,
    evaluate,
    load_judged,
    ndcg_at,
    precision_at,
    recall_at,
    shortfalls,
)

JUDGED = load_judged(evaluation.default_judged_set())


def test_the_judged_set_holds_60_queries_of_every_user_kind():
    assert len(JUDGED) >= 60
    for kind in USER_KINDS:
        assert sum(1 for entry in JUDGED if entry.user == kind) >= 20, kind
    assert all(2 in entry.relevant.values() for entry in JUDGED), "a query without an exact module"


def test_every_judged_module_is_a_published_seed_module(seed_search):
    from catalogue.modules.models import Module

    codes = {code for entry in JUDGED for code in entry.relevant}
    with seed_search.session() as session:
        for code in sorted(codes):
            module = session.get(Module, seed_search.by_code(code))
            assert module.status == "published", f"{code} is {module.status}"


def test_the_measures_on_a_ranking_worked_out_by_hand():
    grades = {"a": 2, "b": 1, "c": 1}
    ranked = ["x", "a", "y", "c", "z", "b"]
    assert precision_at(ranked, grades) == pytest.approx(2 / 3)  # a and c of min(5, 3)
    assert recall_at(ranked, grades) == 1.0
    # DCG: a (gain 3) at 2, c (1) at 4, b (1) at 6; ideal: 3, 1, 1 at 1, 2, 3.
    dcg = 3 / 1.5849625 + 1 / 2.3219281 + 1 / 2.8073549
    ideal = 3 / 1 + 1 / 1.5849625 + 1 / 2
    assert ndcg_at(ranked, grades) == pytest.approx(dcg / ideal)


def test_a_judged_set_file_with_a_wrong_entry_says_which(tmp_path):
    path = tmp_path / "judged.yaml"
    path.write_text("queries:\n  - query: cleanroom\n    user: student\n    relevant: {A: 2}\n")
    with pytest.raises(evaluation.JudgedSetError, match=r"query 1 \('cleanroom'\): user must"):
        load_judged(path)


def test_every_user_kind_reaches_the_goals(seed_search):
    def search(text: str) -> tuple[list[str], int]:
        page = seed_search.search(text, page_size=DEPTH)
        return [hit.display["code"] for hit in page.hits], page.total

    outcomes = evaluate(JUDGED, search)
    assert not shortfalls(outcomes), f"goals {GOALS}\n" + evaluation.report(
        outcomes, per_query=True
    )


def codes(page, top: int = 10) -> list[str]:
    return [hit.display["code"] for hit in page.hits[:top]]


def test_related_modules_are_listed_below_the_one_that_holds_every_word(seed_search):
    # Before: every word had to match, so only the yield module was found.
    page = seed_search.search("yield data analyse")
    assert codes(page)[0] == "FHT-YLD-03"
    assert {"MC-LSS-05", "HAN-PY-02"} <= set(codes(page))  # statistics, Python log analysis
    assert "HZ-SPC-01" in codes(page, top=20)  # SPC on production data
    assert page.total == len(seed_search.found("yield data analyse"))


def test_generic_words_do_not_outweigh_the_topic(seed_search):
    # "cursus", "monteurs", "ervaring" are in many modules; soldering is the topic.
    page = seed_search.search("cursus solderen voor monteurs met ervaring")
    assert codes(page)[0] == "RN-SOL-01"
    assert "NHLS-PCB-02" in codes(page)  # solder and test your own board
    # A module that holds only the generic words is not shown at all.
    assert set(seed_search.found("cursus solderen voor monteurs met ervaring")) <= set(
        seed_search.found("solderen")
    )


@pytest.mark.parametrize(
    ("query", "first", "related"),
    [
        ("operator", {"RN-WFO-02", "SLC-OPR-01"}, set()),  # "procesoperator" found by its head
        ("opfrissen", {"HHS-NAT-02"}, {"FHT-HGF-01"}),  # "opfriscursus" by its modifier
        ("elektro", {"RN-ELE-03"}, {"NP-DEM-02", "SUM-MEC-02"}),  # elektronica, elektrotechniek
        ("hijscursus", {"STODT-HIJ-02"}, set()),  # a compound typed: hijsen
        ("montagemedewerker hightech", {"SUM-MON-05"}, {"BPA-LWT-02"}),
    ],
)
def test_compounds_and_partial_words_find_the_module(seed_search, query, first, related):
    page = seed_search.search(query)
    assert set(codes(page, top=len(first))) == first, codes(page)
    assert related <= set(codes(page)), codes(page)


def test_a_known_rare_word_is_not_corrected_into_another(seed_search):
    # "gasleidingen" is in no module, but "gas" and "leidingen" are: no "geleidingen".
    page = seed_search.search("gasleidingen")
    assert page.corrected_from is None
    assert codes(page)[0] == "ZAD-ORB-01"  # RVS-leidingen for ultrapure gassen
    assert "DLT-UPW-02" in codes(page)  # process gases stored and distributed


def test_a_correction_that_finds_fewer_modules_is_offered_not_applied(seed_search):
    # "kicat" is unknown; "kicad" is one module, and with it fewer modules hold enough of the
    # query than "plc hmi" find alone: the correction is offered, the words as typed searched.
    page = seed_search.search("plc hmi kicat")
    assert len(seed_search.found("plc hmi kicad")) < page.total
    assert page.corrected_from is None
    assert page.did_you_mean == "plc hmi kicad"
    assert codes(page)[0] == "RVT-SCA-02" and "RVT-PLC-01" in codes(page)
    # Where the correction finds as many or more, it is applied (and said).
    corrected = seed_search.search("cleanroom kicat")
    assert corrected.corrected_from == "cleanroom kicat"
    assert corrected.searched_for == "cleanroom kicad"


def test_quoted_words_must_all_occur(seed_search):
    ranked = seed_search.found("yield data")
    every_word = seed_search.found('"yield" "data"')
    assert every_word and set(every_word) < set(ranked)
    assert set(every_word) == set(seed_search.found('"yield data"'))


def test_a_query_of_weak_words_alone_still_finds_modules(seed_search):
    # Weak words count for little beside a topic, but alone they are the topic.
    assert len(seed_search.found("training")) >= 5
    assert seed_search.found("cursus voor medewerkers")


def test_a_module_code_finds_that_module_alone(seed_search):
    # A code is several words to the index; every one must occur, as before.
    assert seed_search.found("FHT-YLD-03") == [seed_search.by_code("FHT-YLD-03")]
    assert seed_search.found("IEC 61340-5-1") == [seed_search.by_code("MC-ESD-03")]
