"""Searches keep answering while other threads publish and drain into the same index.

Whoosh writers remove the table of contents and segment files they replace; a search that
opened the index a moment earlier must still answer (or quietly read the newer generation),
and at the end the index must match the database.
"""

from __future__ import annotations

import threading
import time
import traceback

from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM
from catalogue.db import new_session
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from catalogue.search import indexer
from catalogue.search.service import search_index
from catalogue.vocabularies import ModuleStatus
from tests.search.conftest import build_index, search

SECONDS = 8


def test_searches_answer_while_modules_are_published_and_drained(seeded_app):
    build_index(seeded_app)
    with seeded_app.app_context():
        session = new_session()
        editable = list(
            session.scalars(
                select(Module.id)
                .where(Module.status == ModuleStatus.PUBLISHED)
                .order_by(Module.id)
                .limit(2)
            )
        )
        session.close()
    stop = time.monotonic() + SECONDS
    errors: list[str] = []
    done = {"searches": 0, "publications": 0}

    def searcher(words: str) -> None:
        while time.monotonic() < stop:
            try:
                page = search(seeded_app, words)
                assert page.total >= 0
                done["searches"] += 1
            except Exception:
                errors.append(traceback.format_exc())

    def publisher(module_id: int) -> None:
        while time.monotonic() < stop:
            try:
                with seeded_app.app_context():
                    session = new_session()
                    content = working_content(session.get(Module, module_id))
                    content["summary"] = f"Herzien op {time.time():.6f}"
                    editing.update_module(
                        session=session,
                        actor=SYSTEM,
                        module_id=module_id,
                        content=content,
                        base_version=None,
                    )
                    editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
                    indexer.drain(session, search_index())
                    session.close()
                done["publications"] += 1
            except Exception:
                errors.append(traceback.format_exc())

    threads = [threading.Thread(target=searcher, args=(w,)) for w in ("cleanroom", "chip", "")]
    threads += [threading.Thread(target=publisher, args=(m,)) for m in editable]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors[0]
    assert done["searches"] > 10 and done["publications"] > 2, done
    with seeded_app.app_context():
        session = new_session()
        indexer.drain(session, search_index())
        assert indexer.check(session, search_index()) == []
        session.close()
    latest = search(seeded_app, "herzien")
    assert {hit.module_id for hit in latest.hits} >= set(editable)


def test_an_index_survives_code_that_reseeds_the_random_module(seeded_app):
    """Whoosh names new segments with the `random` module; test tools reseed it. Every drain
    must still write a segment of its own, never over a live one."""
    import random

    build_index(seeded_app)
    with seeded_app.app_context():
        session = new_session()
        module_id = session.scalar(
            select(Module.id).where(Module.status == ModuleStatus.PUBLISHED).order_by(Module.id)
        )
        for round_ in range(3):
            random.seed(0)
            content = working_content(session.get(Module, module_id))
            content["summary"] = f"Ronde {round_} van de herziening"
            editing.update_module(
                session=session,
                actor=SYSTEM,
                module_id=module_id,
                content=content,
                base_version=None,
            )
            editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
            random.seed(0)
            indexer.drain(session, search_index())
        assert indexer.check(session, search_index()) == []
        session.close()
    assert module_id in {hit.module_id for hit in search(seeded_app, "herziening").hits}
