// beancan inbox: live updates over server-sent events, and the composer's checks.
(function () {
  "use strict";
  const body = document.body;
  const ws = body.dataset.workspace;
  if (ws && window.EventSource) {
    const source = new EventSource("/realtime/" + encodeURIComponent(ws) + "/events");
    const relay = function (event) {
      let data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      htmx.trigger(body, "beancan:changed", data);
      if (data.conversation_id) {
        htmx.trigger(body, "beancan:conv-" + data.conversation_id, data);
      }
    };
    ["message.created", "message.sent", "message.failed", "conversation.created",
     "conversation.updated", "note.created"].forEach(function (type) {
      source.addEventListener(type, relay);
    });
    source.onopen = function () { body.dataset.live = "1"; };
  }

  function unfilled(text) {
    return (text.match(/\{[a-z_]+\}/g) || []);
  }

  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-canned]");
    if (!select || !select.value) { return; }
    const form = select.closest("form");
    const area = form.querySelector("textarea[name=text]");
    const option = select.selectedOptions[0];
    area.value = option.dataset.text
      .replaceAll("{first_name}", form.dataset.firstName || "{first_name}")
      .replaceAll("{agent_name}", form.dataset.agentName || "{agent_name}");
    area.dispatchEvent(new Event("input"));
    area.focus();
  });

  document.addEventListener("input", function (event) {
    const area = event.target.closest("textarea[name=text][data-limit]");
    if (!area) { return; }
    const counter = area.form.querySelector("[data-counter]");
    const limit = parseInt(area.dataset.limit, 10);
    if (counter && limit) {
      counter.textContent = area.value.length + " / " + limit;
      counter.classList.toggle("error", area.value.length > limit);
    }
    const missing = unfilled(area.value);
    const warn = area.form.querySelector("[data-unfilled]");
    if (warn) {
      warn.textContent = missing.length ? "Fill in " + missing.join(", ") + " before sending." : "";
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const area = form.querySelector("textarea[name=text][data-limit]");
    if (area && unfilled(area.value).length) {
      event.preventDefault();
      area.focus();
    }
  });
})();
