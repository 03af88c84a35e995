// Minimal chat client: one conversation id per browser tab, messages relayed by /api/messages.
"use strict";
const log = document.getElementById("log");
const form = document.getElementById("chat");
const input = document.getElementById("message");
const statusLine = document.getElementById("status");

function conversationId() {
  let id = sessionStorage.getItem("met-chat-id");
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem("met-chat-id", id);
  }
  return id;
}

function show(text, who, buttons) {
  const item = document.createElement("li");
  item.className = who;
  item.textContent = text;
  if (buttons && buttons.length) {
    const choices = document.createElement("div");
    choices.className = "choices";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => send(b.payload, b.title));
      choices.appendChild(button);
    }
    item.appendChild(choices);
  }
  log.appendChild(item);
  item.scrollIntoView({ block: "end" });
}

async function send(message, shown) {
  show(shown || message, "user");
  statusLine.textContent = "";
  try {
    const response = await fetch("/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: conversationId(), message }),
    });
    const body = await response.json();
    if (!response.ok) {
      statusLine.textContent = body.error;
      return;
    }
    for (const m of body.messages) show(m.text || "", "bot", m.buttons);
  } catch (err) {
    statusLine.textContent = "Connection lost. If you are in danger, call 999. Please try again.";
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send(text);
});
