"""WCAG 2.2 AA checks in the browser: axe-core scans, keyboard-only use, reflow, motion.

axe finds what can be found automatically (names, contrast, ARIA); the rest is checked here
directly: the keyboard path, visible focus, no horizontal scrolling at 320 px and 200% zoom.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import MOBILE, Chat

FOCUS_YELLOW = "rgb(255, 221, 0)"  # the GOV.UK focus colour

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_axe_empty_chat(chat: Chat) -> None:
    chat.open()
    assert chat.axe("empty") == []


def test_axe_conversation_with_buttons(chat: Chat) -> None:
    chat.open()
    chat.say("I want to report a crime", expect="What happened?")
    assert chat.page.locator("#quick-replies button").count() >= 2
    assert chat.axe("buttons") == []


def test_axe_emergency_and_screenshots(context_for, stack) -> None:
    for name, options in (("desktop", {}), ("mobile", {"viewport": MOBILE, "is_mobile": True,
                                                       "has_touch": True,
                                                       "device_scale_factor": 2})):
        chat = Chat(context_for(**options).new_page(), stack).open()
        chat.say("I want to report a crime", expect="What happened?")
        chat.say("someone is kicking my door in right now", expect="Call 999")
        assert chat.banner.is_visible()
        # On a phone the full banner scrolls away, so a "Call 999" button joins the sticky
        # exit bar; on a big screen the banner itself stays in view.
        assert chat.page.locator(".met-exit__call").is_visible() == (name == "mobile")
        assert chat.axe(f"emergency-{name}") == []
        assert chat.page.evaluate(NO_HORIZONTAL_SCROLL)
        # Test artefacts; docs/web-chat.png (the README's picture) is a copy of chat-desktop.png.
        assert chat.screenshot(f"chat-{name}", full_page=False).stat().st_size > 10_000


def _focused(chat: Chat) -> dict:
    return chat.page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {id: e.id, text: (e.innerText || e.value || '').trim(), tag: e.tagName,
                    background: s.backgroundColor, outline: s.outlineStyle,
                    shadow: s.boxShadow};
        }"""
    )


def _tab_to(chat: Chat, text: str, key: str = "Tab", limit: int = 25) -> dict:
    for _ in range(limit):
        chat.page.keyboard.press(key)
        focused = _focused(chat)
        if focused["text"] == text:
            return focused
    raise AssertionError(f"{text!r} cannot be reached with {key}")


def _visibly_focused(focused: dict) -> bool:
    return (focused["background"] == FOCUS_YELLOW or focused["outline"] != "none"
            or FOCUS_YELLOW in focused["shadow"])


def test_keyboard_only_run_through(chat: Chat) -> None:
    chat.open()
    page = chat.page
    # The first Tab reaches the skip link; Enter on it puts the cursor in the message box.
    page.keyboard.press("Tab")
    skip = _focused(chat)
    assert skip["text"] == "Skip to the message box" and _visibly_focused(skip)
    page.keyboard.press("Enter")
    assert _focused(chat)["id"] == "message"
    # A question typed and sent with Enter.
    chat._turn(lambda: (page.keyboard.type("I want to report a crime"),
                        page.keyboard.press("Enter")), expect="What happened?")
    assert _focused(chat)["id"] == "message", "focus must stay in the message box"
    # The quick replies sit just before the message box: Shift+Tab reaches them.
    button = _tab_to(chat, "Something was stolen", key="Shift+Tab")
    assert _visibly_focused(button), button
    chat._turn(lambda: page.keyboard.press("Enter"), expect="still happening")
    assert _focused(chat)["id"] == "message", "after a quick reply, focus returns to the box"
    chat._turn(lambda: (_tab_to(chat, "No", key="Shift+Tab"), page.keyboard.press("Space")),
               expect="anyone hurt")
    # The other controls are reachable and visibly focused too.
    for label in ("Send", "Start again"):
        focused = _tab_to(chat, label)
        assert _visibly_focused(focused), focused
    # Start again with the keyboard, then leave with Escape x3.
    page.keyboard.press("Enter")
    chat.wait_connected()
    assert chat.user.count() == 0
    for _ in range(3):
        page.keyboard.press("Escape")
    page.wait_for_url("https://www.bbc.co.uk/**")


def test_empty_message_gets_a_govuk_error(chat: Chat) -> None:
    chat.open()
    chat.input.press("Enter")
    error = chat.page.locator("#message-error")
    assert error.is_visible() and "Enter a message" in error.inner_text()
    assert "message-error" in chat.input.get_attribute("aria-describedby")
    assert chat.user.count() == 0


@pytest.mark.parametrize(
    ("width", "height", "zoom"),
    [(320, 640, "320 px wide"), (640, 450, "1280x900 at 200% zoom")],
)
def test_reflows_without_horizontal_scrolling(context_for, stack, width, height, zoom) -> None:
    chat = Chat(context_for(viewport={"width": width, "height": height}).new_page(), stack).open()
    chat.say("I want to report a crime", expect="What happened?")
    chat.say("a man with a knife is outside my door", expect="Call 999")
    assert chat.page.evaluate(NO_HORIZONTAL_SCROLL), zoom
    for selector in ("#message", "#send", "#quick-exit"):
        box = chat.page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, zoom)


@pytest.mark.parametrize(("motion", "animated"), [("reduce", False), ("no-preference", True)])
def test_typing_indicator_moves_only_if_motion_is_welcome(context_for, stack, motion,
                                                         animated) -> None:
    page = context_for(reduced_motion=motion).new_page()
    chat = Chat(page, stack).open()
    seen = []
    # Read the animation the moment the indicator appears, during a real turn.
    page.evaluate(
        """() => new MutationObserver((changes, observer) => {
                const dot = document.querySelector('#typing .met-dots span');
                if (dot) { window.typingAnimation = getComputedStyle(dot).animationName;
                           observer.disconnect(); }
            }).observe(document.getElementById('typing'), {childList: true, subtree: true})"""
    )
    chat.say("hello", expect=None)
    seen.append(page.evaluate("() => window.typingAnimation"))
    assert seen == (["met-blink"] if animated else ["none"])


def test_page_loads_nothing_from_other_sites(chat: Chat) -> None:
    chat.open()
    chat.say("hello", expect=None)
    assert chat.external_requests == []
    assert chat.page.evaluate("() => typeof io") == "function"  # the local socket.io client
