"""The dependency locks: in step with pyproject.toml, and audited by pip-audit for real
against a loopback OSV API (a known advisory fails; no database reachable is a note)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
ADVISORY = {
    "id": "GHSA-test-jinja-0001",
    "aliases": ["CVE-2024-56201"],
    "summary": "sandbox breakout",
    "affected": [
        {
            "package": {"name": "jinja2", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.5"}]}],
        }
    ],
}


def locked(name: str) -> dict[str, str]:
    """{canonical name: version} of a lock file and the files it includes."""
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= locked(line[3:].strip())
        elif line:
            package, _, version = line.partition("==")
            pins[canonicalize_name(package)] = version
    return pins


def test_locks_pin_every_dependency_within_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    for spec, pins in [(s, runtime) for s in project["dependencies"]] + [
        (s, dev) for s in project["optional-dependencies"]["dev"]
    ]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in the lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{req.name}=={pins[name]} is locked but pyproject.toml asks {req}: run `make lock`"
        )


class FakeOSV(BaseHTTPRequestHandler):
    """`POST /v1/query`: the advisory for jinja2 below 3.1.5, nothing for the rest."""

    asked: list[dict] = []

    def do_POST(self) -> None:  # http.server's name
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOSV.asked.append(query)
        hit = query["package"]["name"] == "jinja2" and tuple(
            map(int, query["version"].split("."))
        ) < (3, 1, 5)
        body = json.dumps({"vulns": [ADVISORY]} if hit else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def osv_url() -> Iterator[str]:
    """A loopback OSV API."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeOSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOSV.asked.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()
    server.server_close()


def audit(lock: Path, url: str) -> subprocess.CompletedProcess[str]:
    """`tools/deps.py audit` against one OSV endpoint."""
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "deps.py"),
            "audit",
            str(lock),
            "--service",
            "osv",
            "--osv-url",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_known_advisory_fails_the_audit(tmp_path: Path, osv_url: str) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("jinja2==3.1.4\nh11==0.16.0\n")
    done = audit(lock, osv_url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "VULNERABLE jinja2 3.1.4:" in done.stdout and "(fixed in 3.1.5)" in done.stdout
    assert "GHSA-test-jinja-0001" in done.stdout and "CVE-2024-56201" in done.stdout
    assert {q["package"]["name"] for q in FakeOSV.asked} == {"jinja2", "h11"}
    lock.write_text("# pinned\njinja2==3.1.6\nh11==0.16.0\n")
    done = audit(lock, osv_url)
    assert done.returncode == 0 and "2 checked, 0 vulnerable" in done.stdout, done.stdout


def test_no_reachable_database_is_a_note_not_a_failure(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("jinja2==3.1.4\n")
    closed = f"http://127.0.0.1:{free_port()}/v1/query"  # nothing listens there
    done = audit(lock, closed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOTE: dependency audit skipped: no advisory database could be reached" in done.stdout
