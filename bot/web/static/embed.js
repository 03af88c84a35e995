// Puts the Met web chat in a corner of another page:
//   <script src="https://CHAT-HOST/static/embed.js" defer></script>
// A "Contact the Met" button opens the chat (CHAT-HOST/?embed=1) in a frame beside it. The chat's
// Quick exit asks this page to leave too, so nothing of either stays on screen or in history.
"use strict";
(() => {
  const script = document.currentScript;
  if (!script || document.getElementById("met-chat-launcher")) return;
  const origin = new URL(script.src).origin;

  const button = document.createElement("button");
  button.type = "button";
  button.id = "met-chat-launcher";
  button.textContent = "Contact the Met: online chat";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "met-chat-frame");
  Object.assign(button.style, {
    position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000",
    font: "bold 19px/1.3 arial, sans-serif", color: "#ffffff", background: "#1d70b8",
    border: "2px solid transparent", boxShadow: "0 2px 0 #0b0c0c", padding: "0.5rem 0.75rem",
    cursor: "pointer",
  });
  button.addEventListener("focus", () => {
    button.style.outline = "3px solid #ffdd00";
    button.style.outlineOffset = "0";
  });
  button.addEventListener("blur", () => { button.style.outline = "none"; });

  let frame = null;
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "met-chat-frame";
      frame.title = "Contact the Met: online chat";
      frame.src = `${origin}/?embed=1`;
      frame.allow = "geolocation";
      Object.assign(frame.style, {
        position: "fixed", right: "1rem", bottom: "4.5rem", zIndex: "2147483000",
        width: "min(26rem, calc(100vw - 2rem))", height: "min(40rem, calc(100vh - 6rem))",
        border: "2px solid #0b0c0c", background: "#ffffff",
      });
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
    if (!frame.hidden) frame.focus();
  });

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !event.data || event.data.type !== "met-chat:quick-exit") return;
    const exitUrl = script.dataset.exitUrl || "https://www.bbc.co.uk/weather";
    document.body.hidden = true;
    window.location.replace(exitUrl);
  });

  document.body.appendChild(button);
})();
