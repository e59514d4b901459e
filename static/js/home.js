/* Home: `n` claims the next item. Live refresh is plain htmx on #queue-stats (see home.html):
   it polls only while the page is visible and the server stops it (286) after a quiet spell. */
(function () {
  "use strict";
  window.rq.keys.n = function () {
    var form = document.getElementById("claim-next-form");
    if (form) form.requestSubmit();
  };
})();
