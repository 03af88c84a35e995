// The public web chat: Rasa's socket.io channel (through our own origin, see socket_proxy.py),
// with the conversation kept in sessionStorage so a reload shows it again and continues it.
// Nothing here uses innerHTML: every text from the assistant is inserted as text.
"use strict";
(() => {
  const KEYS = {
    session: "met-chat:session",   // Rasa conversation id (socket.io session_id)
    log: "met-chat:log",           // what the page shows: [{who, text, id?, buttons?}]
    outbox: "met-chat:outbox",     // messages not yet confirmed by the server
    emergency: "met-chat:emergency",
  };
  // The server acknowledges a message once the whole turn is done: a minute covers a slow turn.
  const ACK_TIMEOUT_MS = 60000;
  const ESCAPES_TO_EXIT = 3;
  const ESCAPE_WINDOW_MS = 5000;
  const MAX_CHARS = 2000;

  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);
  const ui = {
    log: $("conversation"), replies: $("quick-replies"), typing: $("typing"),
    form: $("chat-form"), input: $("message"), group: $("message-group"), error: $("message-error"),
    emergency: $("emergency"), connection: $("connection"), connectionTitle: $("connection-title"),
    connectionText: $("connection-text"), exit: $("quick-exit"),
    startAgain: $("start-again"), useLocation: $("use-location"), consent: $("location-consent"),
    shareLocation: $("share-location"), cancelLocation: $("cancel-location"),
    locationTitle: $("location-title"),
  };
  const exitUrl = root.dataset.exitUrl;
  const embedded = root.classList.contains("met-embed");
  const welcome = JSON.parse($("welcome").textContent);

  // --- storage: sessionStorage only (cleared when the tab closes; quick exit clears it at once) --
  const store = {
    get(key, fallback) {
      try {
        const value = sessionStorage.getItem(key);
        return value === null ? fallback : JSON.parse(value);
      } catch (e) {
        return fallback;
      }
    },
    set(key, value) {
      try {
        sessionStorage.setItem(key, JSON.stringify(value));
      } catch (e) {
        // Storage full or disabled: the chat still works, it just won't survive a reload.
      }
    },
    clearAll() {
      for (const key of Object.values(KEYS)) {
        try { sessionStorage.removeItem(key); localStorage.removeItem(key); } catch (e) { /* */ }
      }
      try { sessionStorage.clear(); } catch (e) { /* */ }
    },
  };

  function randomId() {
    // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let sessionId = store.get(KEYS.session, null) || randomId();
  let transcript = store.get(KEYS.log, []);
  let outbox = store.get(KEYS.outbox, []);
  let emergency = store.get(KEYS.emergency, false);
  let confirmed = false;  // session_confirm received on the current connection
  let inFlight = null;    // the outbox item waiting for the server's acknowledgement
  store.set(KEYS.session, sessionId);
  // A message that was on its way when the page was reloaded may or may not have arrived.
  for (const item of outbox) if (item.state === "sent") item.state = "unsure";

  function save() {
    store.set(KEYS.log, transcript);
    store.set(KEYS.outbox, outbox);
    store.set(KEYS.emergency, emergency);
  }

  // --- rendering -----------------------------------------------------------------------------
  // Web addresses in the assistant's replies become links: full URLs, and bare addresses such as
  // met.police.uk. Only http(s) is ever linked; e-mail addresses are left as text.
  const LINK = /\b(?:https?:\/\/[^\s<>"]+|(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|org|com|net)(?:\/[^\s<>"]*)?)/gi;

  function safeUrl(raw) {
    try {
      const url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function appendText(parent, text, linkify) {
    if (!linkify) {
      parent.appendChild(document.createTextNode(text));
      return;
    }
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      let raw = match[0];
      const start = match.index;
      if (start > 0 && text[start - 1] === "@") continue;  // part of an e-mail address
      raw = raw.replace(/[.,;:!?)]+$/, "");
      const href = safeUrl(raw);
      if (!href) continue;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      const a = document.createElement("a");
      a.className = "govuk-link";
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = raw;
      const hint = document.createElement("span");
      hint.className = "govuk-visually-hidden";
      hint.textContent = " (opens in new tab)";
      a.appendChild(hint);
      parent.appendChild(a);
      last = start + raw.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function statusOf(entry) {
    const item = entry.id && outbox.find((i) => i.id === entry.id);
    return item ? item.state : null;
  }

  function renderEntry(entry) {
    const bot = entry.who === "bot";
    const box = document.createElement("div");
    box.className = `met-msg met-msg--${bot ? "bot" : "user"}`;
    if (entry.id) box.dataset.id = entry.id;
    const who = document.createElement("span");
    who.className = "met-msg__who";
    who.textContent = bot ? "Assistant" : "You";
    box.appendChild(who);
    const body = document.createElement("p");
    appendText(body, entry.text, bot);
    box.appendChild(body);
    const state = statusOf(entry);
    if (state) box.appendChild(renderStatus(entry, state));
    return box;
  }

  function renderStatus(entry, state) {
    const status = document.createElement("div");
    status.className = "met-msg__status";
    if (state === "unsure") {
      status.appendChild(document.createTextNode(
        "This message may not have reached the assistant because the connection was lost."));
      const again = document.createElement("button");
      again.type = "button";
      again.className = "govuk-button govuk-button--secondary";
      again.textContent = "Send again";
      again.addEventListener("click", () => resend(entry.id));
      status.appendChild(document.createElement("br"));
      status.appendChild(again);
    } else if (state === "queued" && !confirmed) {
      status.textContent = "Not sent yet. It will be sent when the connection is back.";
    }
    return status;
  }

  function refreshEntry(id) {
    const old = ui.log.querySelector(`[data-id="${id}"]`);
    const entry = transcript.find((e) => e.id === id);
    if (old && entry) old.replaceWith(renderEntry(entry));
  }

  function renderQuickReplies() {
    ui.replies.replaceChildren();
    let buttons = transcript.length ? [] : welcome.buttons;
    for (let i = transcript.length - 1; i >= 0 && transcript[i].who === "bot"; i--) {
      if (transcript[i].buttons && transcript[i].buttons.length) {
        buttons = transcript[i].buttons;
        break;
      }
    }
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "govuk-button govuk-button--secondary";
      button.textContent = b.title;
      button.addEventListener("click", () => {
        send(b.payload, b.title);
        ui.input.focus();
      });
      ui.replies.appendChild(button);
    }
    ui.replies.hidden = buttons.length === 0;
  }

  function renderAll() {
    ui.log.replaceChildren();
    if (!transcript.length) ui.log.appendChild(renderEntry({ who: "bot", text: welcome.text }));
    for (const entry of transcript) ui.log.appendChild(renderEntry(entry));
    renderQuickReplies();
    showEmergency(emergency);
  }

  function add(entry) {
    if (!transcript.length) ui.log.replaceChildren();  // the welcome gives way to the conversation
    transcript.push(entry);
    save();
    const element = renderEntry(entry);
    ui.log.appendChild(element);
    renderQuickReplies();
    element.scrollIntoView({ block: "nearest" });
  }

  function showEmergency(on) {
    ui.emergency.hidden = !on;
    root.classList.toggle("met-emergency-on", on);
  }

  function setTyping(on) {
    ui.typing.replaceChildren();
    if (!on) return;
    ui.typing.appendChild(document.createTextNode("The assistant is typing"));
    const dots = document.createElement("span");
    dots.className = "met-dots";
    dots.setAttribute("aria-hidden", "true");
    for (let i = 0; i < 3; i++) {
      const dot = document.createElement("span");
      dot.textContent = ".";
      dots.appendChild(dot);
    }
    ui.typing.appendChild(dots);
  }

  // --- connection ----------------------------------------------------------------------------
  if (typeof io !== "function") {
    ui.connectionTitle.textContent = "The chat could not load";
    ui.connectionText.textContent =
      "Please reload the page. If you are in danger, call 999. Otherwise call 101.";
    ui.connection.hidden = false;
    renderAll();
    return;
  }

  // Same origin: the web server forwards /socket.io/ to Rasa's socket.io channel.
  const socket = io({ path: "/socket.io/", reconnectionDelayMax: 5000 });
  let everConnected = false;

  function showConnection(state) {
    if (state === "ok") {
      ui.connection.hidden = true;
      ui.connection.removeAttribute("role");
      return;
    }
    ui.connection.className = "met-connection";
    ui.connectionTitle.textContent = everConnected ? "Connection lost" : "Connecting…";
    ui.connectionText.textContent = everConnected
      ? "Trying to reconnect. Anything you type is kept and sent when the connection is back. " +
        "If you are in danger, call 999."
      : "If this takes a while, check your internet connection. If you are in danger, call 999.";
    if (ui.connection.hidden) {
      ui.connection.setAttribute("role", "alert");
      ui.connection.hidden = false;
    }
  }

  socket.on("connect", () => {
    confirmed = false;
    socket.emit("session_request", { session_id: sessionId });
  });

  // Rasa puts this socket in the conversation's room: only now can replies reach us, so only
  // now do queued messages go out.
  socket.on("session_confirm", (id) => {
    if (id !== sessionId) return;
    confirmed = true;
    const wasLost = everConnected && !ui.connection.hidden;
    everConnected = true;
    showConnection("ok");
    if (wasLost) announce("Connection is back.");
    for (const item of outbox) if (item.state === "queued") refreshEntry(item.id);
    flush();
  });

  socket.on("disconnect", (reason) => {
    confirmed = false;
    if (reason === "io client disconnect") return;  // we closed it (start again, quick exit)
    showConnection("lost");
    // socket.io retries by itself except when the server ended the session: then we do.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", () => showConnection("lost"));

  socket.on("bot_uttered", (message) => {
    if (!message || typeof message !== "object") return;
    // The 999 response carries {"route": "emergency"} as a custom payload (domain.yml).
    if (message.route === "emergency") {
      emergency = true;
      save();
      showEmergency(true);
      return;
    }
    if (typeof message.text !== "string" || !message.text.trim()) return;
    const buttons = Array.isArray(message.quick_replies)
      ? message.quick_replies
        .filter((q) => q && typeof q.title === "string" && typeof q.payload === "string")
        .map((q) => ({ title: q.title, payload: q.payload }))
      : [];
    add({ who: "bot", text: message.text, buttons });
  });

  function flush() {
    if (!confirmed || inFlight) return;
    const item = outbox.find((i) => i.state === "queued");
    if (!item) return;
    inFlight = item;
    item.state = "sent";
    save();
    setTyping(true);
    socket.timeout(ACK_TIMEOUT_MS).emit(
      "user_uttered", { message: item.message, session_id: sessionId },
      (err) => {
        if (inFlight !== item) return;
        inFlight = null;
        setTyping(false);
        if (err) {
          item.state = "unsure";  // lost connection or no answer: offer it again, never drop it
        } else {
          outbox = outbox.filter((i) => i !== item);
        }
        save();
        refreshEntry(item.id);
        flush();
      },
    );
  }

  function send(message, shown) {
    const id = randomId();
    add({ who: "user", text: shown || message, id });
    outbox.push({ id, message, state: "queued" });
    save();
    if (!confirmed) refreshEntry(id);
    flush();
  }

  function resend(id) {
    const item = outbox.find((i) => i.id === id);
    if (!item) return;
    // Moved to the end of the conversation and sent as new, so the order on screen stays true.
    const entry = transcript.find((e) => e.id === id);
    outbox = outbox.filter((i) => i !== item);
    transcript = transcript.filter((e) => e.id !== id);
    const old = ui.log.querySelector(`[data-id="${id}"]`);
    if (old) old.remove();
    send(item.message, entry ? entry.text : item.message);
    ui.input.focus();
  }

  // --- the message box -------------------------------------------------------------------------
  function showError(on) {
    ui.group.classList.toggle("govuk-form-group--error", on);
    ui.input.classList.toggle("govuk-input--error", on);
    ui.error.hidden = !on;
    ui.input.setAttribute("aria-describedby", on ? "message-hint message-error" : "message-hint");
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value.trim().slice(0, MAX_CHARS);
    if (!text) {
      showError(true);
      ui.input.focus();
      return;
    }
    showError(false);
    ui.input.value = "";
    send(text);
  });

  const announcer = $("announcer");
  function announce(text) {
    announcer.textContent = text;
  }

  // --- start again ---------------------------------------------------------------------------
  ui.startAgain.addEventListener("click", () => {
    sessionId = randomId();
    transcript = [];
    outbox = [];
    emergency = false;
    inFlight = null;
    setTyping(false);
    store.set(KEYS.session, sessionId);
    save();
    renderAll();
    // A fresh connection: the old one is still in the old conversation's room.
    socket.disconnect();
    socket.connect();
    announce("New conversation started.");
    ui.input.focus();
  });

  // --- use my location (front counters) --------------------------------------------------------
  // Geolocation needs a secure context (https or localhost); without it the option is not shown.
  if (window.isSecureContext && "geolocation" in navigator) ui.useLocation.hidden = false;

  function closeConsent() {
    ui.consent.hidden = true;
    ui.useLocation.setAttribute("aria-expanded", "false");
  }
  ui.useLocation.addEventListener("click", () => {
    ui.consent.hidden = false;
    ui.useLocation.setAttribute("aria-expanded", "true");
    ui.locationTitle.focus();
  });
  ui.cancelLocation.addEventListener("click", () => {
    closeConsent();
    ui.useLocation.focus();
  });
  ui.shareLocation.addEventListener("click", () => {
    closeConsent();
    announce("Getting your location.");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        // About 100 m is plenty to find the nearest counter, and reveals less.
        const lat = Number(position.coords.latitude.toFixed(3));
        const lon = Number(position.coords.longitude.toFixed(3));
        send(`/share_location${JSON.stringify({ latitude: lat, longitude: lon })}`,
          "My location (shared from this device)");
        ui.input.focus();
      },
      () => {
        add({
          who: "bot",
          text: "Your location was not shared. You can type a postcode, like SE13 6AA, " +
            "or a London area or station instead.",
        });
        ui.input.focus();
      },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 },
    );
  });

  // --- quick exit ----------------------------------------------------------------------------
  function quickExit(event) {
    if (event) event.preventDefault();
    store.clearAll();
    socket.disconnect();
    document.title = "";
    document.body.hidden = true;  // nothing of the chat stays on screen while the next page loads
    if (embedded) {
      // The host page's snippet (embed.js) replaces itself; try directly too.
      try { window.parent.postMessage({ type: "met-chat:quick-exit" }, "*"); } catch (e) { /* */ }
      try { window.top.location.replace(exitUrl); return; } catch (e) { /* cross-origin */ }
    }
    // replace(): the chat leaves no entry in the history, so Back does not return to it.
    window.location.replace(exitUrl);
  }
  ui.exit.addEventListener("click", quickExit);

  let escapes = 0;
  let escapeTimer = null;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.repeat) return;
    escapes += 1;
    clearTimeout(escapeTimer);
    if (escapes >= ESCAPES_TO_EXIT) {
      quickExit(event);
      return;
    }
    const left = ESCAPES_TO_EXIT - escapes;
    announce(`Press Escape ${left} more ${left === 1 ? "time" : "times"} to exit this page.`);
    escapeTimer = setTimeout(() => {
      escapes = 0;
      announce("");
    }, ESCAPE_WINDOW_MS);
  }, true);

  // For tests and the embed snippet: read-only facts about the page's state.
  window.metChat = Object.freeze({
    get sessionId() { return sessionId; },
    get connected() { return confirmed; },
    get pending() { return outbox.length; },
    socket,
  });

  renderAll();
})();
