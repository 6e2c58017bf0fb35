"""Editors harvest their institution's own OEAPI endpoint from the web: a dry run shows what
would change and writes nothing; confirming writes it and the audit trail records who did."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.audit.models import AuditEvent
from catalogue.modules.models import Module
from tests.api.conftest import serve
from tests.factories import EDITOR_A, EDITOR_B, INSTITUTION_A, app_session, csrf_token, snapshot
from tests.oeapi.test_harvest_failures import COURSES, foreign_endpoint

PAGE = f"/manage/institutions/{INSTITUTION_A}/harvest"


def _modules_of_a(app) -> list[str]:
    with app_session(app) as session:
        return sorted(session.scalars(select(Module.status).where(Module.code.like("F-%"))).all())


def test_an_editor_previews_then_confirms_a_harvest(world_app, client_for):
    world_app.config["OEAPI_HARVEST_ALLOW_LOOPBACK"] = True
    client = client_for(EDITOR_A)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Show what would change" in page.text or "Laat zien wat er verandert" in page.text
    for live in serve(foreign_endpoint()):
        url = f"{live.url}/oeapi"
        before = snapshot(world_app)
        form = {"url": url, "competency": "digitalisation", "csrf_token": csrf_token(client)}
        preview = client.post(PAGE, data={**form, "action": "preview"})
        assert preview.status_code == 200
        assert f"{COURSES} " in preview.text and "F-07" in preview.text
        assert snapshot(world_app) == before, "the dry run wrote something"
        done = client.post(PAGE, data={**form, "action": "confirm"})
        assert done.status_code == 302
    assert _modules_of_a(world_app) == ["draft"] * COURSES
    with app_session(world_app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "oeapi.harvested"))
        assert event is not None and event.actor_name == EDITOR_A.name and event.via == "web"
        assert event.details["created"] == COURSES
        module = session.scalar(select(Module).where(Module.code == "F-03"))
        assert module.codes("competencies") == ["digitalisation"]
    trail = client.get(f"/manage/institutions/{INSTITUTION_A}/audit")
    assert url in trail.text


def test_broken_data_and_this_machine_are_refused_with_the_reason(world_app, client_for):
    client = client_for(EDITOR_A)
    for live in serve(foreign_endpoint("missing-name")):
        form = {"url": f"{live.url}/oeapi", "action": "preview", "csrf_token": csrf_token(client)}
        refused = client.post(PAGE, data=form)
        assert refused.status_code == 422
        assert "this machine may not be harvested" in refused.text
        world_app.config["OEAPI_HARVEST_ALLOW_LOOPBACK"] = True
        broken = client.post(PAGE, data={**form, "action": "confirm"})
        assert broken.status_code == 422
        assert "&#39;name&#39; is a required property" in broken.text
    assert _modules_of_a(world_app) == []
    empty = client.post(PAGE, data={"url": "", "csrf_token": csrf_token(client)})
    assert empty.status_code == 422


def test_editors_of_another_institution_may_not_harvest_for_it(world_app, client_for):
    assert client_for(EDITOR_B).get(PAGE).status_code == 403
    assert client_for(None).get(PAGE).status_code == 302
