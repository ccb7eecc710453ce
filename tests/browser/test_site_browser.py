import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/privacy/", "/no-such-page/"])
def test_site_pages_are_accessible_and_reflow(page, assert_accessible, path):
    page.goto(path)
    assert_accessible(page)


def test_csrf_failure_page_is_accessible(page, assert_accessible):
    page.goto("/")
    # A form posted without its CSRF token, as an expired or forged one would be.
    page.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
        f.action = '/account/logout/'; document.body.append(f); f.submit(); }""")
    page.wait_for_url("**/account/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    assert_accessible(page)


@pytest.mark.parametrize("status", [403, 500])
def test_error_pages_are_accessible(page, rf, assert_accessible, status):
    from mycarebudget import views

    request = rf.get("/")
    response = views.permission_denied(request) if status == 403 else views.server_error(request)
    # Served at a same-origin address so the page loads our real stylesheet.
    page.route("**/error-page", lambda route: route.fulfill(
        status=status, body=response.content, content_type="text/html; charset=utf-8"))
    page.goto("/error-page")
    assert_accessible(page)


def test_keyboard_first_tab_reaches_skip_link_and_enter_moves_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused == ["Skip to main content", "#main-content"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_focus_is_visible_on_links(page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 191, 71)"


def test_pages_work_with_javascript_off(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Search the guides and forum").fill("budget")
    page.get_by_role("button", name="Search").click()
    assert "/search/?q=budget" in page.url
    context.close()
