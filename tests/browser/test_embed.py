"""The chat in a corner of another site: `?embed=1` and the embed.js snippet."""

from __future__ import annotations

from tests.browser.conftest import EXIT_URL, Chat


def test_embed_mode_is_compact(context_for, stack) -> None:
    chat = Chat(context_for(viewport={"width": 400, "height": 600}).new_page(), stack)
    chat.open("?embed=1")
    assert chat.page.locator(".met-header").is_hidden()
    assert chat.page.locator(".govuk-footer").is_hidden()
    assert chat.page.get_by_role("heading", level=1).inner_text() == "Contact the Met"
    assert chat.page.get_by_role("button", name="Exit this page").is_visible()
    assert chat.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    chat.say("where is the nearest police station", expect="postcode")
    assert chat.axe("embed") == []


def test_snippet_on_another_site_opens_the_chat_and_quick_exit_leaves_both(
    context_for, stack
) -> None:
    # Another site: another origin (localhost, not 127.0.0.1), its page served by the test itself.
    # Both are on loopback, so Chromium's Local Network Access check wants the permission that a
    # public site's visitors never need for a public chat host.
    host = stack.web.replace("127.0.0.1", "localhost") + "/community-news"
    context = context_for(permissions=["local-network-access"])
    host_page = (
        "<!doctype html><html lang='en'><title>Community news</title><body><main>"
        "<h1>Community news</h1>"
        f"<script src='{stack.web}/static/embed.js'></script></main></body></html>"
    )
    context.route(host, lambda route: route.fulfill(content_type="text/html", body=host_page))
    page = context.new_page()
    page.goto(host)
    launcher = page.get_by_role("button", name="Contact the Met: online chat")
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    frame = page.frame_locator("#met-chat-frame")
    frame.locator("#message").wait_for()
    chat_frame = next(f for f in page.frames if f.url.startswith(f"{stack.web}/?embed=1"))
    chat_frame.wait_for_function("() => window.metChat && window.metChat.connected")
    frame.locator("#message").fill("where is the nearest police station")
    frame.locator("#message").press("Enter")
    chat_frame.wait_for_function("() => window.metChat.pending === 0", timeout=90_000)
    assert "postcode" in frame.locator(".met-msg--bot").last.inner_text().lower()
    frame.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(f"{EXIT_URL}**")
