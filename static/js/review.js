/* Review page: lease countdown, claim selection (j/k) and verdicts (s/d), the evidence (o), tabs
   (1/2/3, t), the guidelines (g), the editor and action keys; `?` lists them (item_detail.html).
   The server is the authority on the lease: when the countdown reaches zero we ask it (a
   heartbeat) instead of deciding here; its answer swaps #lease and, if lost, the banner. */
(function () {
  "use strict";
  var rq = window.rq;
  var expiresAt = null;   // client-clock ms when the lease ends
  var askedAtZero = false;
  var signedOut = false;  // the session ended: nothing re-enables the actions but a reload

  function leaseEl() { return document.getElementById("lease"); }
  function leaseLive() { var el = leaseEl(); return !!el && el.dataset.leaseLive === "true" && expiresAt !== null; }

  function setActions(enabled) {
    document.querySelectorAll("[data-requires-lease]").forEach(function (el) { el.disabled = !enabled; });
    document.querySelectorAll("[data-when-no-lease]").forEach(function (el) { el.hidden = enabled; });
  }

  function syncLease() {
    var el = leaseEl();
    if (!el) return;
    if (signedOut) {
      expiresAt = null;
      setActions(false);
      return;
    }
    if (el.dataset.leaseLive === "true") {
      var skew = Number(el.dataset.serverNowMs) - Date.now();
      expiresAt = Number(el.dataset.expiresMs) - skew;
      askedAtZero = false;
      setActions(true);
    } else {
      expiresAt = null;
      setActions(false);  // the edit box stays editable: nothing typed is lost
    }
    tick();
  }

  function tick() {
    var el = leaseEl();
    if (!el || expiresAt === null) return;
    var left = Math.max(0, expiresAt - Date.now());
    var seconds = Math.ceil(left / 1000);
    var out = el.querySelector("[data-countdown]");
    if (out) out.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    el.classList.toggle("lease-low", seconds <= 30);
    if (left <= 0) {
      setActions(false);
      if (!askedAtZero) {
        askedAtZero = true;
        window.htmx.trigger(el, "rq:beat");
      }
    }
  }
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSettle", syncLease);
  document.body.addEventListener("rq:signed-out", function () {
    // The session ended: the server will refuse every action, so say so and turn them off.
    signedOut = true;
    expiresAt = null;
    setActions(false);
  });

  // --- the SLA chip counts down; past the warning point it warns, past due it says breached ---
  var sla = document.getElementById("sla-chip");
  if (sla) {
    var slaSkew = Number(sla.dataset.serverNowMs) - Date.now();
    var dueAt = Number(sla.dataset.dueMs) - slaSkew;
    var warnAt = Number(sla.dataset.warnMs) - slaSkew;
    var slaText = sla.querySelector("[data-sla-text]");
    var slaIcon = sla.querySelector("[data-sla-icon]");
    var slaTick = function () {
      var now = Date.now();
      var left = Math.max(0, Math.ceil((dueAt - now) / 1000));
      var state = now >= dueAt ? "breached" : now >= warnAt ? "warning" : "ok";
      var text;
      if (state === "breached") {
        text = "SLA breached";
      } else if (left >= 3600) {
        var minutes = Math.floor(left / 60);
        text = "SLA due in " + Math.floor(minutes / 60) + " h " + String(minutes % 60).padStart(2, "0") + " min";
      } else {
        text = "SLA due in " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      }
      slaText.textContent = text;
      slaIcon.textContent = state === "breached" ? "■" : state === "warning" ? "▲" : "";
      ["ok", "warning", "breached"].forEach(function (s) { sla.classList.toggle("sla-" + s, s === state); });
    };
    slaTick();
    setInterval(slaTick, 1000);
  }

  // --- offline: say the lease may lapse; the heartbeat resumes when the connection is back ---
  var offline = document.getElementById("offline-notice");
  var showOffline = function () { if (offline) offline.hidden = navigator.onLine; };
  window.addEventListener("offline", showOffline);
  window.addEventListener("online", function () {
    showOffline();
    var el = leaseEl();
    if (el && el.dataset.leaseLive === "true") window.htmx.trigger(el, "rq:beat");  // ask at once
  });
  showOffline();

  // --- idle tabs do not hold items ---------------------------------------------------------
  // No input for data-idle-ms: ask "still working on this?"; no answer within data-idle-answer-ms:
  // release the item (the release form, as the button would). While asking, and while the tab
  // has been hidden longer than data-hidden-ms, the heartbeat is held back, so the lease lapses.
  var idle = document.getElementById("idle-dialog");
  var asking = false;
  var hiddenSince = null;
  if (idle) {
    var idleMs = Number(idle.dataset.idleMs);
    var answerMs = Number(idle.dataset.idleAnswerMs);
    var hiddenMs = Number(idle.dataset.hiddenMs);
    var lastInput = Date.now();
    var askedAt = 0;
    var idleLeft = idle.querySelector("[data-idle-left]");
    var releaseItem = function () {
      var form = document.getElementById("release-form");
      if (form) form.submit();
    };
    var keep = function () {
      asking = false;
      lastInput = Date.now();
      if (idle.open) idle.close();
      var el = leaseEl();
      if (el && el.dataset.leaseLive === "true") window.htmx.trigger(el, "rq:beat");
    };
    ["keydown", "pointerdown", "pointermove", "wheel", "input", "focus"].forEach(function (type) {
      window.addEventListener(type, function () { if (!asking) lastInput = Date.now(); }, { capture: true, passive: true });
    });
    idle.querySelector("[data-idle-keep]").addEventListener("click", keep);
    idle.querySelector("[data-idle-release]").addEventListener("click", releaseItem);
    idle.addEventListener("cancel", function (event) { event.preventDefault(); keep(); });  // Escape: still here
    setInterval(function () {
      if (!leaseLive() && !asking) return;
      var now = Date.now();
      if (!asking && now - lastInput >= idleMs) {
        asking = true;
        askedAt = now;
        if (!idle.open) idle.showModal();
      }
      if (asking) {
        var left = Math.max(0, Math.ceil((askedAt + answerMs - now) / 1000));
        idleLeft.textContent = left + " s";
        if (now - askedAt >= answerMs) {
          asking = false;
          idle.close();
          releaseItem();
        }
      }
    }, 250);
    document.addEventListener("visibilitychange", function () {
      hiddenSince = document.hidden ? Date.now() : null;
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var el = leaseEl();
      if (!el || event.detail.elt !== el) return;
      var hiddenTooLong = hiddenSince !== null && Date.now() - hiddenSince >= hiddenMs;
      if (asking || hiddenTooLong) event.preventDefault();  // no renewal for an unattended tab
    });
  }

  // --- claims --------------------------------------------------------------------------
  var cards = Array.prototype.slice.call(document.querySelectorAll(".claim-card"));
  var selected = -1;

  function selectClaim(index, scroll) {
    if (!cards.length) return;
    selected = Math.max(0, Math.min(cards.length - 1, index));
    cards.forEach(function (card, i) {
      var on = i === selected;
      card.classList.toggle("is-selected", on);
      card.querySelector(".claim-detail").hidden = !on;
      card.querySelector(".claim-select").setAttribute("aria-expanded", on ? "true" : "false");
    });
    document.querySelectorAll("#draft-text [data-claim]").forEach(function (el) {
      el.classList.toggle("is-selected", Number(el.dataset.claim) === selected);
    });
    showTab("tab-claims");
    if (scroll) cards[selected].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-claim]");
    if (target && (target.classList.contains("claim-select") || target.closest("#draft-text"))) {
      selectClaim(Number(target.dataset.claim), true);
    }
  });

  // --- tabs ----------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(document.querySelectorAll("[role=tab]"));
  function showTab(id) {
    tabs.forEach(function (tab) {
      var on = tab.id === id;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
    });
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { showTab(tab.id); });
    tab.addEventListener("keydown", function (event) {
      var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      var next = tabs[(i + step + tabs.length) % tabs.length];
      showTab(next.id);
      next.focus();
      event.preventDefault();
    });
  });

  // --- editor --------------------------------------------------------------------------
  var editor = document.getElementById("editor");
  var textarea = document.getElementById("final-text");
  function openEditor() {
    editor.hidden = false;
    textarea.focus();
    textarea.scrollIntoView({ block: "nearest" });
  }
  document.querySelectorAll("[data-open-editor]").forEach(function (b) { b.addEventListener("click", openEditor); });
  function closeEditor() {
    // Hiding keeps the text; focus goes back to the button that opened it, so keys work again.
    editor.hidden = true;
    var opener = document.querySelector("[data-open-editor]");
    if (opener && !opener.disabled) opener.focus(); else document.getElementById("main").focus();
  }
  document.querySelectorAll("[data-close-editor]").forEach(function (b) { b.addEventListener("click", closeEditor); });
  if (textarea) {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeEditor(); event.preventDefault(); }
    });
  }

  // --- keys ----------------------------------------------------------------------------
  function needsLease(fn) {
    return function () {
      if (!leaseLive()) { rq.toast("You do not hold a live lease on this item: actions are off."); return; }
      fn();
    };
  }
  rq.keys.j = function () { selectClaim(selected + 1, true); };
  rq.keys.k = function () { selectClaim(selected - 1, true); };
  rq.keys.a = needsLease(function () { rq.openDialog("approve-dialog"); });
  rq.keys.e = needsLease(openEditor);
  rq.keys.x = needsLease(function () { rq.openDialog("escalate-dialog"); });
  rq.keys.u = needsLease(function () { document.getElementById("release-form").requestSubmit(); });
  rq.keys.r = needsLease(function () {
    if (!document.querySelector("[data-open-dialog=reject-dialog]")) {
      rq.toast("A follow-up cannot be rejected: edit the answer, or escalate it.");
      return;
    }
    rq.openDialog("reject-dialog");
  });

  // The reviewer's verdict on the selected claim: the same button a click would press (htmx posts
  // the form with the button's value and swaps the answer in).
  function labelSelected(value) {
    return needsLease(function () {
      if (selected < 0) { rq.toast("This draft has no claims to mark."); return; }
      var button = cards[selected].querySelector("button[name=label][value=" + value + "]");
      if (button && !button.disabled) button.click();
    });
  }
  rq.keys.s = labelSelected("supported");
  rq.keys.d = labelSelected("unsupported");

  // The selected claim's best passage, opened in the list of all passages and focused.
  rq.keys.o = function () {
    if (selected < 0) { rq.toast("This draft has no claims."); return; }
    var best = cards[selected].querySelector("[data-best-passage]");
    var details = best && Array.prototype.find.call(
      document.querySelectorAll("details[data-passage-id]"),
      function (el) { return el.dataset.passageId === best.dataset.bestPassage; }
    );
    if (!details) { rq.toast("No evidence passage for this claim."); return; }
    showTab("tab-claims");
    details.open = true;
    var summary = details.querySelector("summary");
    summary.focus({ preventScroll: true });
    details.scrollIntoView({ block: "nearest" });
  };

  tabs.forEach(function (tab, i) {
    rq.keys[String(i + 1)] = function () { showTab(tab.id); tab.focus({ preventScroll: true }); };
  });
  rq.keys.t = function () {
    var current = tabs.findIndex(function (tab) { return tab.getAttribute("aria-selected") === "true"; });
    var next = tabs[(current + 1) % tabs.length];
    showTab(next.id);
    next.focus({ preventScroll: true });
  };

  rq.keys.g = function () {
    var guidelines = document.getElementById("guidelines");
    if (!guidelines) { rq.toast("This queue has no guidelines."); return; }
    guidelines.open = !guidelines.open;
    if (guidelines.open) guidelines.scrollIntoView({ block: "nearest" });
  };

  rq.keys.c = function () {
    var form = document.getElementById("claim-this-form");
    if (!form) {
      rq.toast(leaseLive() ? "You hold this item already." : "This item cannot be claimed now.");
      return;
    }
    form.requestSubmit();
  };
  rq.keys.n = function () {
    if (leaseLive()) { rq.toast("Finish or release this item first (u)."); return; }
    document.getElementById("claim-next-form").requestSubmit();
  };

  // --- start -----------------------------------------------------------------------------
  var firstDoubt = cards.findIndex(function (card) {
    return card.querySelector(".verdict-badge.v-refuted, .verdict-badge.v-insufficient");
  });
  if (cards.length) selectClaim(firstDoubt >= 0 ? firstDoubt : 0, false);
  syncLease();
  var reopen = document.querySelector("dialog[data-open-on-load]");
  if (reopen) rq.openDialog(reopen.id);
})();
