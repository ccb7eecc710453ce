"""Site search over guides, on SQLite (FTS5) and PostgreSQL (full text + trigram) alike."""

import pytest

from wiki import services
from wiki.models import Page
from wiki.search import search_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def guides(make_page):
    make_page(title="Employing a personal assistant", slug="employing-a-pa",
              summary="Becoming an employer.", body="You can employ someone to help you every day.\n")
    make_page(title="Direct payments", slug="direct-payments", summary="Money paid to you.",
              body="A direct payment means you employ staff or buy care yourself. Keep receipts.\n")
    make_page(title="Wheelchair budgets", slug="wheelchair-budgets", summary="Choosing a chair.",
              body="The NHS pays what a suitable chair would cost.\n")


def test_stemming_finds_employ_from_employing(guides):
    hits, total, fuzzy = search_pages("employing")
    assert total == 2 and not fuzzy
    assert {hit.title for hit in hits} == {"Employing a personal assistant", "Direct payments"}


def test_title_matches_rank_first(guides):
    hits, _, _ = search_pages("employ")
    assert hits[0].title == "Employing a personal assistant"


def test_two_word_queries_need_both_words(guides):
    hits, total, _ = search_pages("keep receipts")
    assert total == 1 and hits[0].title == "Direct payments"


def test_small_typo_still_finds_the_page(guides):
    hits, _, fuzzy = search_pages("wheelchiar")
    assert fuzzy and hits[0].title == "Wheelchair budgets"


def test_snippet_highlights_the_words(guides):
    hits, _, _ = search_pages("receipts")
    assert ("receipts", True) in hits[0].snippet or any(is_match for _, is_match in hits[0].snippet)


def test_retired_pages_are_not_found(make_page, moderator):
    page = make_page(title="Old rules", slug="old-rules", body="Obsolete fees.\n")
    services.retire_page(page=page, moderator=moderator, reason="Out of date", replaced_by=None)
    assert search_pages("obsolete")[1] == 0


def test_index_follows_new_versions(make_page, publish):
    page = make_page(title="Insurance", slug="insurance", body="Old wording.\n")
    publish(page, body="Employer liability cover.\n")
    assert search_pages("liability")[1] == 1
    assert search_pages("wording")[1] == 0


def test_search_page_marks_results_as_guides(client, guides):
    html = client.get("/search/?q=employing").content.decode()
    assert "Search results for “employing”" in html
    assert ">Guide<" in html and "<mark>" in html
    assert 'href="/wiki/employing-a-pa/"' in html


def test_search_page_helps_when_nothing_matches(client, guides):
    html = client.get("/search/?q=zzzzqqq").content.decode()
    assert "Nothing matched" in html and "check the spelling" in html


def test_search_page_is_paginated(client, make_page):
    for number in range(25):
        make_page(title=f"Budget guide {number}", slug=f"budget-guide-{number}", body="About budgets.\n")
    first = client.get("/search/?q=budget&type=guides").content.decode()
    assert "(25 found)" in first and 'rel="next"' in first
    second = client.get("/search/?q=budget&type=guides&page=2").content.decode()
    assert second.count('<li>\n    <p class="govuk-body-s app-meta">') == 5


