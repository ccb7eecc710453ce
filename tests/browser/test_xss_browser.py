"""Stored XSS in a real browser: every payload, on a guide, its diff, and a moderator's review."""

import pytest
from django.core.cache import cache

from tests.wiki.conftest import page_content
from tests.wiki.test_text import PAYLOADS
from wiki import services
from wiki.models import EditProposal, Page

pytestmark = pytest.mark.django_db(transaction=True)
CHUNK = 130
# PostgreSQL text cannot hold NUL, and every form refuses it before it gets there.
STORABLE = [payload.replace("\x00", "") for payload in PAYLOADS]


def _watch(page):
    """Record any script that runs: dialogs, and a global the payloads cannot reach without script."""
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    return fired


@pytest.fixture
def payload_pages():
    pages = []
    for index in range(0, len(STORABLE), CHUNK):
        body = "\n\n".join(STORABLE[index:index + CHUNK])
        version = services._publish(page=None, content=page_content(title=f"Payloads {index}",
                                                                     slug=f"payloads-{index}", body=body),
                                    author=None, edit_summary="Payloads")
        pages.append(Page.objects.get(pk=version.page_id))
    return pages


def test_no_payload_runs_on_guides_or_diffs(chromium, live_server, payload_pages):
    # With the CSP switched off in the browser, so this tests the sanitiser alone.
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    fired = _watch(page)
    for guide in payload_pages:
        guide = services.Page.objects.get(pk=guide.pk)
        services._publish(page=guide, content={**page_content(title=guide.title, slug=guide.slug),
                                               "body": "Clean text.\n"}, author=None, edit_summary="Clean")
        for path in (guide.get_absolute_url(), f"/wiki/{guide.slug}/versions/1/",
                     f"/wiki/{guide.slug}/compare/1/2/", f"/wiki/{guide.slug}/history/"):
            page.goto(path)
            page.wait_for_load_state("load")
    context.close()
    assert fired == []


def test_sanity_the_watch_sees_script_when_csp_is_off(chromium, live_server, db):
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    fired = _watch(page)
    page.goto("/")
    page.evaluate("() => { const s = document.createElement('img'); s.src = 'x'; "
                  "s.setAttribute('onerror', 'alert(7)'); document.body.append(s); }")
    page.wait_for_timeout(300)
    context.close()
    assert fired == ["7"]


def test_no_payload_runs_in_a_moderators_review(page, moderator, user, log_in, payload_pages):
    guide = payload_pages[0]
    proposal = services.propose_edit(page=guide, author=user,
                                     content={**page_content(title=guide.title, slug=guide.slug),
                                              "body": "\n\n".join(STORABLE[-CHUNK:])},
                                     edit_summary="<img src=x onerror=alert(2)>", base_revision=1)
    assert EditProposal.objects.get(pk=proposal.pk).is_pending()
    fired = _watch(page)
    log_in(page, moderator)
    for path in ("/moderation/", f"/moderation/edits/{proposal.pk}/"):
        page.goto(path)
        page.wait_for_load_state("load")
    page.get_by_role("heading", name="Preview of what will be published").wait_for()  # the preview is on the page
    assert fired == []


def test_csp_blocks_an_injected_inline_script_and_reports_it(page, payload_pages):
    cache.delete("csp-reports:total")
    page.goto(payload_pages[0].get_absolute_url())
    blocked = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', event => resolve(event.violatedDirective));
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.body.append(s);
        setTimeout(() => resolve(null), 5000);
    })""")
    assert blocked and blocked.startswith("script-src")
    assert page.evaluate("window.__ran === true") is False
    # The browser posts its report to /csp-report/ on its own schedule.
    for _ in range(100):
        if cache.get("csp-reports:total"):
            break
        page.wait_for_timeout(100)
    assert cache.get("csp-reports:total", 0) >= 1
