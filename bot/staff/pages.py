"""Server-rendered HTML for the staff console. Everything that did not come from this file goes
through `esc()`; scripts come only from /staff/static (the Content-Security-Policy forbids inline
ones), and they write with textContent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.staff.queue import CLAIMED, HANDED_BACK, WAITING, QueueEntry

LONDON = ZoneInfo("Europe/London")
STATUS_TEXT = {WAITING: "Waiting", CLAIMED: "With staff", HANDED_BACK: "Back with assistant"}


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def minutes(seconds: int) -> str:
    if seconds < 60:
        return "under 1 min"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def london_time(stamp: Any) -> str:
    try:
        moment = (datetime.fromtimestamp(float(stamp), timezone.utc) if not isinstance(stamp, str)
                  or stamp.replace(".", "", 1).isdigit() else datetime.fromisoformat(stamp))
    except (TypeError, ValueError):
        return ""
    return moment.astimezone(LONDON).strftime("%d %b %H:%M:%S")


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(csrf)}">'


def layout(title: str, body: str, user: str | None = None, csrf: str | None = None,
           script: str | None = None) -> str:
    nav = ""
    if user:
        nav = (
            '<nav><a href="/staff/">Queue</a> <a href="/staff/reports">Crime reports</a> '
            '<a href="/staff/audit">Audit</a> '
            f'<form method="post" action="/staff/signout" class="inline">{csrf_field(csrf or "")}'
            f'<button class="link">Sign out {esc(user)}</button></form></nav>'
        )
    js = f'<script src="/staff/static/{esc(script)}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} - Met contact centre</title>'
        f'<link rel="stylesheet" href="/staff/static/staff.css">{js}</head><body>'
        '<header><strong>Met contact centre</strong> <span>Staff console</span></header>'
        f'{nav}<main><h1>{esc(title)}</h1>{body}</main></body></html>'
    )


def signin(csrf: str, error: str | None = None) -> str:
    message = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return layout("Sign in", (
        f'{message}<form method="post" action="/staff/signin">{csrf_field(csrf)}'
        '<label for="name">Username</label>'
        '<input id="name" name="name" autocomplete="username" required maxlength="64">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password"'
        ' required maxlength="1024"><button>Sign in</button></form>'
    ))


def queue_row(entry: QueueEntry) -> dict[str, Any]:
    """One queue line as data: the page renders it and the live update (staff.js) uses it."""
    summary = entry.summary
    route = summary.get("route") or "-"
    if summary.get("route_detail"):
        route += f" / {summary['route_detail']}"
    return {
        "id": entry.id,
        "priority": entry.priority,
        "priority_name": (summary.get("priority") or {}).get("name", ""),
        "reasons": [r["text"] for r in (summary.get("priority") or {}).get("reasons", [])],
        "reason": entry.reason,
        "route": route,
        "flags": summary.get("flags") or [],
        "waiting": minutes(entry.waiting_seconds()),
        "status": STATUS_TEXT.get(entry.status, entry.status),
        "claimed_by": entry.claimed_by or "",
        "person_messages": entry.person_messages,
        "first_message": summary.get("first_message") or "",
    }


def queue(rows: list[dict[str, Any]], user: str, csrf: str) -> str:
    body = "".join(
        f'<tr class="p{esc(r["priority"])}"><td>{esc(r["priority"])} {esc(r["priority_name"])}'
        f'</td><td><a href="/staff/conversations/{esc(r["id"])}">{esc(r["route"])}</a>'
        f'<br><small>{esc(r["reason"])}: {esc(r["first_message"][:80])}</small></td>'
        f'<td>{esc(", ".join(r["flags"]))}</td>'
        f'<td>{esc(r["waiting"])}</td><td>{esc(r["status"])} {esc(r["claimed_by"])}</td>'
        f'<td>{esc(r["person_messages"])}</td></tr>'
        for r in rows
    )
    empty = "" if rows else '<tr><td colspan="6">Nobody is waiting.</td></tr>'
    return layout("Queue", (
        '<p>Most urgent first, then longest waiting. Priorities are suggestions '
        '(THRIVE-informed); you decide. This list updates by itself.</p>'
        '<table id="queue"><thead><tr><th>Priority</th><th>Route</th><th>Flags</th>'
        '<th>Waiting</th><th>Status</th><th>New messages</th></tr></thead>'
        f'<tbody>{body}{empty}</tbody></table>'
    ), user, csrf, script="staff.js")


def _facts(items: Iterable[tuple[str, Any]]) -> str:
    return "".join(
        f"<dt>{esc(k.replace('_', ' '))}</dt><dd>{esc(v)}</dd>" for k, v in items if v not in
        (None, "", [])
    )


def conversation(entry: QueueEntry, lines: list[dict[str, str]], channel: str | None,
                 can_push: bool, outcomes: dict[str, str], user: str, csrf: str,
                 notice: str | None = None) -> str:
    s = entry.summary
    p = s.get("priority") or {}
    reasons = "".join(
        f"<li><strong>{esc(r['thrive'])}</strong>: {esc(r['text'])}</li>"
        for r in p.get("reasons", [])
    ) or "<li>No risk seen by the assistant.</li>"
    told = "".join(f"<li>{esc(t['text'])}</li>" for t in s.get("told") or [])
    summary = (
        f'<section class="summary p{esc(entry.priority)}"><h2>Suggested priority: '
        f'{esc(entry.priority)} {esc(p.get("name"))}</h2><p>{esc(p.get("meaning"))}</p>'
        f'<ul>{reasons}</ul><dl>' + _facts([
            ("status", STATUS_TEXT.get(entry.status, entry.status)),
            ("claimed by", entry.claimed_by), ("why", entry.reason),
            ("route", s.get("route")), ("detail", s.get("route_detail")),
            ("location", s.get("location")), ("flags", ", ".join(s.get("flags") or [])),
            ("waiting", minutes(entry.waiting_seconds())),
            ("first message", s.get("first_message")),
            *(s.get("facts") or {}).items(),
        ]) + f'</dl><h3>Already told</h3><ul>{told or "<li>Nothing yet.</li>"}</ul></section>'
    )
    push = "" if can_push else (
        f'<p class="warning">This person writes from the "{esc(channel or "unknown")}" '
        "channel, which cannot show new messages by itself. Your replies are saved in the "
        "conversation, but the person may not see them. Think about asking them to call 101.</p>"
    )
    talk = "".join(
        f'<li class="{esc(line["who"])}"><span class="who">{esc(line["who"])}</span> '
        f'<time>{esc(london_time(line["at"]))}</time><p>{esc(line["text"])}</p></li>'
        for line in lines
    )
    base = f"/staff/conversations/{esc(entry.id)}"
    forms = []
    if entry.status in (WAITING, HANDED_BACK):
        forms.append(f'<form method="post" action="{base}/claim">{csrf_field(csrf)}'
                     "<button>Claim this conversation</button></form>")
    if entry.status == CLAIMED and entry.claimed_by == user:
        forms.append(
            f'<form method="post" action="{base}/reply">{csrf_field(csrf)}'
            '<label for="text">Reply to the person</label>'
            '<textarea id="text" name="text" rows="3" maxlength="2000" required></textarea>'
            "<button>Send</button></form>"
            f'<form method="post" action="{base}/handback">{csrf_field(csrf)}'
            '<button class="secondary">Hand back to the assistant</button></form>'
        )
    if entry.status in (WAITING, HANDED_BACK) or entry.claimed_by == user:
        options = "".join(
            f'<option value="{esc(k)}">{esc(v)}</option>' for k, v in outcomes.items()
        )
        forms.append(
            f'<form method="post" action="{base}/close">{csrf_field(csrf)}'
            f'<label for="outcome">Close with outcome</label><select id="outcome" '
            f'name="outcome">{options}</select><button class="secondary">Close</button></form>'
        )
    note = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    return layout("Conversation", (
        f'{note}{summary}{push}<section><h2>Transcript</h2>'
        f'<ol id="transcript" data-entry="{esc(entry.id)}">{talk}</ol></section>'
        f'<section class="actions">{"".join(forms)}</section>'
    ), user, csrf, script="staff.js")


def table(title: str, columns: list[str], rows: list[dict[str, Any]], user: str, csrf: str,
          intro: str = "") -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    ) or f'<tr><td colspan="{len(columns)}">None.</td></tr>'
    return layout(title, f"{intro}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                  "</table>", user, csrf)


def message(title: str, text: str, user: str | None = None, csrf: str | None = None) -> str:
    back = '<p><a href="/staff/">Back to the queue</a></p>' if user else ""
    return layout(title, f"<p>{esc(text)}</p>{back}", user, csrf)
