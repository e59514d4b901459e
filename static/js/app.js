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
