// supportdesk: live countdowns, keyboard shortcuts, saved replies, and the
// Severity 1 contact field. Plain JS, no build step; every page works without it.
(function () {
  "use strict";

  // -- countdowns: <time data-due="ISO 8601"> -> "due in 1h 12m" / "overdue 5m" --
  var SOON_SECONDS = 2 * 3600;

  function span(seconds) {
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) return days + "d " + hours + "h";
    if (hours) return hours + "h " + minutes + "m";
    return minutes + "m";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var seconds = Math.trunc((due - now) / 1000);
      var text = seconds >= 0 ? "due in " + span(seconds) : "overdue " + span(-seconds);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("overdue", seconds < 0);
      el.classList.toggle("soon", seconds >= 0 && seconds <= SOON_SECONDS);
    });
  }

  // -- keyboard shortcuts --------------------------------------------------------
  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-ticket]"));
  }

  function select(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = current < 0 ? 0 : Math.min(all.length - 1, Math.max(0, current + step));
    all.forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-current"); });
    all[next].classList.add("selected");
    all[next].setAttribute("aria-current", "true");
    all[next].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    var row = document.querySelector("tr[data-ticket].selected");
    var link = row && row.querySelector("a[href]");
    if (link) window.location.href = link.href;
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.focus();
  }

  function toggleHelp() {
    var dialog = document.getElementById("help-overlay");
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    switch (event.key) {
      case "j": select(1); break;
      case "k": select(-1); break;
      case "Enter":
        // Only when nothing else has focus: Enter on a link or button is theirs.
        var focused = document.activeElement;
        if (focused && focused !== document.body && focused.id !== "main") return;
        if (!document.querySelector("tr[data-ticket].selected")) return;
        openSelected();
        break;
      case "/": focusField("search"); break;
      case "r": focusField("reply-body"); break;
      case "n": focusField("note-body"); break;
      case "?": toggleHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  // -- saved replies: insert the chosen one at the cursor of the reply box ----------
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-insert-saved-reply]");
    if (!button) return;
    event.preventDefault();
    var picker = document.getElementById("saved-reply-picker");
    var box = document.getElementById("reply-body");
    if (!picker || !box || !picker.value) return;
    var source = document.getElementById("saved-reply-" + picker.value);
    if (!source) return;
    var text = source.content ? source.content.textContent : source.textContent;
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });

  // -- fields shown for one severity only (the §1.6.1 dedicated contact) ----------
  function syncSeverityFields(root) {
    (root || document).querySelectorAll("[data-show-for-severity]").forEach(function (el) {
      var form = el.closest("form");
      var chosen = form && form.querySelector("input[name=severity]:checked");
      var show = chosen && chosen.value === el.getAttribute("data-show-for-severity");
      el.hidden = !show;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "severity") syncSeverityFields();
  });

  // -- fields shown for some support categories only (§3.2 reproduction steps) -----
  // data-show-for-categories lists the slugs, "-" standing for no category.
  function syncCategoryFields(root) {
    (root || document).querySelectorAll("[data-show-for-categories]").forEach(function (el) {
      var form = el.closest("form");
      var select = form && form.querySelector("select[name=category]");
      var wanted = el.getAttribute("data-show-for-categories").split(" ");
      el.hidden = wanted.indexOf((select && select.value) || "-") < 0;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "category") syncCategoryFields();
  });

  function ready() {
    tick();
    window.setInterval(tick, 1000);
    syncSeverityFields();
    syncCategoryFields();
    document.body.addEventListener("htmx:afterSettle", function (event) {
      tick();
      syncSeverityFields(event.target);
      syncCategoryFields();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
