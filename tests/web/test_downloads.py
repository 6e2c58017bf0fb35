"""Files the pages hand out are saved under their own name, with one character set named."""

from __future__ import annotations

import pytest

DOWNLOADS = [
    ("/agreements.csv", "text/csv", "erkenningen.csv"),
    ("/monitoring/figures.csv", "text/csv", ".csv"),
    ("/monitoring/figures.xlsx", "application/vnd.openxmlformats", ".xlsx"),
    ("/monitoring/template.csv", "text/csv", "participation-template.csv"),
    ("/shortlist/export.csv", "text/csv", "shortlist.csv"),
    ("/shortlist/export.ics", "text/calendar", "shortlist.ics"),
    ("/shortlist/export.xlsx", "application/vnd.openxmlformats", "shortlist.xlsx"),
]


@pytest.mark.parametrize(("path", "media_type", "ending"), DOWNLOADS)
def test_a_download_names_its_file_and_at_most_one_charset(seeded_client, path, media_type, ending):
    response = seeded_client.get(path)
    assert response.status_code == 200
    content_type = response.headers["Content-Type"]
    assert content_type.startswith(media_type)
    assert content_type.count("charset") == (1 if media_type.startswith("text/") else 0)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith(f'{ending}"')
