"""Serve MyCareBudget with gunicorn beside the floor view, load it with wrk, write the results.

    .venv/bin/python bench/run.py            # make bench: full seed, PostgreSQL and SQLite
    .venv/bin/python bench/run.py --quick    # make bench-quick: small seed, short runs, one database

For each database: migrate, seed (bench/seed.py, skipping what is there), collect static
files, count queries and time search in-process (bench/measure.py), then start gunicorn
exactly as production does (mycarebudget.settings.prod, 2 sync workers, whitenoise; every
request carries X-Forwarded-Proto: https as the TLS proxy would send it) with the floor view
routed (MCB_BENCH_FLOOR=1). wrk drives each page from loopback in short slices alternating
with slices of the floor, and every ratio is that page's requests per second over the floor's
in the same slices, so the machine's noise between runs cancels. Nothing here asserts a time.
"""

import argparse
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ROOT = "postgres://postgres@127.0.0.1:5432"
# The code being measured: this working tree, or with --snapshot a copy of the last commit
# (so edits made while a run goes on cannot change what it measures).
APP = ROOT
FULL_SEED = [
    "--users",
    "5000",
    "--pages",
    "5000",
    "--versions",
    "20",
    "--topics",
    "2000",
    "--posts",
    "100000",
    "--big-topic",
    "1200",
    "--documents",
    "2000",
]
QUICK_SEED = [
    "--users",
    "500",
    "--pages",
    "300",
    "--versions",
    "20",
    "--topics",
    "100",
    "--posts",
    "5000",
    "--big-topic",
    "1200",
    "--documents",
    "50",
]
FORWARDED = "X-Forwarded-Proto: https"
# Anchors from issue 7: a stock Wagtail article page, a stock django-wiki article.
ANCHORS = {"wagtail_article": 0.05, "django_wiki_article": 0.03}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- databases -----------------------------------------------------------------------------------------


def postgres_available() -> bool:
    return (
        shutil.which("pg_isready") is not None
        and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0
    )


def ensure_postgres_database(name: str) -> None:
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def remake_database(url: str) -> None:
    """An empty bench database at this address."""
    name = url.rsplit("/", 1)[-1]
    if url.startswith("postgres"):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        ensure_postgres_database(name)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def database_url(kind: str, quick: bool) -> str:
    suffix = "_quick" if quick else ""
    if kind == "postgresql":
        ensure_postgres_database(f"mcb_bench{suffix}")
        return f"{PG_ROOT}/mcb_bench{suffix}"
    return f"sqlite:///{DATA / f'bench{suffix}.sqlite3'}"


def environment(url: str, redis_url: str = "") -> dict:
    """Production settings against this database, with the bench's own secret and document key,
    and Redis for the cache and sessions as in production (or each worker's memory without it)."""
    name = Path(url.rsplit("/", 1)[-1]).stem
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MCB_"))}
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SITE_URL": "https://bench.invalid",
            "MCB_BENCH_FLOOR": "1",
            "DOCUMENT_KEY_FILE": str(DATA / "document-master.key"),
            "DOCUMENTS_ROOT": str(DATA / f"documents-{name}"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def fresh_redis(url: str) -> str:
    """This Redis database emptied, or "" (each worker's own memory cache) if there is no Redis."""
    if not url or url == "none":
        return ""
    try:
        import redis

        redis.Redis.from_url(url).flushdb()
    except Exception as error:  # noqa: BLE001 - any failure means "no Redis here"
        log(f"  no Redis at {url} ({error}); each worker caches in its own memory")
        return ""
    return url


def prepare(env: dict, seed_args: list[str]) -> float:
    """Migrate, make the document key if there is none, seed (only what is missing), collect static
    files and render stale guide articles; returns the seconds taken."""
    started = time.perf_counter()
    migrate = [PYTHON, "manage.py", "migrate", "--noinput", "-v0"]
    ensure_key = [PYTHON, "manage.py", "ensure_document_key"]
    subprocess.run(migrate, cwd=APP, env=env, check=True)
    # As `make serve` does: a fresh clone has no bench/data/document-master.key yet.
    if subprocess.run(ensure_key, cwd=APP, env=env, stdout=sys.stderr).returncode:
        # Seeded from another checkout, whose key is not here: its documents cannot be read, so seed again.
        log("  the bench database was seeded under another checkout's document key: making it again")
        remake_database(env["DATABASE_URL"])
        subprocess.run(migrate, cwd=APP, env=env, check=True)
        subprocess.run(ensure_key, cwd=APP, env=env, check=True, stdout=sys.stderr)
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.dev"}
    subprocess.run(
        [PYTHON, str(APP / "bench" / "seed.py"), *seed_args],
        cwd=APP,
        env=seed_env,
        check=True,
        stdout=sys.stderr,
    )
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=APP, env=env, check=True)
    # As a deploy does (docs/deploy.md): articles stored by other code are rendered before serving.
    subprocess.run([PYTHON, "manage.py", "render_articles"], cwd=APP, env=env, check=True, stdout=sys.stderr)
    return time.perf_counter() - started


