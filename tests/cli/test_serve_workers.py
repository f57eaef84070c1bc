"""``payer-gateway serve`` in several processes on one PostgreSQL database and one Redis: real
processes, real HTTP, the sandbox payers on loopback. What one process learns (a cached answer, a
payer's open breaker, a caller's request count) the others use; ``--workers N`` spreads requests
over N children and replaces one that dies."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from gateway.demo import demo_practice
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage import load_metadata
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.cache.fixtures import redis_url
from tests.cli.conftest import SERVE_SECRETS, RunCommand

__all__ = ["redis_url"]

PAYERS = ("lakeshore", "cascade")
ELIGIBILITY = """
query E($id: ID!, $fresh: Boolean) {
  patient(id: $id) { eligibility(fresh: $fresh) { payer { id } active fromCache fetchedAt } }
}"""
ANONYMOUS_PER_MINUTE = 4
PID = re.compile(r'^pgw_process_info\{pid="(\d+)"\} 1\.0$', re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Sandboxes:
    urls: dict[str, str]
    environ: dict[str, str]
    servers: list[uvicorn.Server] = field(default_factory=list)

    def calls(self, payer_id: str, operation: str = "eligibility") -> int:
        stats = httpx.get(f"{self.urls[payer_id]}/_control/stats", timeout=5).json()
        return int(stats["requests"].get(operation, 0))

    def faults(self, payer_id: str, **settings: Any) -> None:
        answer = httpx.put(f"{self.urls[payer_id]}/_control/faults", json=settings, timeout=5)
        assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def sandboxes(world: Any) -> Iterator[Sandboxes]:
    """Two sandbox payers served by uvicorn on loopback, in a thread of their own."""
    plan = plan_sandboxes(world, only=set(PAYERS))
    ports = {key: _free_port() for key in plan.apps}
    found = Sandboxes({k: f"http://127.0.0.1:{p}" for k, p in ports.items()}, plan.environ)
    ready = threading.Event()

    async def serve() -> None:
        for key, app in plan.apps.items():
            config = uvicorn.Config(app, port=ports[key], log_config=None, lifespan="auto")
            found.servers.append(uvicorn.Server(config))
        tasks = [asyncio.create_task(server.serve()) for server in found.servers]
        while not all(server.started for server in found.servers):
            await asyncio.sleep(0.02)
        ready.set()
        await asyncio.gather(*tasks)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(30), "the sandboxes did not start"
    yield found
    for server in found.servers:
        server.should_exit = True
    thread.join(10)


@dataclass
class Deployment:
    """What every gateway process of a test is started with, and what it serves."""

    environ: dict[str, str]
    api_key: str
    patients: dict[str, str]  # payer id -> a patient with an active coverage there only or too
    workdir: Path


@pytest.fixture(scope="module")
def deployment(
    postgres_url: str,
    redis_url: str,
    sandboxes: Sandboxes,
    world: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """One migrated PostgreSQL database with a practice and its patients, one Redis namespace."""
    namespace = f"pgw-test-{uuid.uuid4().hex[:12]}"

    async def prepare() -> tuple[str, dict[str, str]]:
        database = Database(postgres_url)
        try:
            await upgrade(database)
            names = ", ".join(table.name for table in load_metadata().sorted_tables)
            async with database.engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {names} CASCADE"))
            practice_id = await create_practice(database, *demo_practice(world))
            ids = await seed_practice_patients(database, practice_id, world, set(PAYERS))
            key = await create_api_key(database, practice_id, "workers")
        finally:
            await database.dispose()
        patients = {}
        for payer_id in PAYERS:
            person = next(
                p
                for p in world.people
                if any(m.payer_key == payer_id and m.active for m in world.coverages_of(p))
            )
            patients[payer_id] = ids[person]
        return key, patients

    key, patients = asyncio.run(prepare())
    workdir = tmp_path_factory.mktemp("workers")
    (workdir / "payers.toml").write_text(payers_toml(world, sandboxes.urls, timeout_seconds=2))
    environ = {
        **SERVE_SECRETS,
        **sandboxes.environ,
        "PAYER_GATEWAY_DATABASE_URL": postgres_url,
        "PAYER_GATEWAY_CACHE_URL": redis_url,
        "PAYER_GATEWAY_CACHE_NAMESPACE": namespace,
        "PAYER_GATEWAY_PAYERS_CONFIG": str(workdir / "payers.toml"),
        "PAYER_GATEWAY_BREAKER_FAILURE_THRESHOLD": "2",
        "PAYER_GATEWAY_RETRY_ATTEMPTS": "0",
        "PAYER_GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE": str(ANONYMOUS_PER_MINUTE),
        "PAYER_GATEWAY_LOG_LEVEL": "WARNING",
    }
    yield Deployment(environ, key, patients, workdir)
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class Served:
    """One ``payer-gateway serve`` process (the parent of its workers), on a port of its own."""

    def __init__(self, deployment: Deployment, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = deployment.workdir / f"serve-{self.port}.log"
        environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PAYER_GATEWAY_") or k == "PAYER_GATEWAY_DATA_KEYS"
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port), *args],
                env={**environ, **deployment.environ},
                cwd=deployment.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.key = deployment.api_key

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready in {seconds} s: {self.log.read_text()}")

    def query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            self.url + "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def metrics(self) -> str:
        return httpx.get(self.url + "/metrics", timeout=10, headers={"Connection": "close"}).text

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def pair(deployment: Deployment) -> Iterator[tuple[Served, Served]]:
    """Two ``serve`` processes (one worker each) on the same database and Redis."""
    a, b = Served(deployment), Served(deployment)
    try:
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        a.stop()
        b.stop()


def _eligibility(served: Served, patient_id: str, payer_id: str, fresh: bool) -> dict[str, Any]:
    body = served.query(ELIGIBILITY, {"id": patient_id, "fresh": fresh})
    found = [
        (answer, i)
        for i, answer in enumerate(body["data"]["patient"]["eligibility"])
        if answer and answer["payer"]["id"] == payer_id
    ]
    errors = [e for e in body.get("errors", []) if e["extensions"].get("payer") == payer_id]
    return {"answer": found[0][0] if found else None, "errors": errors}


def test_an_answer_cached_by_one_process_is_a_hit_in_the_other(
    pair: tuple[Served, Served], deployment: Deployment, sandboxes: Sandboxes
) -> None:
    a, b = pair
    patient = deployment.patients["lakeshore"]
    before = sandboxes.calls("lakeshore")
    first = _eligibility(a, patient, "lakeshore", fresh=False)["answer"]
    assert first["fromCache"] is False
    assert sandboxes.calls("lakeshore") == before + 1
    second = _eligibility(b, patient, "lakeshore", fresh=False)["answer"]
    assert second["fromCache"] is True and second["fetchedAt"] == first["fetchedAt"]
    assert sandboxes.calls("lakeshore") == before + 1  # B did not ask the payer


def _breaker_state(served: Served, payer_id: str) -> float | None:
    found = re.search(
        rf'^pgw_payer_breaker_state\{{payer="{payer_id}"\}} (\S+)$', served.metrics(), re.M
    )
    return float(found.group(1)) if found else None


def test_a_breaker_opened_in_one_process_is_open_in_the_other(
    pair: tuple[Served, Served], deployment: Deployment, sandboxes: Sandboxes
) -> None:
    a, b = pair
    patient = deployment.patients["cascade"]
    sandboxes.faults("cascade", error_rate=1.0)
    try:
        for _ in range(2):  # the failure threshold
            failed = _eligibility(a, patient, "cascade", fresh=True)
            assert failed["errors"][0]["extensions"]["code"] == "PAYER_UNAVAILABLE"
        assert _breaker_state(a, "cascade") == 2
        opened = time.monotonic()
        while _breaker_state(b, "cascade") != 2:
            assert time.monotonic() - opened < 5, "B never saw A's opening"
            time.sleep(0.1)
        calls = sandboxes.calls("cascade")
        refused = _eligibility(b, patient, "cascade", fresh=True)
        assert refused["errors"][0]["extensions"]["code"] == "PAYER_UNAVAILABLE"
        assert "circuit breaker is open" in refused["errors"][0]["message"]
        assert sandboxes.calls("cascade") == calls  # answered at once, payer not called
    finally:
        sandboxes.faults("cascade")


def test_a_rate_limit_counts_requests_to_both_processes(pair: tuple[Served, Served]) -> None:
    a, b = pair
    if time.time() % 60 > 50:  # the limit counts per minute: start well inside one
        time.sleep(61 - time.time() % 60)
    answers = []
    for i in range(ANONYMOUS_PER_MINUTE + 1):  # anonymous calls: counted per client address
        served = (a, b)[i % 2]
        answers.append(
            httpx.post(served.url + "/graphql", json={"query": "{ __typename }"}, timeout=10)
        )
    assert [r.status_code for r in answers[:-1]] == [200] * ANONYMOUS_PER_MINUTE
    last = answers[-1]  # the 5th request, the 2nd at B: only a shared count refuses it
    assert last.status_code == 429, last.text
    assert last.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(last.headers["Retry-After"]) >= 1


def _pids_answering(served: Served, seconds: float = 30) -> set[int]:
    """The worker pids seen in /metrics, asked over many new connections at once."""

    async def ask() -> set[int]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)) as client:
            answers = await asyncio.gather(
                *(client.get(served.url + "/metrics", timeout=10) for _ in range(16)),
                return_exceptions=True,
            )
        return {
            int(pid)
            for answer in answers
            if isinstance(answer, httpx.Response)
            for pid in PID.findall(answer.text)
        }

    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while len(seen) < 2 and time.monotonic() < deadline:
        seen |= asyncio.run(ask())
    return seen


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def test_two_workers_share_the_port_and_a_killed_one_is_replaced(
    deployment: Deployment,
) -> None:
    served = Served(deployment, "--workers", "2")
    try:
        served.wait_ready()
        workers = _pids_answering(served)
        assert len(workers) == 2, workers
        assert workers <= _children(served.process.pid)  # both are this serve's children
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 120
        now: set[int] = set()
        # uvicorn's supervisor looks every 0.5 s; the new child builds its app before answering.
        while time.monotonic() < deadline:
            now = _pids_answering(served, seconds=5)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.5)
        assert len(now) == 2 and victim not in now, (now, served.log.read_text())
        assert served.process.poll() is None
    finally:
        served.stop()
    assert served.process.returncode == 0
    assert not [pid for pid in workers | now if Path(f"/proc/{pid}").exists()]  # none left over


def test_a_worker_that_cannot_start_stops_the_command_with_one_line(
    deployment: Deployment, redis_url: str
) -> None:
    """What only a child finds wrong (here a Redis database that is not a number) is said once by
    each child, and the supervisor stops instead of starting children forever."""
    bad = redis_url.rsplit("/", 1)[0] + "/not-a-number"
    served = Served(
        dataclasses.replace(
            deployment, environ={**deployment.environ, "PAYER_GATEWAY_CACHE_URL": bad}
        ),
        "--workers",
        "2",
    )
    try:
        served.process.wait(120)
    finally:
        served.stop()
    said = served.log.read_text()
    assert served.process.returncode == 1, said
    assert "Traceback" not in said
    assert said.count("payer-gateway: unexpected ValueError; run again with --traceback") >= 1
    assert said.rstrip().endswith(
        "payer-gateway: a worker process could not start (its line above says why)"
    )


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (
            ["--workers", "2"],
            {},
            "cannot start 2 workers with PAYER_GATEWAY_CACHE_URL=memory://: each process would "
            "keep its own cache, rate limits and payer circuit breakers; set "
            "PAYER_GATEWAY_CACHE_URL=redis://",
        ),
        ([], {"PAYER_GATEWAY_WORKERS": "3"}, "cannot start 3 workers with"),
        (["--workers", "0"], {}, "argument --workers: '0' is not a number of processes"),
        (["--workers", "two"], {}, "argument --workers: 'two' is not a number of processes"),
        ([], {"PAYER_GATEWAY_WORKERS": "0"}, "PAYER_GATEWAY_WORKERS must be 1 or more"),
        ([], {"PAYER_GATEWAY_WORKERS": "many"}, "PAYER_GATEWAY_WORKERS must be a whole number"),
    ],
)
def test_workers_that_cannot_work_are_refused_with_one_line(
    args: list[str], env: dict[str, str], said: str, run_command: RunCommand, migrated_sqlite: str
) -> None:
    outcome = run_command(
        "serve", "--port", "0", *args, database=migrated_sqlite, env=SERVE_SECRETS | env
    )
    assert outcome.code == 2 and said in outcome.line
