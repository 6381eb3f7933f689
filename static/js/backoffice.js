// The back office on top of htmx: its settings, what happens around a swap, and the queue's keys.
// Every page works without this file: forms post and links load whole pages.
(function () {
  "use strict";

  if (window.htmx) {
    var config = window.htmx.config;
    // Pages carry citizens' data: htmx keeps no copy of them in the browser's storage for the back button;
    // going back loads the page from the server again.
    config.historyCacheSize = 0;
    config.refreshOnHistoryMiss = true;
    config.allowEval = false;
    config.includeIndicatorStyles = false;
    // A refused action (422) or a stale form (409) comes back as the panel to show: swap it like a 200.
    config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  // An answer from somewhere else (the login page after the session ended): show that page whole.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var asked = event.detail.requestConfig && event.detail.requestConfig.path;
    if (!xhr || !xhr.responseURL || !asked) return;
    var answered = new URL(xhr.responseURL);
    if (answered.pathname !== new URL(asked, window.location.href).pathname) {
      event.detail.shouldSwap = false;
      window.location.assign(answered.href);
    }
  });

  // A failure htmx does not swap (a stale form token, a server error): say so instead of doing nothing.
  function showFailure(text) {
    var main = document.querySelector("main");
    if (!main) return;
    var box = document.getElementById("request-failed");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-failed";
      box.className = "flash error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    showFailure("Permintaan tidak berhasil (kode " + event.detail.xhr.status + "). Muat ulang halaman, lalu coba lagi.");
  });
  document.addEventListener("htmx:sendError", function () {
    showFailure("Server tidak dapat dihubungi. Periksa jaringan, lalu coba lagi.");
  });

  // After an action the panel is new: put the keyboard on the field a refusal names (its error is read with
  // it), else on the outcome; and show the first error beside its field.
  document.addEventListener("htmx:afterSettle", function (event) {
    var side = document.getElementById("ticket-side");
    if (!side || !event.detail.target || event.detail.target.id !== "ticket-side") return;
    var invalid = side.querySelector("[aria-invalid=true]");
    var notice = document.getElementById("action-notice");
    if (invalid) {
      invalid.focus();
    } else if (notice) {
      notice.focus();
    }
    var error = side.querySelector(".field-error");
    if (error) error.scrollIntoView({ block: "center" });
  });

  // The queue's keys: j / k move between rows, Enter opens the row's ticket, / goes to the search box,
  // ? shows the list of keys. Not while typing in a field.
  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.ticket-row"));
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    list[next].tabIndex = -1; // focusable by script, not a stop for Tab
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.querySelector("#queue-results")) return;
    var help = document.getElementById("keyboard-help");
    if (help && help.open) return; // the dialog handles its own keys (Esc closes it)
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "j") {
      move(1);
    } else if (event.key === "k") {
      move(-1);
    } else if (event.key === "Enter" && event.target.classList && event.target.classList.contains("ticket-row")) {
      var link = event.target.querySelector("a[href]");
      if (link) window.location.assign(link.href);
    } else if (event.key === "/") {
      var search = document.getElementById("q");
      if (search) search.focus();
    } else if (event.key === "?") {
      if (help && help.showModal) help.showModal();
    } else {
      return;
    }
    event.preventDefault();
  });

  // A "select all" box (data-select-all="<field name>") ticks or clears every box of that name in its form.
  // Here and not in the page: the Content-Security-Policy runs no inline script.
  document.addEventListener("change", function (event) {
    var all = event.target;
    var name = all && all.getAttribute && all.getAttribute("data-select-all");
    if (!name || !all.form) return;
    Array.prototype.forEach.call(all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (box) {
      if (!box.disabled) box.checked = all.checked;
    });
  });
})();
