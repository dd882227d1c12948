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
      // Who is viewing changes nothing in the queue, the counts or the thread: only the
      // conversation's own viewer box listens (re-fetching everything for it cost every open
      // page a round of requests each time an agent opened a conversation).
      if (event.type === "conversation.viewers") {
        htmx.trigger(body, "beancan:viewers-" + data.conversation_id, data);
        return;
      }
      // A survey answer changes the surveys page's figures and the customer panel of its
      // conversation, not the queue.
      if (event.type === "survey.answered") {
        htmx.trigger(body, "beancan:survey", data);
        htmx.trigger(body, "beancan:conv-" + data.conversation_id, data);
        return;
      }
      htmx.trigger(body, "beancan:changed", data);
      // The queue is re-fetched unless the agent has rows checked for a bulk action.
      if (!document.querySelector("input[name=ids]:checked")) {
        htmx.trigger(body, "beancan:queue", data);
      }
      if (data.conversation_id) {
        htmx.trigger(body, "beancan:conv-" + data.conversation_id, data);
      }
    };
    ["message.created", "message.sent", "message.failed", "conversation.created",
     "conversation.updated", "note.created", "conversation.viewers",
     "message.triaged", "survey.answered"].forEach(function (type) {
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

  // A similar conversation's reply into the composer, filled in as a canned response is.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-use-reply]");
    if (!button) { return; }
    const form = document.querySelector("form.composer");
    if (!form) { return; }
    const area = form.querySelector("textarea[name=text]");
    area.value = button.dataset.useReply
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
    if (form.matches("[data-snooze]")) {
      form.querySelector("[name=tz_offset]").value = new Date().getTimezoneOffset();
    }
    const area = form.querySelector("textarea[name=text][data-limit]");
    if (area && unfilled(area.value).length) {
      event.preventDefault();
      area.focus();
    }
  });

  // Collision detection: tell the server this page is open (and whether the agent is typing);
  // show who else is. Re-sent every 10 s, at once when typing starts or stops, and when others
  // come and go.
  const box = document.getElementById("viewers-box");
  if (box) {
    let typing = false;
    let lastKey = 0;
    const beat = function (leaving) {
      const data = new FormData();
      data.append("typing", typing ? "1" : "0");
      if (leaving) { data.append("leaving", "1"); }
      const token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
      const request = fetch(box.dataset.heartbeat, {
        method: "POST", body: data, headers: { "X-CSRFToken": token }, keepalive: !!leaving,
      });
      if (!leaving) {
        request.then(function (r) { return r.text(); }).then(function (html) {
          box.innerHTML = html;
        }).catch(function () {});
      }
    };
    beat(false);
    setInterval(function () {
      if (typing && Date.now() - lastKey > 8000) { typing = false; }
      beat(false);
    }, 10000);
    document.addEventListener("input", function (event) {
      if (!event.target.closest("#reply-text")) { return; }
      lastKey = Date.now();
      if (!typing) { typing = true; beat(false); }
    });
    body.addEventListener("beancan:viewers-" + box.dataset.conversation, function () {
      beat(false);
    });
    window.addEventListener("pagehide", function () { beat(true); });
  }

  // Deadlines count down in the page; past ones turn red.
  function countdown() {
    document.querySelectorAll("time[datetime].due, time[datetime][data-due]").forEach(function (el) {
      const left = (Date.parse(el.getAttribute("datetime")) - Date.now()) / 60000;
      if (isNaN(left)) { return; }
      const abs = Math.abs(left);
      const text = abs < 60 ? Math.round(abs) + " min" : (abs / 60).toFixed(1) + " h";
      el.textContent = left >= 0 ? "in " + text : text + " late";
      el.classList.toggle("late", left < 0);
    });
  }
  countdown();
  setInterval(countdown, 15000);
  if (sessionStorage.getItem("beancan-search") && document.querySelector("#search")) {
    sessionStorage.removeItem("beancan-search");
    document.querySelector("#search").focus();
  }
  document.body.addEventListener("htmx:afterSwap", countdown);

  // Keyboard shortcuts, ignored while typing.
  let selected = -1;
  function rows() { return Array.from(document.querySelectorAll("tr[data-conversation]")); }
  function select(i) {
    const all = rows();
    if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, n) { r.classList.toggle("selected", n === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
  }
  function click(selector) {
    const el = document.querySelector(selector);
    if (el) { el.click(); }
  }
  function focus(selector) {
    const el = document.querySelector(selector);
    if (el) { el.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, textarea, select")) { return; }
    const page = body.dataset.page;
    const key = event.key;
    if (key === "/") {
      event.preventDefault();
      const search = document.querySelector("#search");
      if (search) { search.focus(); } else { click("[data-back]"); sessionStorage.setItem("beancan-search", "1"); }
      return;
    }
    if (page === "inbox") {
      if (key === "j") { select(selected + 1); }
      else if (key === "k") { select(selected - 1); }
      else if ((key === "o" || key === "Enter") && selected >= 0) {
        const link = rows()[selected].querySelector("a");
        if (link) { link.click(); }
      }
    } else if (page === "conversation") {
      if (key === "r") { event.preventDefault(); focus("#reply-text"); }
      else if (key === "n") { event.preventDefault(); focus("#note-text"); }
      else if (key === "a") { event.preventDefault(); focus("#assign-agent"); }
      else if (key === "e") { click("[data-resolve]"); }
    }
  });
})();
