/* Queue view: j/k move through the items, o previews the selected one, c claims it, f goes to
   the filters. The list and the preview are server-rendered; these keys only press its links and
   buttons, so everything also works by mouse and Tab. */
(function () {
  "use strict";
  var rq = window.rq;
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-item-row]"));
  var selected = rows.findIndex(function (row) { return row.classList.contains("is-selected"); });

  function select(index) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("is-selected", i === selected); });
    var link = rows[selected].querySelector("[data-preview-link]");
    link.focus({ preventScroll: true });
    rows[selected].scrollIntoView({ block: "nearest" });
  }

  rq.keys.j = function () { select(selected + 1); };
  rq.keys.k = function () { select(selected < 0 ? 0 : selected - 1); };
  rq.keys.o = function () {
    if (selected < 0) { rq.toast("Select an item first (j/k)."); return; }
    rows[selected].querySelector("[data-preview-link]").click();
  };
  rq.keys.c = function () {
    if (selected < 0) { rq.toast("Select an item first (j/k)."); return; }
    var form = rows[selected].querySelector("[data-claim-form]");
    if (!form) { rq.toast("This item cannot be claimed now."); return; }
    form.requestSubmit();
  };
  rq.keys.f = function () {
    var first = document.querySelector("#queue-filters select, #queue-filters input");
    if (first) first.focus();
  };
  rq.keys.n = function () { document.getElementById("claim-next-form").requestSubmit(); };
})();
