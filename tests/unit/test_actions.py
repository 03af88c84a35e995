"""Pure helpers of the action server (the flows themselves are driven in tests/e2e)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions import report_store
from actions.crime_report import EMAIL, PHONE, QUESTION, channels_for, crime_types
from actions.front_counter import long_date, weekly_text
from actions.routing import consecutive_fallbacks, retrieval_detail
from actions.signposting import contact_line, is_verified

CONTRACT_CRIME_DETAILS = {
    "theft", "burglary", "robbery", "vehicle_crime", "criminal_damage", "assault", "fraud",
    "cybercrime", "hate_crime", "domestic_abuse", "sexual_offence", "stalking_harassment",
    "antisocial_behaviour", "drugs", "road_traffic", "online_child_abuse", "weapons", "other",
}


def _tracker(latest: dict, events: list[dict] | None = None) -> Tracker:
    return Tracker("s", {}, latest, events or [], False, None, {}, "action_listen")


def test_every_contract_crime_type_has_a_reporting_route() -> None:
    assert crime_types() == CONTRACT_CRIME_DETAILS


def test_fraud_goes_to_report_fraud_and_anonymous_to_crimestoppers() -> None:
    assert channels_for("fraud", anonymous=False) == ["report_fraud"]
    assert channels_for("fraud", anonymous=True) == ["crimestoppers"]
    assert channels_for("unknown-type", anonymous=False) == channels_for("other", False)


@pytest.mark.parametrize("value", ["07700 900123", "+44 7700 900123", "020 7946 0000",
                                   "(020) 7946-0000", "07123456789"])
def test_uk_phone_numbers_are_accepted(value: str) -> None:
    assert PHONE.match(value)


@pytest.mark.parametrize("value", ["call me", "123", "07700", "0770090012345678", "me@", "@x.com"])
def test_nonsense_contact_details_are_refused(value: str) -> None:
    assert not PHONE.match(value) and not EMAIL.match(value)


def test_emails_are_accepted() -> None:
    assert EMAIL.match("someone@example.com") and EMAIL.match("a.b-c@mail.co.uk")


@pytest.mark.parametrize(("text", "question"), [
    ("what are my rights?", True), ("how do i complain", True), ("outside tesco", False),
    ("last night", False), ("a red bike?", True),
])
def test_side_questions_are_told_from_answers(text: str, question: bool) -> None:
    assert bool(QUESTION.match(text)) is question


def test_weekly_hours_are_grouped_in_plain_english() -> None:
    week = [{"day": d, "hours": "10:00 to 22:00"} for d in
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
    week += [{"day": d, "hours": "09:00 to 19:00"} for d in ("Saturday", "Sunday")]
    assert weekly_text(week) == (
        "Monday to Friday 10:00 to 22:00, Saturday and Sunday 09:00 to 19:00")
    all_day = [{"day": d["day"], "hours": "open 24 hours"} for d in week]
    assert weekly_text(all_day) == "every day, open 24 hours"


def test_dates_are_written_out() -> None:
    assert long_date("2026-02-21") == "21 February 2026"
    assert long_date("not a date") == "not a date"


def test_retrieval_detail_only_trusts_a_matching_selector() -> None:
    def latest(intent: str, key: str) -> dict:
        return {"intent": {"name": intent},
                "response_selector": {"signpost": {"response": {"intent_response_key": key}}}}

    assert retrieval_detail(_tracker(latest("signpost", "signpost/homelessness"))) == "homelessness"
    assert retrieval_detail(_tracker(latest("signpost", "complaint/corruption"))) is None
    assert retrieval_detail(_tracker({"intent": {"name": "signpost"}})) is None


def test_consecutive_fallbacks_count_back_from_the_latest_message() -> None:
    def user(intent: str) -> dict:
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    events = [user("greet"), user("nlu_fallback"), {"event": "bot"}, user("nlu_fallback")]
    assert consecutive_fallbacks(_tracker({}, events)) == 2
    assert consecutive_fallbacks(_tracker({}, [*events, user("greet")])) == 0


def test_unverified_agencies_show_no_contact_details() -> None:
    assert not is_verified({"check_website_only": True})
    assert is_verified({"check_website_only": False})
    assert not is_verified({})  # unknown: treat as unverified
    line = contact_line({"phone": "101", "web": "https://x.uk", "hours": "24/7"})
    assert line == "Phone: 101\nhttps://x.uk\nOpen: 24/7"


def test_contact_details_are_kept_only_with_consent(tmp_path) -> None:
    db = tmp_path / "reports.sqlite"
    kept = report_store.CrimeReport(report_store.new_reference(), "c1", "theft",
                                    contact_consent=True, contact_details="07700 900123")
    dropped = report_store.CrimeReport(report_store.new_reference(), "c2", "theft",
                                       contact_consent=False, contact_details="07700 900123")
    report_store.save(kept, db)
    report_store.save(dropped, db)
    assert report_store.load(kept.reference, db)["contact_details"] == "07700 900123"
    assert report_store.load(dropped.reference, db)["contact_details"] is None
    assert report_store.load("MET-0000-0000", db) is None


def test_references_are_unguessable_and_readable() -> None:
    refs = {report_store.new_reference() for _ in range(1000)}
    assert len(refs) == 1000
    assert all(len(r) == 13 and r.startswith("MET-") for r in refs)
    assert not any(ch in r for r in refs for ch in "ILOU")


async def test_locator_down_gives_the_offline_alternatives(monkeypatch) -> None:
    """A real connection failure (nothing listens on the port), not a patched function."""
    import socket

    from rasa_sdk.executor import CollectingDispatcher

    from actions.front_counter import ActionFindFrontCounter
    from actions.signposting import signpost

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("LOCATOR_URL", f"http://127.0.0.1:{closed}")
    dispatcher = CollectingDispatcher()
    tracker = Tracker("s", {"location": "SE13 6AA"}, {"intent": {"name": "inform"}}, [], False,
                      None, {}, "action_listen")
    await ActionFindFrontCounter().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_locator_unavailable"]

    dispatcher = CollectingDispatcher()
    await signpost(dispatcher, "homelessness")
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_signpost/homelessness", "utter_signpost_unavailable"]


@pytest.mark.parametrize(("intent", "confidence", "reasons", "danger"), [
    ("emergency", 1.0, ["weapon"], True),
    ("emergency", 1.0, ["detector"], True),
    ("emergency", 1.0, ["detector", "happening_now"], True),
    ("emergency", 0.95, [], True),
    ("emergency", 0.5, [], False),
    ("report_crime", 0.9, [], False),
])
def test_danger_in_a_free_text_answer(intent, confidence, reasons, danger) -> None:
    from actions.crime_report import danger_in_latest_message

    latest = {"intent": {"name": intent, "confidence": confidence}}
    if reasons:
        latest["safety_net"] = {"reasons": reasons}
    assert danger_in_latest_message(_tracker(latest)) is danger


async def test_a_locator_that_never_answers_gives_the_offline_alternatives(monkeypatch) -> None:
    """A real server that accepts the connection and stays silent past the client's timeout."""
    import asyncio

    import aiohttp
    from aiohttp import web
    from rasa_sdk.executor import CollectingDispatcher

    from actions import locator_client
    from actions.front_counter import ActionFindFrontCounter

    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/{tail:.*}", silent)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        monkeypatch.setenv("LOCATOR_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setattr(locator_client, "TIMEOUT", aiohttp.ClientTimeout(total=0.5))
        dispatcher = CollectingDispatcher()
        tracker = Tracker("s", {"location": "SE13 6AA"}, {"intent": {"name": "inform"}}, [],
                          False, None, {}, "action_listen")
        await ActionFindFrontCounter().run(dispatcher, tracker, {})
        assert [m["response"] for m in dispatcher.messages] == ["utter_locator_unavailable"]
    finally:
        await runner.cleanup()


