/* Ops floor: #ops-floor polls with `hx-trigger="every 10s, rq:resume"` (see ops/floor.html).
   While the tab is hidden each poll is cancelled before it is sent; when the tab is shown again
   one refresh is asked for at once. (No trigger filter: those need eval, which the CSP forbids.) */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (document.hidden && elt && elt.hasAttribute("data-live")) event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) return;
    var live = document.querySelectorAll("[data-live]");
    for (var i = 0; i < live.length; i++) window.htmx.trigger(live[i], "rq:resume");
  });
})();
