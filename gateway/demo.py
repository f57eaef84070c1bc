"""``payer-gateway demo``: sandbox payers, a demo practice with patients, and the gateway, in one process.

The sandboxes listen on loopback ports of their own and the gateway reaches them over real HTTP, exactly
as it would reach real payers.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyotp
import uvicorn
from sqlalchemy import update

from gateway.auth.accounts import create_user
from gateway.auth.passwords import hash_password
from gateway.config import GatewaySettings
from gateway.demo_history import HISTORY_DAYS, HistorySeeded, clock_start, seed_history
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.schedule.demo_day import seed_demo_schedule
from gateway.seeding import seed_practice_patients
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from gateway.storage.tables import Practice
from payers.registry import parse_payers_config
from payers.sandbox.clock import ClockSettings
from payers.sandbox.fleet import serving
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import World, build_world

#: The world's family practice bills the sandbox payers' claims, so the demo practice is that practice.
DEMO_PROVIDER_KEY = "mfm"


def demo_practice(world: World) -> tuple[str, str, str]:
    """Name, NPI and tax id of the practice the demo acts for."""
    provider = world.providers[DEMO_PROVIDER_KEY]
    return provider.name, provider.npi, (provider.tax_id or "").replace("-", "")


EXAMPLE_QUERY = """query Summary($id: ID!) {
  patient(id: $id) {
    firstName lastName
    coverages { payer { name protocol } memberId priority }
    eligibility(serviceTypes: ["30", "98"]) {
      payer { name } active plan { name groupNumber }
      benefits { kind network coverageLevel serviceTypes { code description } amount percent remaining }
    }
    claims(status: OPEN) {
      payer { name }
      claims { controlNumber totalCharge status { state category { code description } } }
    }
    payments {
      payer { name }
      payments {
        traceNumber amount paymentDate
        claims {
          controlNumber charge paid patientResponsibility
          lines { procedure { code } paid adjustments { group { code } reason { code description } amount explanation } }
        }
      }
    }
  }
}"""


#: The demo's payers adjudicate within a minute or two, so their claims' status is asked for as often.
DEMO_PAYER_OPTIONS = {"status_poll_seconds": 30}

#: One user of each role (email local part, name, role); all share the demo password.
DEMO_USERS = (
    ("admin", "Avery Admin", "practice_admin"),
    ("frontdesk", "Frankie Desk", "front_desk"),
    ("biller", "Billie Biller", "biller"),
    ("analyst", "Ana Lyst", "analyst"),
)
DEMO_DOMAIN = "elmridge.demo"
OPERATOR_EMAIL = "operator@gateway.demo"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    totp_secret: str


async def seed_demo_users(database: Database, practice_id: str, password: str) -> list[DemoLogin]:
    """A user of each role (and an operator), TOTP already enrolled so the printed secret logs in."""
    password_hash = hash_password(password)  # once: argon2 is slow on purpose
    logins = []
    people: list[tuple[str, str, str, str | None]] = [
        (f"{local}@{DEMO_DOMAIN}", name, role, practice_id) for local, name, role in DEMO_USERS
    ]
    people.append((OPERATOR_EMAIL, "Otto Operator", "operator", None))
    for email, name, role, practice in people:
        secret = pyotp.random_base32()
        await create_user(
            database,
            practice_id=practice,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            totp_secret=secret,
        )
        logins.append(DemoLogin(email, role, secret))
    return logins


def _showcase_person(world: World) -> str:
    """The person covered by the most payers: the one whose summary shows the fan-out best."""
    return max(world.people, key=lambda key: (len(world.coverages_of(key)), key))


#: Booked tomorrow, slot by slot (gateway/schedule/demo_day.py's visit types: slot 7 is physical
#: therapy with 97110): Rosa's plan changed, Hank's card ended, Dario's member id is mistyped, Elsie
#: has her deductible ahead, Petra's therapy needs prior authorization at her payer.
_TOMORROW = (
    "rosa",
    "hank",
    "dario",
    "elsie",
    "harriet",
    "oscar",
    "maya",
    "petra",
    "priya",
    "felix",
    "ivan",
    "wanda",
)


def _tomorrow(patients: dict[str, str]) -> list[str]:
    return [patients[key] for key in _TOMORROW if key in patients]


@dataclass(frozen=True, slots=True)
class DemoSetup:
    settings: GatewaySettings
    key: str
    patient_id: str
    password: str
    logins: list[DemoLogin]
    history: HistorySeeded


async def prepare(database_path: str, world: World, base_urls: dict[str, str]) -> DemoSetup:
    """Fresh SQLite database, migrated and seeded with patients, an API key and a user of each role."""
    Path(database_path).unlink(missing_ok=True)
    settings = GatewaySettings(
        database_url=f"sqlite:///{Path(database_path).resolve()}",
        graphiql=True,  # `serve` leaves it off unless PAYER_GATEWAY_GRAPHIQL=true
        # The demo's own secrets, for this run only (a real deployment sets them in the environment).
        jwt_secret=os.environ.get("PAYER_GATEWAY_JWT_SECRET") or secrets.token_urlsafe(48),
        pseudonym_secret=os.environ.get("PAYER_GATEWAY_PSEUDONYM_SECRET")
        or secrets.token_urlsafe(48),
    )
    password = "demo-" + secrets.token_hex(6)
    services = build_services(
        settings, parse_payers_config(payers_toml(world, base_urls, options=DEMO_PAYER_OPTIONS))
    )
    try:
        await upgrade(services.database)
        practice_id = await create_practice(services.database, *demo_practice(world))
        patients = await seed_practice_patients(
            services.database, practice_id, world, set(base_urls)
        )
        assert services.claims is not None
        # Months of claims and payments made the real way (gateway/demo_history.py), for analysts.
        clients = {p: httpx.AsyncClient(base_url=url, timeout=30) for p, url in base_urls.items()}
        try:
            history = await seed_history(
                services.database, services.payers, services.claims, world, practice_id, clients
            )
        finally:
            for client in clients.values():
                await client.aclose()
        # The demo shows the whole chain: a primary's posted payment sends the secondary claim itself.
        async with services.database.transaction() as session:
            await session.execute(
                update(Practice)
                .where(Practice.id == practice_id)
                .values(auto_secondary_claims=True)
            )
        await seed_demo_schedule(
            services.database, practice_id, list(patients.values()), _tomorrow(patients)
        )
        key = await create_api_key(services.database, practice_id, "demo")
        logins = await seed_demo_users(services.database, practice_id, password)
    finally:
        assert services.claims is not None
        await services.claims.close()
        await services.payers.aclose()
        await services.database.dispose()
    return DemoSetup(settings, key, patients[_showcase_person(world)], password, logins, history)


async def run_demo(host: str, port: int, database_path: str) -> None:
    today = datetime.now(UTC).date()
    world = build_world(today)
    # The demo's payers adjudicate and pay by themselves within a few minutes of a submission; their
    # clocks start months back so the practice's history is replayed through them first.
    plan = plan_sandboxes(world, clock=replace(ClockSettings.demo(), start_on=clock_start(today)))
    os.environ.update(plan.environ)
    # The demo's webhooks may reach a receiver on this machine, over http; a deployment allows
    # neither unless its operator says so (gateway/claims/webhook_addresses.py).
    os.environ.setdefault("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
    os.environ.setdefault("PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOW_HTTP", "true")
    # On the demo's clock a claim is adjudicated within a minute or two: ask for its status and the
    # payers' remittances every half minute (a deployment's defaults are 5 minutes and an hour).
    os.environ.setdefault("PAYER_GATEWAY_CLAIMS_FIRST_POLL_SECONDS", "30")
    os.environ.setdefault("PAYER_GATEWAY_CLAIMS_POLL_TICK_SECONDS", "10")
    os.environ.setdefault("PAYER_GATEWAY_CLAIMS_REMITTANCE_PULL_SECONDS", "30")
    async with serving(plan.apps) as running:
        base_urls = {key: r.base_url for key, r in running.items()}
        setup = await prepare(database_path, world, base_urls)
        services = build_services(
            setup.settings,
            parse_payers_config(payers_toml(world, base_urls, options=DEMO_PAYER_OPTIONS)),
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(services), host=host, port=port, log_config=None, access_log=False
            )
        )
        serve = asyncio.create_task(server.serve())
        while not server.started and not serve.done():
            await asyncio.sleep(0.05)
        if serve.done():
            serve.result()
            return
        _print_banner(host, port, setup, base_urls)
        await serve


def _print_banner(host: str, port: int, setup: DemoSetup, base_urls: dict[str, str]) -> None:
    portal = f"http://{host}:{port}/"
    url = f"{portal}graphql"
    key, patient_id = setup.key, setup.patient_id
    desk = next(u for u in setup.logins if u.role == "front_desk")
    payers = "\n".join(f"  {k:<10} {v}" for k, v in base_urls.items())
    users = "\n".join(
        f"  {u.role:<15} {u.email:<26} TOTP secret {u.totp_secret}" for u in setup.logins
    )
    first = setup.logins[0]
    print(
        f"""