def measure(env: dict, repeats: int) -> dict:
    output = subprocess.run(
        [PYTHON, str(APP / "bench" / "measure.py")],
        cwd=APP,
        capture_output=True,
        text=True,
        env={**env, "MCB_BENCH_SEARCH_REPEATS": str(repeats)},
    )
    if output.returncode:
        raise SystemExit(f"bench/measure.py failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- the server ----------------------------------------------------------------------------------------


class Server:
    """gunicorn as `make serve` runs it: 2 sync workers, production settings."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.env = {**env, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
        self.workers = workers
        self.process = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "mycarebudget.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=APP,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz within 30 seconds")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"X-Forwarded-Proto": "https", **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


# --- load ----------------------------------------------------------------------------------------------


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        f"p{share}_ms": round(_seconds(value) * 1000, 2)
        for share, value in re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.MULTILINE)
    }
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "rps": round(rps, 1),
        **latency,
        "requests": total,
        "bad_responses": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def rotating_script(paths: list[str]) -> Path:
    """A wrk script that reads the given addresses in turn (a reader moving between guides)."""
    script = DATA / "rotate.lua"
    listed = ", ".join(json.dumps(path) for path in paths)
    script.write_text(
        f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n"
    )
    return script


def wrk(
    server: Server,
    path: str,
    seconds: int,
    headers: list[str] = (),
    script: Path | None = None,
    warmup: int = 1,
) -> dict:
    command = ["wrk", "-t2", "-c8", "--latency", "-H", FORWARDED]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    if warmup:
        subprocess.run(
            [*command, f"-d{warmup}s", server.url(path)], capture_output=True, text=True, check=True
        )
    output = subprocess.run(
        [*command, f"-d{seconds}s", server.url(path)], capture_output=True, text=True, check=True
    ).stdout
    return parse_wrk(output)


def interleaved(server: Server, path: str, seconds: int, headers: list[str], script: Path | None) -> dict:
    """The page and the floor in alternating slices of equal length, so both see the same machine.

    After a 1-second warm-up of the page, `seconds` of page load are split into slices of about
    2 seconds (1 in quick mode), each followed by a floor slice as long. The ratio is the page's
    requests over the floor's requests across all the slices.
    """
    length = 2 if seconds >= 6 else 1
    slices = max(1, seconds // length)
    wrk(server, path, 1, headers, script, warmup=0)
    pages, floors = [], []
    for _ in range(slices):
        pages.append(wrk(server, path, length, headers, script, warmup=0))
        floors.append(wrk(server, "/_bench/floor/", length, warmup=0))
    page_rps = statistics.mean(run["rps"] for run in pages)
    floor_rps = statistics.mean(run["rps"] for run in floors)
    return {
        "path": path,
        "rps": round(page_rps, 1),
        "p50_ms": round(statistics.median(run["p50_ms"] for run in pages), 2),
        "p99_ms": max(run["p99_ms"] for run in pages),
        "requests": sum(run["requests"] for run in pages),
        "bad_responses": sum(run["bad_responses"] for run in pages),
        "socket_errors": sum(run["socket_errors"] for run in pages),
        "floor_rps": round(floor_rps, 1),
        "floor_slices_rps": [run["rps"] for run in floors],
        "page_slices_rps": [run["rps"] for run in pages],
        "ratio": round(page_rps / floor_rps, 3),
    }


def load_runs(server: Server, found: dict, cookie: str, seconds: int) -> dict:
    """Each page interleaved with the floor; ratio = page requests / floor requests in the same slices."""
    target = found["targets"]
    _, headers, _ = server.get(target["guide_page"])
    etag = headers["etag"]
    status, _, body = server.get(target["guide_page"], {"Cookie": cookie})
    if status != 200 or b"Sign out" not in body:
        raise SystemExit("the seeded member's session cookie did not sign in")
    rotate = rotating_script([f"/wiki/{slug}/" for slug in target["guide_slugs"]])
    pages = [
        ("guide_page", target["guide_page"], [], None),
        ("guide_page_304", target["guide_page"], [f"If-None-Match: {etag}"], None),
        ("guide_pages_rotating", target["guide_page"], [], rotate),
        ("guide_page_signed_in", target["guide_page"], [f"Cookie: {cookie}"], None),
        ("topic_page", target["topic_page"], [], None),
        ("topic_last_page", target["topic_last_page"], [], None),
        ("topic_page_signed_in", target["topic_page"], [f"Cookie: {cookie}"], None),
        ("category_page", target["category_page"], [], None),
        ("category_page_signed_in", target["category_page"], [f"Cookie: {cookie}"], None),
        ("search_budget", "/search/?q=budget", [], None),
    ]
    wrk(server, "/_bench/floor/", 2, warmup=0)
    results = {}
    for name, path, headers, script in pages:
        log(f"  wrk {name} {path}")
        results[name] = interleaved(server, path, seconds, headers, script)
    floor_rps = [rps for run in results.values() for rps in run["floor_slices_rps"]]
    results["floor"] = {
        "path": "/_bench/floor/",
        "runs_rps": floor_rps,
        "rps": round(statistics.mean(floor_rps), 1),
        "spread": round((max(floor_rps) - min(floor_rps)) / statistics.mean(floor_rps), 3),
    }
    return results


def http_search(server: Server, queries: dict, repeats: int) -> dict:
    """The /search/ page over HTTP, one request at a time: what a reader waits for."""
    results = {}
    for label, details in queries.items():
        path = f"/search/?q={details['query'].replace(' ', '+')}"
        for _ in range(4):  # warm both workers
            server.get(path)
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            status, _, _ = server.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        ordered = sorted(samples)
        results[label] = {
            "query": details["query"],
            "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
        }
    return results


def page_weight(server: Server, path: str) -> dict:
    """The guide page and what it loads, fetched as a browser would (gzip), sizes as sent."""
    status, headers, html = server.get(path, {"Accept-Encoding": "gzip"})
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    # Django's views do not compress (GZipMiddleware is off: BREACH); the proxy or CDN does.
    raw = gzip.decompress(html) if headers.get("content-encoding") == "gzip" else html
    sizes = {"html": {"bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 6))}}
    text = raw.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text) + re.findall(
        r'<script[^>]+src="([^"]+)"', text
    )
    fonts = []
    for asset in assets:
        status, headers, body = server.get(asset, {"Accept-Encoding": "gzip"})
        plain = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
        sizes[asset] = {
            "bytes": len(plain),
            "gzip_bytes": len(body)
            if headers.get("content-encoding") == "gzip"
            else len(gzip.compress(plain, 6)),
            "served_gzip": headers.get("content-encoding") == "gzip",
            "cache_control": headers.get("cache-control", ""),
        }
        fonts += re.findall(rb"@font-face|\.woff2?\b|\.ttf\b|\.otf\b", plain)
    return {
        "path": path,
        "files": sizes,
        "total_gzip_bytes": sum(item["gzip_bytes"] for item in sizes.values()),
        "script_tags": len(re.findall(r"<script\b", text)),
        "web_fonts": len(fonts),
    }


# --- documents -----------------------------------------------------------------------------------------


def documents(size_mb: int) -> dict:
    """bench/documents_bench.py (the accounts benchmark): encrypted against plain storage."""
    script = APP / "bench" / "documents_bench.py"
    if not script.exists():
        return {"missing": "bench/documents_bench.py"}
    output = DATA / f"documents-{size_mb}mb.json"
    output.unlink(missing_ok=True)
    subprocess.run(
        [PYTHON, str(script), "--size-mb", str(size_mb), "--output", str(output)],
        cwd=ROOT,
        check=True,
        stdout=sys.stderr,
    )
    return json.loads(output.read_text())[f"{size_mb}MB"]


# --- one database --------------------------------------------------------------------------------------


def bench_database(kind: str, args) -> dict:
    url = database_url(kind, args.quick)
    redis_url = fresh_redis(args.redis)
    env = environment(url, redis_url)
    log(f"== {kind}: {url}, cache: {redis_url or 'memory of each worker'}")
    seconds = prepare(env, QUICK_SEED if args.quick else FULL_SEED)
    log(f"  prepared in {seconds:.0f}s; counting queries and timing search in-process")
    found = measure(env, repeats=10 if args.quick else 40)
    with Server(env) as server:
        weight = page_weight(server, found["targets"]["guide_page"])
        searches = http_search(server, found["search"], repeats=10 if args.quick else 40)
        loads = load_runs(server, found, found.pop("session_cookie"), args.seconds)
    found["targets"].pop("guide_slugs")
    return {
        "database": kind,
        "database_url": url,
        "cache": "redis" if redis_url else "locmem",
        "prepare_seconds": round(seconds),
        **found,
        "load": loads,
        "search_http": searches,
        "page_weight": weight,
    }


def source_version() -> dict:
    """The commit measured, and whether the application code differed from it (uncommitted edits)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    changed = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--",
            "mycarebudget",
            "wiki",
            "forum",
            "accounts",
            "templates",
            "static",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return {
        "commit": commit.stdout.strip(),
        "snapshot": APP != ROOT,
        "uncommitted_changes": APP == ROOT and bool(changed.stdout.strip()),
    }


def take_snapshot() -> Path:
    """A copy of the last commit under bench/data/snapshot, to measure instead of the working tree."""
    tree = DATA / "snapshot"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def machine() -> dict:
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    gunicorn = subprocess.run([GUNICORN, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "wrk": wrk_version[0] if wrk_version else "",
        "gunicorn": gunicorn,
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small seed, 3-second runs, one database")
    parser.add_argument("--databases", default="", help="postgresql,sqlite (default: both; quick: one)")
    parser.add_argument("--seconds", type=int, default=0, help="length of each wrk run")
    parser.add_argument("--redis", default=os.environ.get("MCB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
                        help="Redis database for the cache and sessions, emptied first; 'none' for memory")
    parser.add_argument("--documents-mb", type=int, default=0)
    parser.add_argument("--output", default="", help="where results.json and results.md go (default: bench/)")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure the last commit (a copy under bench/data/snapshot), not the working tree",
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)  # git-ignored: a fresh clone has no bench/data yet
    if args.snapshot:
        global APP
        APP = take_snapshot()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    args.seconds = args.seconds or (3 if args.quick else 10)
    kinds = [kind for kind in args.databases.split(",") if kind] or (
        ["postgresql" if postgres_available() else "sqlite"] if args.quick else ["postgresql", "sqlite"]
    )
    if "postgresql" in kinds and not postgres_available():
        raise SystemExit("PostgreSQL is not answering on 127.0.0.1:5432")
    started = time.perf_counter()
    command = "make bench-quick" if args.quick else "make bench"
    extra = [arg for arg in sys.argv[1:] if arg != "--quick"]
    if extra:
        command += f' BENCH_ARGS="{" ".join(extra)}"'
    results = {
        "command": command,
        "quick": args.quick,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "source": source_version(),
        "wrk": f"wrk -t2 -c8 --latency -H '{FORWARDED}'",
        "seconds_per_page": args.seconds,
        "anchors": ANCHORS,
        "databases": {},
    }
    for kind in kinds:
        results["databases"][kind] = bench_database(kind, args)
    size = args.documents_mb or (20 if args.quick else 200)
    log(f"== documents: {size} MB")
    results["documents"] = documents(size)
    results["seconds"] = round(time.perf_counter() - started)
    from bench.report import write_report

    output = Path(args.output) if args.output else (DATA / "quick" if args.quick else BENCH)
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (output / "results.md").write_text(write_report(results))
    log(f"written {output / 'results.md'} and {output / 'results.json'} in {results['seconds']}s")
    first = results["databases"][kinds[0]]["load"]["guide_page"]["ratio"]
    print(f"ratio guide_page/floor = {first:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
