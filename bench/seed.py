"""Seed a large, realistic MyCareBudget for benchmarks, through the project's own services.

    .venv/bin/python bench/seed.py [--pages 5000 --versions 20 --users 5000 --topics 2000 --posts 100000
                                    --documents 2000]

Runs against whatever DATABASE_URL names (PostgreSQL or SQLite). Quick to run twice: each
part counts what is there and only adds what is missing, in transactions that leave no half
page or half topic behind.

What goes through the real services, and what is bulk-created in the same shape:

- Guide pages: each page's first and last version are published through
  wiki.services._publish, so the current version, its HTML, links and search index are real.
  The versions in between are bulk-created as django-reversion stores them (a Revision, a
  Version serialised with django.core.serializers, and a wiki PageVersion with the rendered
  HTML), so history, version and compare pages work on every seeded page. Rendering every
  version through the service would take 30 minutes for 100,000 versions.
- Forum: every topic is started with forum.services.start_topic; replies are bulk-created
  with HTML rendered once per distinct body by render_markdown, the topic counters set as
  forum.services keeps them, and each distinct body indexed by forum.search.index_post and
  copied to the posts that share it.
- Documents: stored one by one through accounts.services.store_document (encrypted).
"""

import argparse
import datetime
import functools
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycarebudget.settings.dev")


def _database_name() -> str:
    """A short name for the database in DATABASE_URL, for per-database document folders."""
    url = os.environ.get("DATABASE_URL", "")
    name = url.rstrip("/").rsplit("/", 1)[-1] if url else "db.sqlite3"
    return Path(name.split("?")[0]).stem or "default"


def _prepare_document_storage() -> None:
    """Documents of the benchmark databases live under bench/data, with a bench-only master key."""
    if os.environ.get("DOCUMENT_MASTER_KEYS") or os.environ.get("DOCUMENT_KEY_FILE"):
        return
    DATA.mkdir(parents=True, exist_ok=True)
    key_file = DATA / "document-master.key"
    if not key_file.exists():
        import base64
        import secrets

        key_file.write_text(f"bench1:{base64.b64encode(secrets.token_bytes(32)).decode()}\n")
        key_file.chmod(0o600)
    os.environ["DOCUMENT_KEY_FILE"] = str(key_file)
    os.environ.setdefault("DOCUMENTS_ROOT", str(DATA / f"documents-{_database_name()}"))


if __name__ == "__main__":
    _prepare_document_storage()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from mycarebudget.text import render_markdown  # noqa: E402
from wiki.starter import starter_pages  # noqa: E402

SEED = 20261123
rng = random.Random(SEED)
PASSWORD_HASH = "!bench-user-cannot-sign-in"
BENCH_EMAIL = "@bench.example"
SIGNED_IN_EMAIL = f"user0{BENCH_EMAIL}"
BIG_TOPIC_TITLE = "Our PA payroll questions, all in one place"


def corpus_sentences() -> list[str]:
    """Real sentences from the starter guides, so search sees realistic words and frequencies."""
    sentences = []
    for starter in starter_pages():
        for line in starter.content["body"].splitlines():
            line = line.strip("-#*> ").strip()
            if len(line.split()) >= 5 and "[[" not in line:
                sentences.append(line)
    return sentences


SENTENCES = corpus_sentences()
TITLE_WORDS = ["budget", "care", "plan", "payroll", "review", "holiday", "pension", "insurance", "wheelchair",
               "direct", "payment", "audit", "timesheet", "contract", "training", "therapy", "equipment",
               "transport", "respite", "carer", "aftercare", "complaint", "appeal", "support", "agency"]
