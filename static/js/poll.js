// Progress that updates itself: an element with an id and data-poll="<seconds>" is fetched
// again from the same address (same filters, sort and page) every few seconds and swapped in,
// as long as it is marked data-running (something queued or in progress). The fresh copy
// carries its own mark: once nothing runs, polling stops. No new endpoint: the page itself,
// with the same scoping as any view. Paused while the tab is hidden; gives up after an hour.
// A static file, not an inline script: the page works under the CSP (script-src 'self').
(function () {
  "use strict";
  var GIVE_UP_MS = 60 * 60 * 1000;
  var started = Date.now();
  var timers = {};

  function schedule(block) {
    if (!block.id || !block.hasAttribute("data-running")) { return; }
    if (!window.fetch || !window.DOMParser || timers[block.id]) { return; }
    var seconds = Math.max(parseInt(block.dataset.poll || "5", 10) || 5, 2);
    timers[block.id] = setTimeout(function () { poll(block.id); }, seconds * 1000);
  }

  function poll(id) {
    delete timers[id];
    var block = document.getElementById(id);
    if (!block || Date.now() - started > GIVE_UP_MS) { return; }
    if (document.hidden) {  // resume when the tab is shown again
      document.addEventListener("visibilitychange", function again() {
        if (!document.hidden) { document.removeEventListener("visibilitychange", again); poll(id); }
      });
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(id);
        var current = document.getElementById(id);
        if (!fresh || !current) { return; }
        var node = document.importNode(fresh, true);
        current.replaceWith(node);
        schedule(node);
      })
      .catch(function () {
        var current = document.getElementById(id);
        if (current) { schedule(current); }  // a passing network error: try again later
      });
  }

  document.querySelectorAll("[data-poll]").forEach(schedule);
})();
