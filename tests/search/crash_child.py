"""A node that publishes a module and dies before indexing it (run by test_consistency.py).

Usage: python -m tests.search.crash_child DATABASE_URL SEARCH_INDEX_DIR MODULE_ID

It logs in as editor A and publishes the module through the editor's own form, as a person
would. The request commits, then its after-request drain waits for the index's write lock, which
the test holds; the test kills this process there with SIGKILL. Nothing in the application knows
it is being tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import _make_app
from tests.factories import EDITOR_A, form_on, login


def main(database_url: str, index_dir: str, module_id: int) -> None:
    # Wait for the lock far longer than the test takes to kill us.
    app = _make_app(database_url, Path(index_dir), SEARCH_LOCK_TIMEOUT=600)
    client = app.test_client()
    response = login(client, EDITOR_A)
    assert response.status_code == 302, "editor A could not log in"
    page = client.get(f"/manage/modules/{module_id}/edit").text
    publish = form_on(page, r"/edit$")  # "save and publish" belongs to the editor's form
    print("publishing", flush=True)
    response = client.post(publish.action, data=publish.values(action="publish"))
    # Only reached when the drain gave up or finished without the lock: the test fails then.
    print(f"request finished with {response.status_code}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
