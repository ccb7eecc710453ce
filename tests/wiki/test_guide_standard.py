"""Every starter guide, as published, meets the content standard of issue 14.

The corrected errors never come back, every guide says who it is for, what to do
next and where to get help, names a source a reader can open and carries its
dates, and reads at grade 6 or below (Easy Read at grade 3, sentences of 15 words
or fewer), measured with textstat.
"""

import datetime
import re

import pytest
from django.core.management import call_command

from tests.wiki.readability import grade, sentences, words
from wiki.models import Page
from wiki.starter import starter_pages

pytestmark = pytest.mark.django_db

# Each was on a starter page and is wrong (phb-facts.md section 0). Case-insensitive.
CORRECTED_ERRORS = {
    "overstates the right to have": r"the NHS must give (you|your child)\b|has had to give you one|must be given one",
    "says the employer applies for a PA's DBS check": (
        r"cannot ask for a DBS check yourself|find an umbrella body to do DBS checks|"
        r"go through to get a DBS check|employ their own PA get one through an umbrella body|"
        r"you (have to|must|need to|should) (go|apply) through an umbrella body"),
    "prints a fixed count of ICBs": r"\b42 (ICBs|integrated care boards)\b",
    "counts a year's PHBs as people holding one": r"188,489 people in England had received",
    "credits the £3,100 saving to NHS England": r"NHS England says each person with CHC who has a PHB saves",
    "says the 2010 rules required a review on a change in health": r"a review whenever your health changed",
    "keeps an answered 'not checked' caveat": (
        r"does not say which year|not checked these figures with the Health and Safety|"
        r"start date not confirmed|have not checked the current position|act year not confirmed"),
    "says every NHS wheelchair user has the right": r"people who use NHS wheelchair services have had a legal right",
}
UNREADABLE_SOURCE = re.compile(r"^project research notes", re.I)
OPENING = re.compile(r"^(\{picture:[a-z]+\} )?This page is for .+?\. It helps you ", re.S)
LINK = re.compile(r"\[[^\]]+\]\((https?://[^)\s]+)\)")
# A sentence that quotes a pay, tax, pension or benefit figure.
MONEY_FIGURE = re.compile(r"£\s?\d|\d%")
MONEY_TOPIC = re.compile(r"\b(wages?|pay|paid|tax|pensions?|National Insurance|allowance|benefits?|earns?)\b", re.I)

STANDARD_MAX_GRADE = 6.0
EASY_READ_MAX_GRADE = 3.0
EASY_READ_MAX_WORDS = 15


@pytest.fixture
def published():
    """Every starter guide as the site publishes it after `make run`."""
    call_command("load_starter_guidance", verbosity=0)
    slugs = {starter.slug for starter in starter_pages()}
    pages = list(Page.objects.filter(slug__in=slugs).select_related("easy_read_of"))
    assert len(pages) == len(slugs)
    return pages


def sections(body: str) -> dict[str, str]:
    """The text under each ## heading."""
    parts = re.split(r"^## (.+)$", body, flags=re.M)
    return {heading.strip(): text for heading, text in zip(parts[1::2], parts[2::2], strict=True)}


def next_sixth_of_april(day: datetime.date) -> datetime.date:
    april = datetime.date(day.year, 4, 6)
    return april if day < april else april.replace(year=day.year + 1)


def test_no_published_starter_guide_repeats_a_corrected_error(published):
    found = []
    for page in published:
        text = " ".join([page.title, page.summary, page.body])
        found += [f"{page.slug}: {label}" for label, pattern in CORRECTED_ERRORS.items()
                  if re.search(pattern, text, re.I)]
    assert found == []


def test_the_error_check_catches_each_error():
    # The patterns themselves must match the sentences they were written against.
    samples = ["If you are in this group, the NHS must give you one.",
               "If you employ your own PA, you cannot ask for a DBS check yourself.",
               "There have been 42 ICBs in England since 1 July 2022.",
               "188,489 people in England had received a PHB"]
    for sample in samples:
        assert any(re.search(pattern, sample, re.I) for pattern in CORRECTED_ERRORS.values()), sample


def test_every_guide_says_who_it_is_for_what_next_and_where_to_get_help(published):
    problems = []
    for page in published:
        if not OPENING.match(page.body):
            problems.append(f"{page.slug}: does not open with who it is for and what it helps you do")
        headings = sections(page.body)
        if "What to do next" not in headings:
            problems.append(f"{page.slug}: no 'What to do next'")
        help_text = headings.get("Where to get help", "")
        if list(headings)[-1:] != ["Where to get help"] or not LINK.search(help_text):
            problems.append(f"{page.slug}: does not end with a named organisation and its address")
    assert problems == []


def test_every_guide_names_a_source_a_reader_can_open_and_its_dates(published):
    for page in published:
        sources = page.source_list()
        assert any(url.startswith(("https://", "http://")) for _, url in sources), page.slug
        assert not any(UNREADABLE_SOURCE.match(name) for name, _ in sources), page.slug
        assert page.last_checked <= page.next_review <= page.last_checked + datetime.timedelta(days=366), page.slug


def test_pages_quoting_pay_tax_pension_or_benefit_figures_are_reviewed_before_april(published):
    quoting = [page for page in published
               if any(MONEY_FIGURE.search(s) and MONEY_TOPIC.search(s) for s in sentences(page.body))]
    assert {page.slug for page in quoting} >= {"payroll-pensions-and-insurance", "employing-personal-assistants"}
    for page in quoting:
        assert page.next_review < next_sixth_of_april(page.last_checked), page.slug


def test_reading_grades(published):
    """Flesch-Kincaid grade by textstat: standard guides 6 or below; Easy Read 3 or below, short sentences."""
    grades = {page.slug: grade(page.body) for page in published}
    easy = [page for page in published if page.easy_read_of_id]
    standard = [page for page in published if not page.easy_read_of_id]
    too_hard = {page.slug: grades[page.slug] for page in standard if grades[page.slug] > STANDARD_MAX_GRADE}
    too_hard |= {page.slug: grades[page.slug] for page in easy if grades[page.slug] > EASY_READ_MAX_GRADE}
    assert too_hard == {}
    long_sentences = [(page.slug, sentence) for page in easy for sentence in sentences(page.body)
                      if words(sentence) > EASY_READ_MAX_WORDS]
    assert long_sentences == []
    for kind, group in (("standard", standard), ("Easy Read", easy)):
        if group:
            values = [grades[page.slug] for page in group]
            print(f"{kind}: {len(group)} pages, grade {min(values)} to {max(values)}")
