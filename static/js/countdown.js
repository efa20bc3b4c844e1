// Countdowns to release instants (materials page): every element with class "countdown" and an
// ISO 8601 instant in data-at shows the time left, ticking each second. A static file, not an
// inline script, so the page works under the Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    document.querySelectorAll(".countdown").forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.at) - Date.now()) / 1000);
      if (left <= 0) { el.textContent = "обновите страницу"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = "осталось " + (d ? d + " дн. " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