# Places make the rare words a real site has: each names about 1 page in 200.
PLACES = """
Aldershot Barnstaple Bideford Bodmin Bridlington Buxton Camborne Chard Cleethorpes Clitheroe Cromer
Dartmouth Dorchester Dunstable Ely Falmouth Faversham Frome Glossop Goole Grantham Hexham Hitchin
Honiton Ilkley Keswick Kendal Launceston Ledbury Leek Lewes Louth Ludlow Malton Matlock Morpeth
Newquay Oakham Ormskirk Otley Penrith Penzance Pickering Redruth Ripon Rothbury Rye Saltash Selby
Settle Sherborne Skegness Skipton Spalding Stamford Stroud Swanage Tavistock Tetbury Thirsk Tiverton
Totnes Truro Ulverston Wantage Wells Wetherby Whitby Whitstable Wimborne Witney Wooler Worksop
Yeovil Alnwick Beverley Bakewell Bungay Chipping Cirencester Diss Evesham Fakenham Halesworth
Helston Holsworthy Ivybridge Kirkby Liskeard Lostwithiel Lyme Minehead Nailsea Padstow Pershore Ross
Sidmouth Southwold Tewkesbury Wadebridge Wellington Whitchurch Wymondham Yarm Bude Axminster Brixham
Crediton Hayle Looe Lynton Okehampton Seaton Torpoint Bampton Beccles Cheadle Congleton Driffield
Hornsea Hunstanton Loftus Marlborough Masham Middleham Olney Pocklington Reeth Sedbergh Sleaford
Stokesley Thame Uppingham Watchet Wigton Wirksworth Woodstock Alston Appleby Bala Bewdley Brough
Corbridge Dulverton Easingwold Eye Framlingham Haltwhistle Hawes Helmsley Kirkbymoorside Leyburn
Longtown Lydney Midhurst Moreton Mousehole Orford Petworth Porlock Richmond Romsey Saxmundham
Shaftesbury Stow Sturminster Tenbury Topsham Wickham Winchcombe Wiveliscombe Woodbridge
""".split()