Payer Gateway demo is running.

Portal:    {portal}
           Sign in as {desk.email} (front desk) with password {setup.password}; the 6-digit code:
             python -c "import pyotp; print(pyotp.TOTP('{desk.totp_secret}').now())"
           (every user below signs in the same way with their own TOTP secret)

GraphiQL:  {url}
API key:   {key}
           (GraphiQL: open "Headers" and paste {{"Authorization": "Bearer {key}"}})

Sandbox payers on loopback:
{payers}

History:   {setup.history.accepted} claims over the last {HISTORY_DAYS} days, {setup.history.remittances} remittances posted
           (examples/claim_history.ipynb: PAYER_GATEWAY_URL={portal.rstrip("/")} PAYER_GATEWAY_API_KEY=<key above>)

Example (works as printed):
  curl -s {url} -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\
    -d '{{"query": "{{ payers {{ id name protocol capabilities }} patients(first: 5) {{ edges {{ node {{ id firstName lastName }} }} }} }}"}}'

Users (password for all: {setup.password}); log in with the login and completeLogin mutations.
A TOTP code for a secret: python -c "import pyotp; print(pyotp.TOTP('SECRET').now())"
{users}

Log in as {first.email} (two steps; the second answers with an access token):
  curl -s {url} -H 'Content-Type: application/json' \\
    -d '{{"query": "mutation {{ login(input: {{email: \\"{first.email}\\", password: \\"{setup.password}\\"}}) {{ challenge errors {{ code }} }} }}"}}'
  curl -s {url} -H 'Content-Type: application/json' \\
    -d '{{"query": "mutation($c: String!, $code: String!) {{ completeLogin(input: {{challenge: $c, code: $code}}) {{ session {{ accessToken refreshToken }} errors {{ code }} }} }}", "variables": {{"c": "<challenge>", "code": "<TOTP code>"}}}}'

Patient summary query (variables: {{"id": "{patient_id}"}}):
{EXAMPLE_QUERY}

Press Ctrl+C to stop.""",
        flush=True,
    )
