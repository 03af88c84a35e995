"""Session persistence, start again, quick exit, and a dropped connection."""

from __future__ import annotations

from tests.browser.conftest import EXIT_URL, Chat


def test_reload_keeps_the_conversation_and_continues_it(chat: Chat) -> None:
    chat.open()
    chat.say("where is the nearest police station", expect="postcode")
    before = chat.session_id
    shown = chat.page.locator("#conversation").inner_text()
    chat.page.reload()
    chat.wait_connected()
    assert chat.session_id == before
    assert chat.page.locator("#conversation").inner_text() == shown
    # The assistant still remembers it asked where: a bare place name answers that question.
    chat.say("Lewisham", expect="Lewisham Police Station")


def test_reload_keeps_buttons_and_the_emergency_banner(chat: Chat) -> None:
    chat.open()
    chat.say("I want to report a crime", expect="What happened?")
    chat.say("there's a man with a gun outside", expect="Call 999")
    chat.page.reload()
    chat.wait_connected()
    assert chat.banner.is_visible()


def test_start_again_starts_a_new_conversation(chat: Chat) -> None:
    chat.open()
    chat.say("someone is following me with a knife", expect="Call 999")
    old = chat.session_id
    chat.page.get_by_role("button", name="Start again").click()
    chat.wait_connected()
    assert chat.session_id != old
    assert chat.user.count() == 0
    assert not chat.banner.is_visible()
    assert chat.reply_button("Report a crime").is_visible()  # the opening menu again
    assert chat.page.evaluate("() => document.activeElement.id") == "message"
    chat.say("I need to find a police front counter", expect="postcode")
    assert chat.stack.slots(chat.session_id)["route"] == "front_counter"
    assert chat.stack.slots(old)["route"] == "emergency"  # the old conversation is untouched


def _open_after_another_page(chat: Chat) -> str:
    """Opens the chat as the second page in the tab's history; returns the first page's URL."""
    before = f"{chat.stack.web}/healthz"
    chat.page.goto(before)
    chat.open()
    chat.say("my partner hit me last night", expect=None)
    assert chat.page.evaluate("() => sessionStorage.length") > 0
    return before


def _assert_left_without_trace(chat: Chat, before: str) -> None:
    chat.page.wait_for_url(f"{EXIT_URL}**")
    # The chat replaced its own history entry: Back skips it.
    chat.page.go_back()
    assert chat.page.url == before
    # Its storage is gone: the chat opened again in the same tab starts empty and new.
    chat.open()
    assert chat.user.count() == 0 and not chat.banner.is_visible()


def test_quick_exit_button_leaves_and_clears_the_chat(chat: Chat) -> None:
    before = _open_after_another_page(chat)
    old = chat.session_id
    chat.page.get_by_role("button", name="Exit this page").click()
    _assert_left_without_trace(chat, before)
    assert chat.session_id != old


def test_quick_exit_with_escape_three_times(chat: Chat) -> None:
    before = _open_after_another_page(chat)
    chat.input.focus()
    chat.page.keyboard.press("Escape")
    chat.page.keyboard.press("Escape")
    assert "1 more time" in chat.page.locator("#announcer").inner_text()
    chat.page.keyboard.press("Escape")
    _assert_left_without_trace(chat, before)


def test_message_typed_while_offline_is_kept_and_sent_on_reconnect(chat: Chat) -> None:
    chat.open()
    context = chat.page.context
    context.set_offline(True)
    chat.page.evaluate("() => window.metChat.socket.io.engine.close()")  # drop the live connection
    lost = chat.page.locator("#connection")
    lost.wait_for(state="visible")
    assert "Connection lost" in lost.inner_text() and "999" in lost.inner_text()
    chat.input.fill("where is the nearest police station")
    chat.input.press("Enter")
    assert "Not sent yet" in chat.user.last.inner_text()
    assert chat.page.evaluate("() => window.metChat.pending") == 1
    context.set_offline(False)
    chat.wait_connected()
    chat.wait_idle()
    lost.wait_for(state="hidden")
    assert "postcode" in chat.bot.last.inner_text().lower()
    assert "Not sent yet" not in chat.user.last.inner_text()


def test_message_in_flight_when_the_connection_drops_is_offered_again(chat: Chat) -> None:
    chat.open()
    # Send and drop the connection in the same task: the acknowledgement cannot arrive first, so
    # the page cannot know whether the assistant got the message. It reconnects by itself.
    chat.page.evaluate(
        """() => {
            document.getElementById('message').value = 'where is the nearest police station';
            document.getElementById('chat-form').requestSubmit();
            window.metChat.socket.io.engine.close();
        }"""
    )
    again = chat.page.get_by_role("button", name="Send again")
    again.wait_for()
    assert "may not have reached" in chat.user.last.inner_text()
    chat.wait_connected()
    again.click()
    chat.wait_idle()
    assert "postcode" in chat.bot.last.inner_text().lower()
    assert chat.user.last.inner_text().endswith("where is the nearest police station")
    assert chat.page.get_by_text("may not have reached").count() == 0
