"""The suggested priority rules (bot/staff/triage_priority.yml) and the flags they read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.staff import priority, triage
from bot.staff.priority import TriageFacts, suggest


def facts(*flags: str, route: str | None = None, detail: str | None = None,
          escalated: bool = False) -> TriageFacts:
    return TriageFacts(route=route, detail=detail, flags=frozenset(flags), escalated=escalated)


@pytest.mark.parametrize(("flag", "level"), [
    ("emergency_said", 1), ("danger_words", 1), ("still_happening", 1), ("someone_hurt", 1),
    ("self_harm_risk", 1), ("domestic_abuse", 2), ("sexual_violence", 2), ("stalking", 2),
    ("child_at_risk", 2), ("adult_at_risk", 2), ("possible_child", 2), ("exploitation", 2),
    ("missing_person", 2), ("hate_crime", 2), ("not_understood", 3),
])
def test_each_flag_sets_its_level(flag: str, level: int) -> None:
    assert suggest(facts(flag)).level == level


def test_the_most_urgent_rule_wins_and_every_reason_is_shown() -> None:
    result = suggest(facts("domestic_abuse", "emergency_said", route="report_crime"))
    assert result.level == 1 and result.name == "Urgent"
    assert [r.rule for r in result.reasons] == [
        "danger_now", "domestic_or_sexual_abuse", "crime_reported",
    ]
    assert {r.thrive for r in result.reasons} == {"Threat", "Harm", "Investigation"}


def test_nothing_known_is_standard_with_no_reasons() -> None:
    result = suggest(facts())
    assert (result.level, result.reasons) == (3, ())


def test_information_only_is_low_but_risk_still_lifts_it() -> None:
    assert suggest(facts(route="front_counter")).level == 4
    assert suggest(facts("possible_child", route="front_counter")).level == 2


def test_escalation_is_a_reason_not_an_urgency() -> None:
    result = suggest(facts(escalated=True, route="information"))
    assert result.level == 3
    assert "escalated" in [r.rule for r in result.reasons]


def test_a_rule_file_with_an_unknown_level_is_refused(tmp_path: Path) -> None:
    rules = yaml.safe_load(priority.RULES_FILE.read_text())
    rules["rules"][0]["priority"] = 9
    bad = tmp_path / "rules.yml"
    bad.write_text(yaml.safe_dump(rules))
    with pytest.raises(ValueError, match="unknown priority"):
        priority.load_rules(bad)


def test_every_detail_flag_is_one_a_rule_reads() -> None:
    rules = priority.load_rules()
    read = {f for r in rules["rules"] for f in r["when"].get("flags_any", [])}
    produced = set(rules["flags_from_details"].values()) | set(rules["flags_from_text"])
    assert produced <= read


# --- flags from a conversation's events ----------------------------------------------------------

def user(text: str, intent: str, safety: list[str] | None = None) -> dict:
    parse = {"intent": {"name": intent}, "text": text}
    if safety:
        parse["safety_net"] = {"reasons": safety}
    return {"event": "user", "text": text, "parse_data": parse}


def slot(name: str, value: object) -> dict:
    return {"event": "slot", "name": name, "value": value}


def bot(text: str, response: str) -> dict:
    return {"event": "bot", "text": text, "metadata": {"utter_action": response}}


def test_summary_of_a_crime_report_then_a_request_for_a_person() -> None:
    events = [
        user("my ex keeps following me, I'm 14", "report_crime"),
        slot("route", "report_crime"), slot("route_detail", "stalking_harassment"),
        bot("I'll ask a few short questions", "utter_crime_intro"),
        user("can I talk to a real person", "request_human"),
        slot("route", "handoff"), slot("route_detail", "requested"),
    ]
    slots = {"crime_type": "stalking_harassment", "crime_where": "Lewisham",
             "contact_consent": False, "contact_details": "07700 900123"}
    summary = triage.summarise("c1", events, slots, "requested", "socketio")
    assert (summary["route"], summary["route_detail"]) == ("report_crime", "stalking_harassment")
    assert {"stalking", "possible_child"} <= set(summary["flags"])
    assert summary["priority"]["level"] == 2
    assert summary["location"] == "Lewisham"
    assert summary["told"] == [
        {"response": "utter_crime_intro", "text": "I'll ask a few short questions"},
    ]
    assert "contact_details" not in summary["facts"]  # no consent: never copied
    assert summary["first_message"].startswith("my ex keeps following me")


def test_staff_updates_are_not_the_person_speaking() -> None:
    events = [user("hello", "greet"),
              {"event": "user", "text": "EXTERNAL: staff_update",
               "parse_data": {"intent": {"name": "staff_update"}}}]
    assert triage.summarise("c", events, {}, "requested", None)["last_message"] == "hello"


def test_safety_net_reasons_and_fallbacks_raise_flags() -> None:
    events = [user("he has a knife", "emergency", ["weapon"]),
              user("asdf", "nlu_fallback"), user("qwer", "nlu_fallback")]
    found = triage.flags(events, {})
    assert {"emergency_said", "danger_words", "not_understood"} <= found
    assert triage.consecutive_fallbacks(events) == 2


def test_a_restart_forgets_the_route_before_it() -> None:
    events = [slot("route", "signpost"), slot("route_detail", "homelessness"),
              {"event": "restart"}, slot("route", "handoff"), slot("route_detail", "requested")]
    assert triage.route_before_handoff(events) == (None, None)


def test_a_message_read_again_counts_once_and_not_as_a_misunderstanding() -> None:
    from bot.staff.rasa_api import transcript

    text = "he was mixed race, short, had a scar on his cheek and took my bag"
    events = [
        user("hello", "greet"), bot("Hello.", "utter_greet"),
        {"event": "action", "name": "action_listen"},
        user(text, "nlu_fallback"), {"event": "action", "name": "action_fallback"},
        {"event": "rewind"}, {"event": "action", "name": "action_listen"},
        user(text, "report_crime"), slot("route", "report_crime"),
    ]
    assert [line["text"] for line in transcript({"events": events})] == ["hello", "Hello.", text]
    summary = triage.summarise("c", events, {}, "requested", None)
    assert summary["route"] == "report_crime"
    assert summary["last_message"] == text
    assert "not_understood" not in summary["flags"]
    assert triage.consecutive_fallbacks(events) == 0
