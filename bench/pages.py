"""Page latency and throughput under gunicorn at several database sizes, against a baseline.

    python bench/pages.py [--sizes 1000,10000,50000] [--years 3] [--duration 10]
                          [--connections 4] [--threads 2] [--write]

For each size: a throwaway PostgreSQL database on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432), migrated and filled by ``seed_demo --clients N
--years Y``; a private redis-server; gunicorn with 2 sync workers on loopback with
production settings (DEBUG off, a throwaway SECRET_KEY). The script signs in through the
login form as the role that uses each page, then wrk (a second process) loads each page
for a fixed time: the calendar day and week views, client search, a client page, a
session log, the outbox, and ``/ping`` (a staff view that reads one row): every
page's throughput is given as a ratio to it, so results compare across machines.
Latency is what wrk sees (p50, p95) and, from gunicorn's access log, the server's own
time per request (p95). ``--write`` puts the table and docs/benchmark-latency.png into
docs/benchmarks.md.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.db import admin_sql, server_url  # noqa: E402
from bench.docfile import replace_between  # noqa: E402
from tests.aftercare.reliability_harness import RedisServer, free_port  # noqa: E402

PYTHON = sys.executable
PAGES = ["baseline", "day", "week", "search", "client", "session", "outbox"]
LABELS = {
    "baseline": "baseline `/ping`",
    "day": "calendar, day",
    "week": "calendar, week",
    "search": "client search",
    "client": "client page",
    "session": "session log",
    "outbox": "outbox",
}
LUA = REPO / "bench" / "wrk_report.lua"
PNG = REPO / "docs" / "benchmark-latency.png"
TARGET_P95_MS = 50
TARGET_RATIO = 1 / 3


def query(database_url: str, sql: str, *params):
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchone()


def app_env(database_url: str, redis_url: str, var_dir: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smp_clinic.settings",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ENV_FILE": "/nonexistent",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # Hashed file names need `collectstatic`; the page cost measured here is the same.
        "STATIC_MANIFEST": "false",
    }


def run(cmd: list[str], env: dict) -> str:
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


class Gunicorn:
    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path = env, log_path
        self.errors_path = log_path.with_name("gunicorn-errors.log")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "smp_clinic.wsgi:application",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                f"--access-logfile={self.log_path}",
                # Path and server time (microseconds) of each request.
                "--access-logformat=%(m)s %(U)s?%(q)s %(s)s %(D)s",
                "--error-logfile=-",
                "--log-level=warning",
            ],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=self.errors_path.open("w"),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2)  # noqa: S310
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    errors = self.errors_path.read_text()
                    raise SystemExit("gunicorn did not start:\n" + errors) from None
                time.sleep(0.3)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a session signed in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    form = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    try:
        opener.open(base + "/accounts/login/", data)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in as {email}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def targets(database_url: str) -> dict[str, str]:
    """The URL of each page, on objects a clinic would open: Central Clinic's busiest recent
    day and week, a common surname, the client with the most appointments there, and a
    signed-off session of the demo practitioner with the most passes."""
    location_id, location = query(
        database_url, "SELECT id, public_id FROM locations_location WHERE name = 'Central Clinic'"
    )
    (day,) = query(
        database_url,
        "SELECT (start AT TIME ZONE 'Europe/London')::date AS d FROM scheduling_appointment "
        "WHERE location_id = %s AND start > now() - interval '21 days' AND start < now() "
        "GROUP BY d ORDER BY count(*) DESC, d DESC LIMIT 1",
        location_id,
    )
    (client,) = query(
        database_url,
        "SELECT c.public_id FROM clients_client c JOIN scheduling_appointment a "
        "ON a.client_id = c.id WHERE c.home_location_id = %s "
        "GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1",
        location_id,
    )
    (session,) = query(
        database_url,
        "SELECT s.public_id FROM sessions_app_pigmentationsession s "
        "JOIN accounts_user u ON u.id = s.practitioner_id "
        "JOIN sessions_app_layeringpass p ON p.session_id = s.id "
        "WHERE u.email = 'practitioner@demo.smp-clinic.test' "
        "GROUP BY s.id ORDER BY (SELECT count(*) FROM sessions_app_sessionphoto sp "
        "WHERE sp.session_id = s.id) DESC, count(p.id) DESC, s.id LIMIT 1",
    )
    loc = f"location={location}"
    return {
        "baseline": "/ping",
        "day": f"/calendar/?{loc}&date={day:%Y-%m-%d}",
        "week": f"/calendar/week/?{loc}&date={day:%Y-%m-%d}",
        "search": "/clients/?q=smith",
        "client": f"/clients/{client}/",
        "session": f"/sessions/{session}/",
        "outbox": "/messages/",
    }


def wrk(url: str, cookie: str, *, duration: int, connections: int, threads: int) -> dict:
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout=10s",
            "-s",
            str(LUA),
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    result = json.loads(line)
    if result["non2xx"] or result["errors"]:
        raise SystemExit(f"{url}: {result['non2xx']} non-2xx answers, {result['errors']} errors")
    return result


def server_p95(log_path: Path, path_prefix: str, skip: int) -> tuple[float, int]:
    """p95 of gunicorn's own request time (ms) for the log lines after ``skip``."""
    lines = log_path.read_text().splitlines()[skip:]
    times = sorted(
        int(parts[3]) / 1000
        for parts in (line.split() for line in lines)
        if len(parts) == 4 and parts[1].startswith(path_prefix)
    )
    if not times:
        return 0.0, len(lines) + skip
    return times[min(len(times) - 1, int(len(times) * 0.95))], len(lines) + skip


