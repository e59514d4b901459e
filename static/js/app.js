/* Shared by every page: the key dispatcher, dialogs, the shortcuts list, copy buttons, a toast.
   Pages register their keys in rq.keys (see home.js, review.js). */
(function () {
  "use strict";

  function isTyping(target) {
    return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  var toastTimer = null;
  var rq = {
    keys: {},
    openDialog: function (id) {
      var dialog = document.getElementById(id);
      if (!dialog || dialog.open) return dialog;
      var back = document.activeElement;
      dialog.addEventListener("close", function () {
        // Chrome only moves focus out of a closed dialog at its next rendering step; until then
        // a key press would still land in the dialog's (now hidden) field and be ignored.
        var active = document.activeElement;
        if (active === document.body || dialog.contains(active)) {
          var target = back && back !== document.body && document.contains(back) && !back.disabled
            ? back : document.getElementById("main");
          target.focus({ preventScroll: true });
        }
      }, { once: true });
      dialog.showModal();
      return dialog;
    },
    toast: function (message) {
      var el = document.getElementById("rq-toast");
      if (!el) {
        el = document.createElement("div");
        el.id = "rq-toast";
        el.className = "toast";
        el.setAttribute("role", "status");
        document.body.appendChild(el);
      }
      el.textContent = message;  // textContent: never markup
      el.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { el.hidden = true; }, 3500);
    },
    copy: function (text) {
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text).then(function () { rq.toast("Copied to the clipboard."); });
      }
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
      rq.toast("Copied to the clipboard.");
      return Promise.resolve();
    },
  };
  window.rq = rq;

  // htmx trigger filters ("visibilitychange[!document.hidden]") are evaluated with eval, which the
  // Content-Security-Policy forbids; the same conditions are plain listeners here instead.
  // `rq:visible` fires on the document when the page comes back into view.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) document.dispatchEvent(new CustomEvent("rq:visible"));
  });
  // Polls marked data-poll-only-visible skip their request while the page is hidden.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (document.hidden && elt && elt.hasAttribute && elt.hasAttribute("data-poll-only-visible")) {
      event.preventDefault();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (event.key === "?") {
      event.preventDefault();
      rq.openDialog("shortcuts-dialog");
      return;
    }
    if (document.querySelector("dialog[open]")) return;  // a dialog has the keyboard
    var handler = rq.keys[event.key];
    if (handler) {
      event.preventDefault();
      handler(event);
    }
  });

  // Fragments answer errors with a message to swap in (see the htmx-config meta tag). A whole
  // HTML document answering an htmx request is something else — Django's CSRF failure page when
  // the page's token went stale, a 404/500 page — and must not be swapped into a fragment.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400 || !/<html[\s>]/i.test(xhr.responseText || "")) return;
    event.detail.shouldSwap = false;
    var banner = document.getElementById("session-banner");
    if (banner) {
      banner.innerHTML = "";
      var alert = document.createElement("div");
      alert.className = "alert alert-error";
      alert.setAttribute("role", "alert");
      alert.textContent = xhr.status === 403
        ? "The server refused this request: this page's security token is no longer valid (did you sign in again elsewhere?). Copy anything you typed, then reload the page."
        : "The server could not answer (HTTP " + xhr.status + "). Copy anything you typed, then reload the page.";
      banner.appendChild(alert);
    }
    if (xhr.status < 500) document.body.dispatchEvent(new CustomEvent("rq:signed-out"));
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener && !opener.disabled) rq.openDialog(opener.getAttribute("data-open-dialog"));
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
    var copier = event.target.closest("[data-copy]");
    if (copier) {
      var source = document.querySelector(copier.getAttribute("data-copy"));
      if (source) rq.copy(source.value);
    }
  });
})();
