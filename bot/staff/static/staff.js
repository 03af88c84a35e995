// Live updates for the staff console: polls the JSON API and rewrites the list with textContent
// only (never innerHTML), so nothing a member of the public typed can run here.
"use strict";

const POLL_MS = 4000;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) { window.location.assign("/staff/signin"); return null; }
  if (!response.ok) return null;
  return response.json();
}

async function refreshQueue(table) {
  const data = await getJSON("/staff/api/queue");
  if (!data) return;
  const body = el("tbody");
  for (const r of data.entries) {
    const row = el("tr", undefined, "p" + r.priority);
    row.appendChild(el("td", r.priority + " " + r.priority_name));
    const route = el("td");
    const link = el("a", r.route);
    link.href = "/staff/conversations/" + encodeURIComponent(r.id);
    route.append(link, el("br"), el("small", r.reason + ": " + r.first_message.slice(0, 80)));
    row.appendChild(route);
    row.appendChild(el("td", r.flags.join(", ")));
    row.appendChild(el("td", r.waiting));
    row.appendChild(el("td", (r.status + " " + r.claimed_by).trim()));
    row.appendChild(el("td", r.person_messages));
    body.appendChild(row);
  }
  if (!data.entries.length) {
    const row = el("tr");
    const cell = el("td", "Nobody is waiting.");
    cell.colSpan = 6;
    row.appendChild(cell);
    body.appendChild(row);
  }
  table.replaceChild(body, table.tBodies[0]);
}

async function refreshTranscript(list) {
  const data = await getJSON("/staff/api/conversations/" + encodeURIComponent(list.dataset.entry) + "/transcript");
  if (!data) return;
  const fresh = el("ol");
  fresh.id = list.id;
  fresh.dataset.entry = list.dataset.entry;
  for (const line of data.lines) {
    const item = el("li", undefined, line.who);
    item.append(el("span", line.who, "who"), " ", el("time", line.at), el("p", line.text));
    fresh.appendChild(item);
  }
  list.replaceWith(fresh);
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("queue");
  if (table) setInterval(() => refreshQueue(table).catch(() => {}), POLL_MS);
  if (document.getElementById("transcript")) {
    setInterval(() => refreshTranscript(document.getElementById("transcript")).catch(() => {}), POLL_MS);
  }
});