def check_page(url: str, cookie: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code}, not 200") from None
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}")


def bench_size(size: int, args) -> tuple[list[dict], dict]:
    name = f"smp_bench_pages_{size}_{os.getpid()}"
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    var_dir = tempfile.mkdtemp(prefix="smp-bench-pages-")
    rows, facts = [], {}
    try:
        with RedisServer() as redis:
            database_url = f"{server_url()}/{name}"
            env = app_env(database_url, redis.url, var_dir)
            print(f"[{size} clients] migrate and seed …", flush=True)
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
            started = time.monotonic()
            out = run(
                [
                    PYTHON,
                    "manage.py",
                    "seed_demo",
                    "--clients",
                    str(size),
                    "--years",
                    str(args.years),
                    "--quiet-logins",
                    # The benchmark runs production settings (DEBUG off) on a throwaway
                    # database.
                    "--force",
                ],
                env,
            )
            facts["seed_seconds"] = time.monotonic() - started
            facts["history"] = [x for x in out.splitlines() if x.startswith("History:")][-1]
            print(f"  {facts['history']} ({facts['seed_seconds']:.0f} s)", flush=True)
            (facts["db_size"],) = query(
                database_url, "SELECT pg_size_pretty(pg_database_size(current_database()))"
            )
            logins = json.loads((Path(var_dir) / "demo-logins.json").read_text())
            urls = targets(database_url)
            log_path = Path(var_dir) / "access.log"
            with Gunicorn(env, log_path) as server:
                desk = sign_in(
                    server.base,
                    "frontdesk@demo.smp-clinic.test",
                    logins["frontdesk@demo.smp-clinic.test"],
                )
                practitioner = sign_in(
                    server.base,
                    "practitioner@demo.smp-clinic.test",
                    logins["practitioner@demo.smp-clinic.test"],
                )
                seen = 0
                for page in PAGES:
                    cookie = practitioner if page == "session" else desk
                    url = server.base + urls[page]
                    check_page(url, cookie)
                    # Warm-up: both workers load templates and open their pool connections.
                    wrk(url, cookie, duration=2, connections=args.connections, threads=args.threads)
                    _, seen = server_p95(log_path, "/", 0)
                    load = os.getloadavg()[0]
                    result = wrk(
                        url,
                        cookie,
                        duration=args.duration,
                        connections=args.connections,
                        threads=args.threads,
                    )
                    prefix = urls[page].split("?")[0]
                    p95_server, _ = server_p95(log_path, prefix, seen)
                    row = {
                        "page": page,
                        "size": size,
                        "url": urls[page],
                        "rps": result["requests"] / (result["duration_us"] / 1e6),
                        "p50": result["p50_us"] / 1000,
                        "p95": result["p95_us"] / 1000,
                        "p95_server": p95_server,
                        "load": load,
                    }
                    rows.append(row)
                    print(
                        f"  {page:<9} {row['rps']:7.1f} req/s  p50 {row['p50']:6.1f} ms  "
                        f"p95 {row['p95']:6.1f} ms  server p95 {p95_server:6.1f} ms  "
                        f"(load {load:.1f})",
                        flush=True,
                    )
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)
    base = next(r for r in rows if r["page"] == "baseline")
    for row in rows:
        row["ratio"] = row["rps"] / base["rps"]
    return rows, facts


