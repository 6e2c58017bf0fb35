"""Version pages, diffs and audit trails read like the forms, in the page's language.

No vocabulary code and no Python literal (True, False, None, 80.0) reaches the text people read;
the API keeps the raw values.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.factories import EDITOR_A, form_on

CODES = ("on-campus", "nld", "eng", "sbu", "ects", "mbo-3", "cc-by-40", "job-seekers")
LITERALS = ("True", "False", "None", "80.0", "28.0")


def _main_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<code[^>]*>.*?</code>", " ", main, flags=re.S)  # content hashes
    return unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def _assert_readable(text: str) -> None:
    for token in CODES + LITERALS:
        assert not re.search(rf"(?<![\w-]){re.escape(token)}(?![\w.-])", text), (token, text)


@pytest.fixture
def two_versions(world_app, world, client_for):
    """A-DRAFT published twice through the editor; the second time with changed choices."""
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    for changes in (
        {},
        {
            "study_load_value": "80",
            "study_load_unit": "sbu",
            "micro_credential": "y",
            "languages": ["nld", "eng"],
            "delivery_modes": ["online"],
            "units-0-title": "Second edition of the unit",
            "units-0-study_load_value": "56",
        },
    ):
        form = form_on(client.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
        values = form.values(action="publish")
        values.update(changes)
        assert client.post(form.action, data=values).status_code == 302
    return client, module_id


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ("80 study hours (SBU) (≈ 2.9 EC)", "Yes", "Dutch, English", "online")),
        ("nl", ("80 studiebelastingsuren (SBU) (≈ 2,9 EC)", "Ja", "Nederlands, Engels")),
    ],
)
def test_version_page_and_diff_show_labels_not_codes(two_versions, lang, expected):
    client, module_id = two_versions
    client.set_cookie("catalogue_lang", lang)
    version = _main_text(client.get(f"/modules/{module_id}/versions/2").text)
    compare = _main_text(client.get(f"/modules/{module_id}/compare?from=1&to=2").text)
    for text in (version, compare):
        _assert_readable(text)
    for phrase in expected[:3]:
        assert phrase in compare or phrase in version, (phrase, compare)
    assert expected[0] in version and expected[2] in version
    audit = _main_text(client.get(f"/manage/modules/{module_id}/audit").text)
    _assert_readable(audit)
    assert "Module A-DRAFT" in audit and "module " + str(module_id) not in audit


def test_the_api_keeps_the_raw_values(two_versions, world_app):
    from catalogue.db import get_session
    from catalogue.modules.editing import get_version

    _client, module_id = two_versions
    with world_app.app_context():
        content = get_version(get_session(), module_id, 2).content
    assert content["study_load"] == {"value": 80.0, "unit": "sbu"}
    assert content["micro_credential"] is True and content["languages"] == ["nld", "eng"]


def test_audit_trail_names_runs_by_code_and_date(world_app, world, client_for):
    client = client_for(EDITOR_A)
    client.set_cookie("catalogue_lang", "en")
    module_id = world.modules["A-PUB"]
    run = world.offerings["A-PUB"]
    form = form_on(client.get(f"/manage/offerings/{run}/edit").text, r"/edit$")
    assert client.post(form.action, data=form.values(seats="20", price_eur="99")).status_code == 302
    audit = _main_text(client.get(f"/manage/modules/{module_id}/audit").text)
    assert "run 2026-09 (Sep 7, 2026): Price in euros, Seats" in audit
    assert f"offering {run}" not in audit
    _assert_readable(audit)
