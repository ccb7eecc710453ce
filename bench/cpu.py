"""CPU milliseconds per request for the busy pages, in one process, on a database bench/seed.py made.

    DATABASE_URL=sqlite:///$PWD/bench/data/bench_quick.sqlite3 .venv/bin/python bench/cpu.py
    .venv/bin/python bench/cpu.py --redis redis://127.0.0.1:6379/5 --requests 200 --rounds 3

Seeds nothing: seed first (make bench-quick does it, or bench/seed.py with bench/run.py's QUICK_SEED).
Production settings, as bench/run.py's server has them (DEBUG off, Redis for the cache when --redis
names one, emptied first), through Django's test client. Each page is read a few
times to warm up, then timed with time.process_time, which counts this process's own CPU only, so
the figures hold on a machine other work is loading (the wall time of its Redis and database calls
is not counted, their CPU in this process is). Prints the best and the median of the rounds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="'none': each process's memory")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="only the pages whose name has one of these words (a,b)")
    parser.add_argument("--profile", action="store_true", help="profile them (cProfile) instead")
    args = parser.parse_args()

    from bench.run import environment, fresh_redis

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'bench' / 'data' / 'bench_quick.sqlite3'}"
    os.environ.update(environment(url, fresh_redis(args.redis)))
    from django.core.management import call_command
    from django.test import Client

    from bench.measure import HTTPS, signed_in_client, targets  # sets Django up
    from mycarebudget import shared

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest production reads
    found = targets()
    member, _ = signed_in_client(found["guide_page"])
    anonymous = Client(**HTTPS)
    guides = found["guide_slugs"][: args.requests]

    def same_page(client, path):
        def run():
            for _ in range(args.requests):
                client.get(path, **HTTPS)
        for _ in range(5):
            client.get(path, **HTTPS)
        return run, args.requests

    def guides_in_turn():
        """Every request misses the whole-page copy (a bump per round), as the long tail does."""
        shared.bump("wiki")
        for slug in guides:
            anonymous.get(f"/wiki/{slug}/", **HTTPS)

    def guides_first_read():
        """Every guide read for the first time since the cache was emptied (Redis restarted)."""
        from django.core.cache import cache

        cache.clear()
        shared.forget_worker_copies()
        for slug in guides:
            anonymous.get(f"/wiki/{slug}/", **HTTPS)

    def guides_after_a_deploy():
        """As guides_first_read, after a deploy: every stored article was made by other code."""
        from wiki.models import Page

        Page.objects.filter(slug__in=guides).update(article_key="")
        guides_first_read()

    for slug in guides:  # the articles' shared parts are made once, as on a live site
        anonymous.get(f"/wiki/{slug}/", **HTTPS)
    pages = {
        "floor (20 KB of fixed HTML)": same_page(anonymous, "/_bench/floor/"),
        "guide, signed in": same_page(member, found["guide_page"]),
        "long topic, signed in": same_page(member, found["topic_page"]),
        "category, signed in": same_page(member, found["category_page"]),
        "guide, anonymous (shared copy)": same_page(anonymous, found["guide_page"]),
        "topic, anonymous (shared copy)": same_page(anonymous, found["topic_page"]),
        "category, anonymous (shared copy)": same_page(anonymous, found["category_page"]),
        f"{len(guides)} guides in turn, anonymous": (guides_in_turn, len(guides)),
        f"{len(guides)} guides read first, anonymous": (guides_first_read, len(guides)),
        f"{len(guides)} guides read first after a deploy": (guides_after_a_deploy, len(guides)),
    }
    for path in (found["guide_page"], found["topic_page"], found["category_page"]):
        response = member.get(path, **HTTPS)
        assert response.status_code == 200 and "private" in response["Cache-Control"], path
    print(f"{url.rsplit('/', 1)[-1]}, Redis: {os.environ.get('REDIS_URL') or 'none'}; "
          f"ms of CPU per request, best and median of {args.rounds} rounds of {args.requests}")
    for name, (run, count) in pages.items():
        if not any(word in name for word in args.only.split(",")):
            continue
        if args.profile:
            import cProfile
            import pstats

            print(name)
            saved = f"/tmp/cpu-{name.split(' (')[0].replace(',', '').replace(' ', '-')}.prof"  # for pstats
            cProfile.runctx("run()", globals(), {"run": run}, saved)
            pstats.Stats(saved).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)
            continue
        samples, walls = [], []
        for _ in range(args.rounds):
            started, wall = time.process_time(), time.perf_counter()
            run()
            samples.append((time.process_time() - started) * 1000 / count)
            walls.append((time.perf_counter() - wall) * 1000 / count)
        print(f"  {name:36} {min(samples):6.2f} {statistics.median(samples):6.2f}   wall {min(walls):6.2f}")


if __name__ == "__main__":
    main()