def table(rows: list[dict]) -> str:
    lines = [
        "| page | clients | req/s | p50 ms | p95 ms | server p95 ms | ÷ baseline req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(rows, key=lambda r: (PAGES.index(r["page"]), r["size"])):
        lines.append(
            f"| {LABELS[row['page']]} | {row['size']:,} | {row['rps']:.0f} | {row['p50']:.1f} "
            f"| {row['p95']:.1f} | {row['p95_server']:.1f} | {row['ratio']:.2f} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> str:
    largest = max(r["size"] for r in rows)
    smallest = min(r["size"] for r in rows)
    out = []
    for page in PAGES[1:]:
        mine = {r["size"]: r for r in rows if r["page"] == page}
        big = mine[largest]
        p95_ok = big["p95_server"] <= TARGET_P95_MS
        ratio_ok = big["ratio"] >= TARGET_RATIO
        growth = big["p95_server"] / max(mine[smallest]["p95_server"], 0.1)
        out.append(
            f"| {LABELS[page]} | {big['p95_server']:.1f} ms {'✓' if p95_ok else '✗'} "
            f"| {big['ratio']:.2f} {'✓' if ratio_ok else '✗'} | ×{growth:.1f} |"
        )
    head = [
        f"| page | server p95 at {largest:,} (≤ {TARGET_P95_MS} ms) "
        f"| ÷ baseline at {largest:,} (≥ 0.33) | server p95 {largest:,} ÷ {smallest:,} |",
        "|---|---:|---:|---:|",
    ]
    return "\n".join(head + out)


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for page in PAGES:
        mine = sorted((r for r in rows if r["page"] == page), key=lambda r: r["size"])
        ax.plot(
            [r["size"] for r in mine],
            [r["p95_server"] for r in mine],
            marker="o",
            label=LABELS[page].replace("`", ""),
        )
    ax.axhline(TARGET_P95_MS, color="grey", linestyle="--", linewidth=1, label="target 50 ms")
    ax.set_xscale("log")
    ax.set_xlabel("clients in the database (3 years of history)")
    ax.set_ylabel("server p95 latency (ms)")
    ax.set_title("Page latency against data size (gunicorn, 2 workers)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(PNG)


def write_doc(rows: list[dict], facts: dict, args) -> None:
    loads = [r["load"] for r in rows]
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()}"
    )
    history = "\n".join(
        f"- {size:,} clients: {f['history'].removeprefix('History: ')} "
        f"Seeded in {f['seed_seconds']:.0f} s; database {f['db_size']}."
        for size, f in sorted(facts.items())
    )
    text = f"""## Pages under load

Measured {time.strftime("%Y-%m-%d")} by `bench/pages.py --write`, half of `make bench`
({machine}): gunicorn with 2 sync
workers and production settings (DEBUG off) on loopback, PostgreSQL on the same machine,
wrk from a second process ({args.threads} threads, {args.connections} connections,
{args.duration} s per page after a 2 s warm-up), signed in through the login form as the
front desk (the practitioner for the session log). "p50/p95" is what wrk measured, which
includes waiting for a free worker ({args.connections} connections share 2 workers);
"server p95" is gunicorn's own time per request, from its access log. The machine was
shared with other work: the one-minute load average was {min(loads):.1f}–{max(loads):.1f}
on {os.cpu_count()} cores during the run.

{table(rows)}

Targets at the largest size (✓ holds, ✗ misses), and how the server p95 grew with the data:

{verdicts(rows)}

![p95 server latency against data size](benchmark-latency.png)

The databases ({args.years} years of history, `seed_demo --clients N --years {args.years}`):

{history}
"""
    replace_between("<!-- pages:begin -->", "<!-- pages:end -->", text)
    plot(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or brew install wrk)")
    if not (Path(PYTHON).parent / "gunicorn").exists():
        raise SystemExit("gunicorn is not installed in this Python's environment")
    rows, facts = [], {}
    for size in (int(s) for s in args.sizes.split(",")):
        size_rows, facts[size] = bench_size(size, args)
        rows += size_rows
    print()
    print(table(rows))
    print()
    print(verdicts(rows))
    if args.write:
        write_doc(rows, facts, args)
        print("\nwritten to docs/benchmarks.md and docs/benchmark-latency.png")


if __name__ == "__main__":
    main()