_READING = {"intent": {"name": "report_crime", "confidence": 0.2},
            "intent_ranking": [{"name": "report_crime", "confidence": 0.2}],
            "entities": [{"entity": "crime_type", "value": "criminal_damage"}]}


def _unclear(text: str, active_loop: str | None = None, reading: dict = _READING) -> Tracker:
    latest = {"text": text, "intent": {"name": "inform", "confidence": 0.3},
              "entities": [{"entity": "location", "value": "Thamesmead"}],
              "request_reading": reading}
    return Tracker("s", {}, latest, [], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def test_a_long_message_read_as_an_answer_to_nothing_is_read_again_as_a_request() -> None:
    from actions.routing import read_as_request

    events = read_as_request(_unclear("kids kicked in our fence panels again in Thamesmead"))
    assert events is not None
    assert [e["event"] for e in events] == ["rewind", "action", "user", "user_featurization"]
    assert events[1]["name"] == "action_listen"
    parse = events[2]["parse_data"]
    assert parse["intent"] == {"name": "report_crime", "confidence": 0.2}
    assert parse["entities"] == [{"entity": "crime_type", "value": "criminal_damage"}]
    assert "request_reading" not in parse
    assert events[2]["text"] == "kids kicked in our fence panels again in Thamesmead"


@pytest.mark.parametrize(("text", "active_loop"), [
    ("near Thamesmead", None),  # short: an answer or chit-chat, not a request
    ("kids kicked in our fence panels again in Thamesmead", "crime_report_form"),  # an answer
])
def test_short_messages_and_answers_inside_a_form_are_not_read_again(
        text: str, active_loop: str | None) -> None:
    from actions.routing import read_as_request

    assert read_as_request(_unclear(text, active_loop)) is None


def test_a_message_is_never_read_again_as_one_we_cannot_help_with() -> None:
    from actions.routing import read_as_request

    reading = {"intent": {"name": "out_of_scope", "confidence": 0.2}}
    assert read_as_request(_unclear("a long scratch down the bonnet", None, reading)) is None
