"""The mixed workload of `catalogue bench load`: a bounded HTTP client of its own and what it asks.

Reads: the search page and the search API (every query class of `catalogue bench search`),
module pages, institution pages, the agreements registry and API reads. Writes (a share of
all requests, by default 10%) go through the API with a token and If-Match, as an institution's
system would: save a draft of a module, publish a module, add a run, approve a proposed
agreement for one of its parties. The module writes aim at a small
pool of modules on purpose, so that writers on different nodes meet: a write based on an old
ETag gets 412, reads the module again and retries. Every acknowledged write is written down, so
that the run can check afterwards that each one is in the database exactly once.

Requests alternate between the nodes, so half of the reads and half of the writes reach each.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

READ_MIX = {
    "search page": 0.20,
    "search API": 0.25,
    "module page": 0.25,
    "API read": 0.15,
    "institution page": 0.08,
    "registry": 0.07,
}
WRITE_MIX = {"save draft": 0.40, "publish": 0.30, "add run": 0.15, "approve agreement": 0.15}
MAX_RETRIES = 8


class Connection:
    """One keep-alive HTTP/1.1 connection to a node, reopened when the server closes it."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port = port
        self.timeout = timeout
        self._http: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: Any = None, headers: dict | None = None):
        """Send one request; returns (status, headers, decoded JSON or None)."""
        if self._http is None:
            self._http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = dict(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self._http.request(method, path, body=payload, headers=headers)
            response = self._http.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        parsed = None
        if response.getheader("Content-Type", "").startswith("application/json") and data:
            parsed = json.loads(data)
        return response.status, response, parsed

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._http is not None:
            self._http.close()
            self._http = None


@dataclass
class Plan:
    """What the clients ask: read paths per kind, the write pool and the editor's token."""

    reads: dict[str, list[str]]
    write_modules: list[int]
    token: str
    write_share: float = 0.10
    agreements: list[int] = field(default_factory=list)
    approver_token: str = ""


@dataclass
class Tally:
    """What one client saw: latencies per kind, statuses, conflicts and acknowledged writes."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    connection_errors: int = 0
    conflicts: int = 0
    nothing_to_publish: int = 0
    already_decided: int = 0
    gave_up: int = 0
    writes: list[dict[str, Any]] = field(default_factory=list)
    last_write: float = 0.0


class Client:
    """One load client: alternates between the nodes, stops at the deadline or the budget."""

    def __init__(self, number: int, ports: list[int], plan: Plan, budget, seed: int):
        self.number = number
        self.connections = [Connection(port) for port in ports]
        self.plan = plan
        self.budget = budget
        self.rng = random.Random(seed * 1000 + number)
        self.tally = Tally()
        self._turn = itertools.count(number)
        self._writes = itertools.count(1)

    def _next_connection(self) -> Connection:
        return self.connections[next(self._turn) % len(self.connections)]

    def _request(self, kind: str, connection: Connection, method: str, path: str, **kw):
        started = time.perf_counter()
        try:
            status, response, body = connection.send(method, path, **kw)
        except (OSError, http.client.HTTPException):
            self.tally.connection_errors += 1
            return None, None, None
        elapsed = (time.perf_counter() - started) * 1000
        self.tally.latencies.setdefault(kind, []).append(elapsed)
        self.tally.statuses[status] = self.tally.statuses.get(status, 0) + 1
        if status >= 500:
            self.tally.server_errors.append(f"{status} {method} {path}")
        elif status >= 400 and status not in (409, 412):
            self.tally.refusals.append(f"{status} {method} {path}: {json.dumps(body)[:300]}")
        return status, response, body

    def run(self, deadline: float) -> None:
        """Send requests until the deadline or until the shared budget is spent."""
        while time.perf_counter() < deadline and next(self.budget, None) is not None:
            if self.rng.random() < self.plan.write_share:
                self._write()
            else:
                kind = self.rng.choices(list(READ_MIX), list(READ_MIX.values()))[0]
                path = self.rng.choice(self.plan.reads[kind])
                self._request(kind, self._next_connection(), "GET", path)
        for connection in self.connections:
            connection.close()

    # -- writes -----------------------------------------------------------------------------

    def _auth(self, **headers) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.plan.token}", **headers}

    def _write(self) -> None:
        kind = self.rng.choices(list(WRITE_MIX), list(WRITE_MIX.values()))[0]
        module_id = self.rng.choice(self.plan.write_modules)
        connection = self._next_connection()
        if kind == "add run":
            self._add_run(connection, module_id)
            return
        if kind == "approve agreement":
            if self.plan.agreements:
                self._approve(connection, self.rng.choice(self.plan.agreements))
            return
        operation = self._save_draft if kind == "save draft" else self._publish
        for _attempt in range(MAX_RETRIES):
            outcome = operation(connection, module_id)
            if outcome != "conflict":
                return
            self.tally.conflicts += 1
        self.tally.gave_up += 1

    def _acknowledge(self, kind: str, module_id: int, connection: Connection, **facts) -> None:
        self.tally.last_write = time.perf_counter()
        port = connection.port
        self.tally.writes.append({"kind": kind, "module_id": module_id, "port": port, **facts})

    def _save_draft(self, connection: Connection, module_id: int) -> str:
        path = f"/api/v1/modules/{module_id}"
        status, response, draft = self._request(
            "read before write", connection, "GET", path + "/draft", headers=self._auth()
        )
        if status != 200:
            return "failed"
        marker = f"{self.number}-{next(self._writes)}"
        draft["title"] = draft["title"].split(" · wijziging ")[0][:150] + f" · wijziging {marker}"
        headers = self._auth(**{"If-Match": response.getheader("ETag")})
        status, _response, body = self._request(
            "save draft", connection, "PUT", path, body=draft, headers=headers
        )
        if status == 412:
            return "conflict"
        if status == 200:
            self._acknowledge("save draft", module_id, connection, lock=body["lock_version"])
        return "done"

    def _publish(self, connection: Connection, module_id: int) -> str:
        path = f"/api/v1/modules/{module_id}"
        status, response, _body = self._request(
            "read before write", connection, "GET", path, headers=self._auth()
        )
        if status != 200:
            return "failed"
        headers = self._auth(**{"If-Match": response.getheader("ETag")})
        status, _response, body = self._request(
            "publish", connection, "POST", path + "/publish", headers=headers
        )
        if status == 412:
            return "conflict"
        if status == 409:
            self.tally.nothing_to_publish += 1
        elif status == 200:
            lock = body["module"]["lock_version"]
            self._acknowledge("publish", module_id, connection, lock=lock)
        return "done"

    def _add_run(self, connection: Connection, module_id: int) -> None:
        # A run must be in one of the module's languages and modes of delivery.
        status, _response, module = self._request(
            "read before write",
            connection,
            "GET",
            f"/api/v1/modules/{module_id}",
            headers=self._auth(),
        )
        if status != 200:
            return
        code = f"L{self.number}-{next(self._writes)}"
        run = {
            "code": code,
            "start_date": "2027-09-06",
            "end_date": "2027-11-26",
            "enrol_until": "2027-08-20",
            "city": "Eindhoven",
            "delivery_mode": module["delivery_modes"][0],
            "language": module["languages"][0],
            "price_eur": 0,
            "seats": 12,
        }
        status, _response, body = self._request(
            "add run",
            connection,
            "POST",
            f"/api/v1/modules/{module_id}/offerings",
            body=run,
            headers=self._auth(),
        )
        if status == 201:
            self._acknowledge("add run", module_id, connection, code=code, offering_id=body["id"])

    def _approve(self, connection: Connection, agreement_id: int) -> None:
        path = f"/api/v1/agreements/{agreement_id}"
        approver = {"Authorization": f"Bearer {self.plan.approver_token}"}
        status, _response, agreement = self._request(
            "read before write", connection, "GET", path, headers=approver
        )
        undecided = [
            p["institution"]["code"]
            for p in (agreement or {}).get("parties", [])
            if p["decision"] is None
        ]
        if status != 200 or not undecided:
            self.tally.already_decided += 1
            return
        institution = self.rng.choice(undecided)
        approval = {"institution": institution, "content_hash": agreement["content_hash"]}
        status, _response, _body = self._request(
            "approve agreement",
            connection,
            "POST",
            path + "/approve",
            body=approval,
            headers=approver,
        )
        if status == 409:
            self.tally.already_decided += 1
        elif status == 200:
            self._acknowledge(
                "approve agreement", 0, connection, agreement=agreement_id, institution=institution
            )


def drive(ports: list[int], plan: Plan, *, clients: int, seconds: float, max_requests: int, seed=1):
    """Run `clients` clients against the nodes; returns their tallies and the elapsed time."""
    budget = _Locked(iter(range(max_requests)))
    workers = [Client(n, ports, plan, budget, seed) for n in range(clients)]
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=w.run, args=(deadline,), daemon=True) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [w.tally for w in workers], time.perf_counter() - started


class _Locked:
    """An iterator that several threads may advance (a generator may not run in two at once)."""

    def __init__(self, iterator):
        self._iterator = iterator
        self._lock = threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            return next(self._iterator)
