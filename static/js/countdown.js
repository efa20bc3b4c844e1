// Countdowns to release instants: every element with class "countdown", an ISO 8601 instant in
// data-at and the server's current instant in data-now shows the time left, ticking each second.
// The time left is counted from the server's clock (data-now plus the time elapsed since the
// element appeared, on the browser's monotonic clock), so a wrong PC clock does not matter.
// At zero the enclosing block (data-refresh-block, with an id) is fetched again from the server
// and swapped in, so what opened appears without a manual refresh; if the server does not show it
// open yet, it tries again a few times, then asks to refresh the page.
// A static file, not an inline script: the page works under the CSP (script-src 'self').
(function () {
  "use strict";
  var MAX_TRIES = 5;

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function serverNow(el) {
    if (!el.dataset.seen) { el.dataset.seen = String(performance.now()); }
    var base = Date.parse(el.dataset.now || "");
    if (isNaN(base)) { return Date.now(); }  // no server instant: the PC clock is all there is
    return base + (performance.now() - parseFloat(el.dataset.seen));
  }

  function refresh(el) {
    var block = el.closest("[data-refresh-block]");
    if (!block || !block.id || !window.fetch || !window.DOMParser) {
      el.textContent = "открывается — обновите страницу";
      return;
    }
    if (block.dataset.refreshing) { return; }
    var tries = parseInt(block.dataset.tries || "0", 10);
    if (tries >= MAX_TRIES) { el.textContent = "обновите страницу"; return; }
    block.dataset.refreshing = "1";
    el.textContent = "открывается…";
    // A short pause past zero, longer on each retry: the server's gate opens at the instant.
    setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(block.id);
          if (!fresh) { throw new Error("block missing"); }
          fresh.dataset.tries = String(tries + 1);
          block.replaceWith(document.importNode(fresh, true));
          tick();
        })
        .catch(function () {
          delete block.dataset.refreshing;
          block.dataset.tries = String(tries + 1);
        });
    }, 1000 + tries * 2000);
  }

  function tick() {
    document.querySelectorAll(".countdown[data-at]").forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.at) - serverNow(el)) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) { refresh(el); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = "осталось " + (d ? d + " дн. " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }

  tick();
  setInterval(tick, 1000);
})();