def paragraph(words: int, source: random.Random = rng) -> str:
    out, count = [], 0
    while count < words:
        sentence = source.choice(SENTENCES)
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def timed(label):
    def wrap(function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            result = function(*args, **kwargs)
            print(f"{label}: {result} added in {time.perf_counter() - started:.1f}s", flush=True)
            return result
        return run
    return wrap


def progress(label: str, done: int, total: int, started: float) -> None:
    print(f"  {label}: {done}/{total} ({time.perf_counter() - started:.0f}s)", flush=True)


# --- users ---------------------------------------------------------------------------------------------


def bench_users():
    from accounts.models import User

    return User.objects.filter(email__endswith=BENCH_EMAIL)


@timed("users")
def seed_users(total: int) -> int:
    """Members who joined a year ago, so the forum treats them as established (not new accounts)."""
    from accounts.models import User

    have = bench_users().count()
    joined = timezone.now() - datetime.timedelta(days=400)
    User.objects.bulk_create([
        User(email=f"user{n}{BENCH_EMAIL}", display_name=f"Bench member {n}", password=PASSWORD_HASH,
             date_joined=joined)
        for n in range(have, total)], batch_size=1000)
    return max(0, total - have)


# --- guide pages ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _render_block(text: str) -> str:
    return str(render_markdown(text, known_pages=set(), title_slugs={}))


class Sections:
    """A page body as sections ("## Heading" and a paragraph of about 200 words).

    Headings are numbered, so their ids are unique and each block renders the same alone as
    inside the page: the body's HTML is its headings' and paragraphs' HTML joined by newlines,
    and a heading or paragraph that many versions share is rendered once.
    """

    def __init__(self, source: random.Random, words: int = 1200):
        self.parts = [(f"## {source.choice(TITLE_WORDS).title()} {number + 1}", paragraph(200, source))
                      for number in range(max(1, words // 200))]

    def edit(self, source: random.Random, paragraphs: list[str]) -> None:
        """Rewrite one section's paragraph, as a typical edit does; the page keeps its length."""
        index = source.randrange(len(self.parts))
        self.parts[index] = (self.parts[index][0], source.choice(paragraphs))

    @property
    def body(self) -> str:
        return "\n".join(f"{heading}\n\n{text}\n" for heading, text in self.parts)

    @property
    def html(self) -> str:
        return "\n".join(f"{_render_block(heading)}\n{_render_block(text)}" for heading, text in self.parts)


def page_content(number: int, source: random.Random, sections: Sections) -> dict:
    place = PLACES[number % len(PLACES)]
    summary = f"{paragraph(18, source)} Checked with members in {place}."
    if len(summary) > 280:
        summary = f"{summary[:240].rsplit(' ', 1)[0]}. Checked with members in {place}."
    return {
        "title": f"{source.choice(TITLE_WORDS).title()} {source.choice(TITLE_WORDS)} guide {number}",
        "slug": f"bench-{number}",
        "summary": summary,
        "topic": source.choice(PAGE_TOPICS),
        "body": sections.body,
        "sources": "NHS England, Personal health budgets | https://www.england.nhs.uk/",
        "last_checked": datetime.date(2026, 11, 1),
        "next_review": datetime.date(2027, 5, 1),
    }


def _page_topics() -> list[str]:
    from wiki.models import Topic

    return list(Topic.values)


PAGE_TOPICS = _page_topics()


def _bulk_history(page, versions: list[tuple[dict, str]], author_for, first_at: datetime.datetime) -> None:
    """Store versions 2..n-1 of a page as django-reversion and wiki.services would have."""
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from reversion.models import Revision, Version

    from wiki.models import CONTENT_FIELDS, Page, PageVersion

    content_type = ContentType.objects.get_for_model(Page)
    revisions, rows, meta = [], [], []
    for offset, (content, html) in enumerate(versions):
        number = offset + 2
        when = first_at + datetime.timedelta(seconds=offset + 1)
        author = author_for(number)
        summary = f"Bench edit {number}"
        revisions.append(Revision(date_created=when, user=author, comment=summary))
        snapshot = Page(pk=page.pk, **content)
        rows.append(Version(content_type=content_type, object_id=str(page.pk), db="default", format="json",
                            serialized_data=serializers.serialize("json", (snapshot,), fields=CONTENT_FIELDS),
                            object_repr=str(snapshot)))
        meta.append(PageVersion(page=page, number=number, title=content["title"], body_html=html,
                                author=author, edit_summary=summary, created_at=when))
    Revision.objects.bulk_create(revisions)
    for revision, row, extra in zip(revisions, rows, meta, strict=True):
        row.revision = revision
        extra.revision = revision
    Version.objects.bulk_create(rows)
    PageVersion.objects.bulk_create(meta)


def _edit_paragraphs() -> list[str]:
    source = random.Random(SEED + 1)
    return [paragraph(200, source) for _ in range(1500)]


@timed("guide pages")
def seed_pages(total: int, versions: int) -> int:
    """First and last version through wiki.services; the ones between in bulk, in the same shape."""
    from wiki import services
    from wiki.models import Page

    authors = list(bench_users().order_by("pk")[:200])
    have = Page.objects.filter(slug__startswith="bench-").count()
    paragraphs = _edit_paragraphs()
    started = time.perf_counter()
    for number in range(have, total):
        source = random.Random(SEED * 7 + number)
        sections = Sections(source)
        content = page_content(number, source, sections)

        def author_for(version: int, number: int = number):
            return authors[(number * 31 + version) % len(authors)] if authors else None

        with transaction.atomic():
            first = services._publish(page=None, content=content, author=author_for(1),
                                      edit_summary="Bench edit 1")
            page = first.page
            between = []
            for _ in range(2, versions):
                sections.edit(source, paragraphs)
                between.append(({**content, "body": sections.body}, sections.html))
            if between:
                _bulk_history(page, between, author_for, first.created_at)
                Page.objects.filter(pk=page.pk).update(revision=versions - 1)
                page.revision = versions - 1
            if versions > 1:
                sections.edit(source, paragraphs)
                services._publish(page=page, content={**content, "body": sections.body},
                                  author=author_for(versions), edit_summary=f"Bench edit {versions}")
        if (number + 1) % 250 == 0:
            progress("pages", number + 1, total, started)
    return max(0, total - have)


# --- forum ---------------------------------------------------------------------------------------------


def reply_counts(topics: int, posts: int, big: int) -> list[int]:
    """Replies per topic: topic 0 is the long one; the rest follow a long tail, adding up to posts."""
    if topics <= 0:
        return []
    source = random.Random(SEED + 2)
    remaining = max(0, posts - topics - big)
    weights = [source.paretovariate(1.3) for _ in range(topics - 1)]
    scale = remaining / sum(weights) if weights else 0
    counts = [big] + [int(weight * scale) for weight in weights]
    shortfall = posts - topics - sum(counts)
    for index in range(shortfall if topics > 1 else 0):
        counts[1 + index % (topics - 1)] += 1
    return counts


def _reply_bodies() -> list[tuple[str, str]]:
    """Distinct reply texts and their HTML, rendered once each."""
    source = random.Random(SEED + 3)
    bodies = []
    for number in range(600):
        text = paragraph(source.choice([12, 25, 45, 80]), source)
        if number % 5 == 0:
            text = f"> {paragraph(10, source)}\n\n{text}"
        if number % 7 == 0:
            text += f"\n\n- {paragraph(6, source)}\n- {paragraph(6, source)}"
        bodies.append((text, str(render_markdown(text))))
    return bodies


def _relax_posting_limits() -> None:
    """The seeder writes a year of posts in minutes: the per-member rate limits would refuse it."""
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    settings.FORUM_POSTS_PER_HOUR = settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 10**9


class ForumIndexer:
    """Keeps the discussion search index in step: index_post once per distinct body, then copies."""

    def __init__(self):
        self.representatives: dict[int, int] = {}  # body number -> an indexed post with that body
        self.pending: list[tuple[int, int]] = []  # (post id, representative id)
        self.plain: dict[int, str] = {}

    def add(self, post, body_number: int) -> None:
        from forum import search

        if body_number not in self.representatives:
            search.index_post(post)
            self.representatives[body_number] = post.pk
            self.plain[body_number] = search.plain_text(post)
        else:
            self.pending.append((post.pk, body_number))

    def flush(self) -> None:
        if not self.pending:
            return
        with connection.cursor() as cursor:
            if settings.IS_POSTGRES:
                cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_post_copy "
                               "(post_id bigint, source_id bigint)")
                cursor.execute("TRUNCATE bench_post_copy")
                cursor.executemany("INSERT INTO bench_post_copy VALUES (%s, %s)",
                                   [(post_id, self.representatives[body]) for post_id, body in self.pending])
                cursor.execute("UPDATE forum_post p SET search_vector = s.search_vector "
                               "FROM bench_post_copy c JOIN forum_post s ON s.id = c.source_id "
                               "WHERE p.id = c.post_id")
            else:
                cursor.executemany("INSERT INTO forum_post_fts (rowid, title, body) VALUES (%s, '', %s)",
                                   [(post_id, self.plain[body]) for post_id, body in self.pending])
        self.pending = []


def forum_topic_title(number: int, source: random.Random) -> str:
    if number == 0:
        return BIG_TOPIC_TITLE
    first, second = source.sample(TITLE_WORDS, 2)
    return f"{first.title()} and {second}: what worked for you? ({number})"


@timed("forum topics")
def seed_forum(topics: int, posts: int, big: int) -> int:
    from forum import services
    from forum.models import Category, Post, Topic

    _relax_posting_limits()
    categories = list(Category.objects.filter(moderators_only_topics=False).order_by("position"))
    questions = next((c for c in categories if c.slug == "questions"), categories[0])
    users = list(bench_users().order_by("pk")[:2000])
    have = Topic.objects.filter(author__email__endswith=BENCH_EMAIL).count()
    counts = reply_counts(topics, posts, big)
    bodies = _reply_bodies()
    indexer = ForumIndexer()
    now = timezone.now()
    started = time.perf_counter()
    for number in range(have, topics):
        source = random.Random(SEED * 11 + number)
        # Questions gets half the topics: it is the category page the benchmark reads.
        category = questions if number == 0 or source.random() < 0.5 else source.choice(categories)
        author = users[number % len(users)]
        with transaction.atomic():
            topic = services.start_topic(category=category, author=author,
                                         title=forum_topic_title(number, source), body=paragraph(60, source))
            begun = now - datetime.timedelta(days=source.uniform(1, 365))
            replies = counts[number]
            step = (now - begun) / (replies + 1)
            Topic.objects.filter(pk=topic.pk).update(created_at=begun)
            Post.objects.filter(topic=topic, is_first=True).update(created_at=begun)
            chosen = [source.randrange(len(bodies)) for _ in range(replies)]
            created = Post.objects.bulk_create([
                Post(topic=topic, author=users[source.randrange(len(users))], body=bodies[body][0],
                     body_html=bodies[body][1], created_at=begun + step * (index + 1))
                for index, body in enumerate(chosen)], batch_size=1000)
            for post, body in zip(created, chosen, strict=True):
                indexer.add(post, body)
            indexer.flush()
            last = created[-1].created_at if created else begun
            # What forum.services keeps: public replies counted, last activity.
            Topic.objects.filter(pk=topic.pk).update(reply_count=replies, last_activity_at=last)
        if (number + 1) % 200 == 0:
            progress("topics", number + 1, topics, started)
    return max(0, topics - have)


# --- documents -----------------------------------------------------------------------------------------


def small_pdf(number: int) -> bytes:
    text = f"Timesheet {number}: 12 hours at the agreed rate. " * (20 + number % 200)
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
            + f"% {text}\n".encode() + b"trailer << /Root 1 0 R >>\n%%EOF\n")


@timed("documents")
def seed_documents(total: int) -> int:
    """Small PDFs stored (and encrypted) through accounts.services.store_document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Document, DocumentKind
    from accounts.services import store_document

    owners = list(bench_users().order_by("pk")[:500])
    have = Document.objects.filter(owner__email__endswith=BENCH_EMAIL).count()
    kinds = DocumentKind.values
    started = time.perf_counter()
    for number in range(have, total):
        upload = SimpleUploadedFile(f"timesheet-{number}.pdf", small_pdf(number),
                                    content_type="application/pdf")
        store_document(owner=owners[number % len(owners)], upload=upload, kind=kinds[number % len(kinds)],
                       name=f"Timesheet {number}", note="Seeded for the benchmarks")
        if (number + 1) % 500 == 0:
            progress("documents", number + 1, total, started)
    return max(0, total - have)


def analyse() -> None:
    # What autovacuum does on a live server (this machine's PostgreSQL has it off): reclaim the
    # rows seeding rewrote, fold the GIN indexes' pending entries in, refresh the statistics (the
    # planners of both databases choose indexes from them).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if settings.IS_POSTGRES else "ANALYZE")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=100_000, help="forum posts, opening posts included")
    parser.add_argument("--big-topic", type=int, default=1200, help="replies in the one long topic")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--only", choices=["users", "pages", "forum", "documents"], action="append")
    args = parser.parse_args(argv)
    parts = args.only or ["users", "pages", "forum", "documents"]
    started = time.perf_counter()
    if "users" in parts:
        seed_users(args.users)
    if "pages" in parts:
        seed_pages(args.pages, args.versions)
    if "forum" in parts:
        seed_forum(args.topics, args.posts, args.big_topic)
    if "documents" in parts:
        seed_documents(args.documents)
    analyse()
    print(f"seeded in {time.perf_counter() - started:.1f}s", flush=True)


if __name__ == "__main__":
    main()