def test_search_escapes_the_query(client, db):
    html = client.get("/search/?q=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in html


def test_empty_search_shows_the_form(client, db):
    response = client.get("/search/")
    assert response.status_code == 200 and b'name="q"' in response.content


def test_punctuation_only_query_is_harmless(client, guides):
    for query in ['"', "*", "AND OR NOT", "'; DROP TABLE wiki_page; --", "NEAR(", "-"]:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_a_title_match_beats_many_body_matches(make_page):
    make_page(title="Payroll providers", slug="payroll-providers", summary="Who runs wages.", body="Wages.\n")
    make_page(title="Money", slug="money", summary="Payroll payroll.", body="Payroll " * 50 + "\n")
    hits, _, _ = search_pages("payroll")
    assert [hit.title for hit in hits] == ["Payroll providers", "Money"]


def test_snippets_read_as_sentences(make_page):
    make_page(title="Lists", slug="lists", summary="A list.", body="Things:\n\n- agency care\n- equipment\n")
    hits, _, _ = search_pages("equipment")
    text = "".join(part for part, _ in hits[0].snippet)
    assert "agency care. equipment." in text


def test_control_characters_in_the_query_are_harmless(client, guides):
    response = client.get("/search/", {"q": "employ\x00ing\x1b"})
    assert response.status_code == 200


def test_a_summary_match_beats_a_body_match_and_body_matches_follow_page_order(make_page):
    make_page(title="Aaa", slug="aaa", summary="Nothing here.", body="Our quokka story.\n")
    make_page(title="Bbb", slug="bbb", summary="About the quokka.", body="Text.\n")
    make_page(title="Ccc", slug="ccc", summary="Nothing here.", body="Another quokka story.\n")
    hits, total, _ = search_pages("quokka")
    assert total == 3 and [hit.title for hit in hits] == ["Bbb", "Aaa", "Ccc"]


def test_results_page_on_past_the_first(make_page):
    for number in range(5):
        make_page(title=f"Respite {number}", slug=f"respite-{number}", summary="Short breaks.", body="Respite.\n")
    first, total, _ = search_pages("respite", limit=2)
    second, _, _ = search_pages("respite", limit=2, offset=2)
    last, _, _ = search_pages("respite", limit=2, offset=4)
    titles = [hit.title for hit in first + second + last]
    assert total == 5 and sorted(titles) == [f"Respite {number}" for number in range(5)]


def test_a_count_past_the_cap_is_a_lower_bound(make_page, monkeypatch):
    monkeypatch.setattr("wiki.search.COUNT_CAP", 3)
    for number in range(5):
        make_page(title=f"Respite {number}", slug=f"respite-{number}", body="Respite.\n")
    _, total, _ = search_pages("respite", limit=2)
    assert total.is_lower_bound and total > 2 and total.label == "more than 3"
    _, total, _ = search_pages("respite", limit=2, offset=4)  # the cap never hides a page of results
    assert not total.is_lower_bound and total == 5


def test_search_page_says_more_than_past_the_cap(client, make_page, monkeypatch):
    monkeypatch.setattr("wiki.search.COUNT_CAP", 10)
    for number in range(25):
        make_page(title=f"Budget guide {number}", slug=f"budget-guide-{number}", body="About budgets.\n")
    first = client.get("/search/?q=budget&type=guides").content.decode()
    assert "(more than 20 found)" in first and 'rel="next"' in first
    second = client.get("/search/?q=budget&type=guides&page=2").content.decode()
    assert "(25 found)" in second and 'rel="next"' not in second


def test_snippet_shows_a_match_deep_in_a_long_page(make_page):
    body = "Plain words about other things. " * 300 + "Ask about the zebrafish scheme.\n"
    make_page(title="Long guide", slug="long-guide", summary="Many words.", body=body)
    hits, _, _ = search_pages("zebrafish")
    snippet = hits[0].snippet
    assert snippet[0] == ("…", False) and ("zebrafish", True) in snippet
    assert len("".join(text for text, _ in snippet)) < 300


def test_an_excluded_word_in_the_body_excludes_the_page(make_page, settings):
    make_page(title="Respite care", slug="respite-care", summary="Short breaks.", body="Paid from the budget.\n")
    make_page(title="Respite at home", slug="respite-at-home", summary="Short breaks.", body="At home.\n")
    hits, total, _ = search_pages("respite -budget")
    assert total == 1 and [hit.title for hit in hits] == ["Respite at home"]



def test_search_page_queries_do_not_grow_with_results(client, make_page, django_assert_max_num_queries):
    """Guards the n+1 on guide rows and discussion topics."""
    from tests.forum.factories import start

    for number in range(25):
        make_page(title=f"Budget guide {number}", slug=f"budget-guide-{number}", body="About budgets.\n")
        start(title=f"Budget question {number}", body="How do budgets work?")
    # One query finds templates. On PostgreSQL: discussion hits are read through the visibility rule (Post.objects.public()) after
    # the index finds them, one query for the title matches and one for the newest posts.
    with django_assert_max_num_queries(10):
        html = client.get("/search/?q=budget").content.decode()
    assert html.count(">Guide<") == 20 and html.count(">Discussion<") == 5


def test_synonyms_find_guides_that_use_the_other_word(make_page):
    make_page(title="Taking a break", slug="taking-a-break", summary="Time off for carers.",
              body="Short breaks give your family carer time to rest.\n")
    hits, _, _ = search_pages("respite")
    assert [hit.title for hit in hits] == ["Taking a break"]


def test_body_matches_are_ranked_by_relevance_not_page_order(make_page):
    make_page(title="Alpha", slug="alpha", summary="First.", body="Rota once.\n" + "Other words. " * 60 + "\n")
    make_page(title="Beta", slug="beta", summary="Second.", body="Your rota and timesheet and shifts.\n")
    hits, _, _ = search_pages("rota")
    assert [hit.title for hit in hits][0] == "Beta"


def test_did_you_mean_corrects_a_typo(client, guides):
    hits, _, fuzzy = search_pages("persnal assistant")
    assert fuzzy == "personal assistant" and hits[0].title == "Employing a personal assistant"
    html = client.get("/search/?q=persnal+assistant").content.decode()
    assert "Did you mean" in html and 'href="?q=personal%20assistant"' in html


def test_moderators_edit_the_synonyms(client, moderator, user, make_page):
    make_page(title="Timesheets", slug="timesheets", summary="Hours.", body="Keep a ledger of hours.\n")
    assert search_pages("logbook")[1] == 0
    client.force_login(user)
    assert client.post("/moderation/synonyms/", {"groups": "logbook, ledger"}).status_code == 403
    client.force_login(moderator)
    response = client.post("/moderation/synonyms/", {"groups": "Logbook, ledger\npa, personal assistant"})
    assert response.status_code == 302
    assert search_pages("logbook")[0][0].title == "Timesheets"
    response = client.post("/moderation/synonyms/", {"groups": "lonely"})
    assert response.status_code == 400 and "Line 1 needs at least two words" in response.content.decode()


# --- ranking rules (issue 18): one scoring rule on both databases ---------------------------------------


def test_an_easy_read_page_comes_after_its_standard_page_even_when_it_matches_better(make_page):
    easy = make_page(title="Your care plan (Easy Read)", slug="care-plan-easy-read",
                     summary="Your care plan, what a care plan is.", body="Your care plan.\n")
    standard = make_page(title="Your care plan", slug="care-plan", summary="Why it matters.", body="Your plan.\n")
    Page.objects.filter(pk=easy.pk).update(easy_read_of=standard)
    hits, _, _ = search_pages("care plan")
    assert [hit.url for hit in hits] == ["/wiki/care-plan/", "/wiki/care-plan-easy-read/"]


def test_asking_for_easy_read_puts_the_easy_read_page_first(make_page):
    standard = make_page(title="Your care plan", slug="care-plan", summary="A care plan.", body="Your care plan.\n")
    easy = make_page(title="Your care plan (Easy Read)", slug="care-plan-easy-read", summary="A care plan.",
                     body="Your care plan.\n")
    Page.objects.filter(pk=easy.pk).update(easy_read_of=standard)
    hits, _, _ = search_pages("care plan easy read")
    assert hits[0].url == "/wiki/care-plan-easy-read/"


def test_a_rare_word_weighs_more_than_a_word_every_guide_has(make_page):
    make_page(title="Budget basics", slug="budget-basics", summary="About your budget.", body="A budget.\n")
    make_page(title="Budget choices", slug="budget-choices", summary="Three choices.",
              body="A notional budget is held by the NHS.\n")
    for number in range(3):
        make_page(title=f"Budget guide {number}", slug=f"budget-guide-{number}", summary="More.", body="Budget.\n")
    hits, _, _ = search_pages("what is a notional budget")
    assert hits[0].title == "Budget choices"


def test_a_short_title_all_about_the_query_beats_a_longer_one(make_page):
    make_page(title="PHB rules for people in England", slug="rules", summary="Rules.", body="Rules.\n")
    make_page(title="Your PHB", slug="your-phb", summary="Rules.", body="Rules.\n")
    hits, _, _ = search_pages("phb")
    assert hits[0].title == "Your PHB"


def test_a_short_word_finds_its_plural_but_not_longer_words(make_page):
    make_page(title="Training for PAs", slug="training", summary="Courses.", body="Courses.\n")
    make_page(title="Pay rates", slug="pay-rates", summary="Pay and page numbers.", body="Payslips.\n")
    hits, total, _ = search_pages("pa")
    assert total == 1 and hits[0].title == "Training for PAs"


def test_words_typed_together_rank_pages_that_have_them_together(make_page):
    make_page(title="Amounts one", slug="amounts-one", summary="Much holiday pay and money.", body="Text.\n")
    make_page(title="Amounts two", slug="amounts-two", summary="Much money and holiday pay.", body="Text.\n")
    hits, _, _ = search_pages("how much money")
    assert hits[0].title == "Amounts two"


def test_a_meaning_question_finds_the_glossary(make_page):
    """Through the synonym group "mean, meaning, definition, glossary" (migration 0011)."""
    make_page(title="Keeping records", slug="records", summary="Records to keep.",
              body="Keep records of each direct payment.\n")
    make_page(title="Glossary", slug="glossary", summary="Plain explanations.",
              body="Direct payment (DP): money paid to you.\n")
    hits, _, _ = search_pages("what does DP mean")
    assert hits[0].title == "Glossary"


def test_a_bounded_ranking_still_finds_a_body_match_with_every_word(make_page, monkeypatch):
    """PostgreSQL reads only TAIL body-only matches: those with every concept come first."""
    monkeypatch.setattr("wiki.search.TAIL", 2)
    for number in range(4):
        make_page(title=f"Page {number}", slug=f"page-{number}", summary="Nothing.", body="Our quokka.\n")
    make_page(title="Page last", slug="page-last", summary="Nothing.", body="Our quokka and wallaby.\n")
    hits, _, _ = search_pages("quokka wallaby")
    assert hits[0].title == "Page last"
