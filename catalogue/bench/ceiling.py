"""A minimal Flask JSON endpoint: the ceiling of this stack (Flask, gunicorn, the machine) in
the per-request table of docs/benchmarks.md. Serve it beside the catalogue and measure both:

    gunicorn -w 2 -b 127.0.0.1:8002 catalogue.bench.ceiling:app
    wrk -t2 -c4 -d20s --latency http://127.0.0.1:8002/ping
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    """The smallest JSON answer Flask gives."""
    return {"ok": True}
