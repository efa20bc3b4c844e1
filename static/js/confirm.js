// Confirmation of destructive actions: a form, a submit button or a link carrying
// data-confirm="…" asks window.confirm with that text, naming what will happen; declining
// cancels the submission. The server side is unchanged. A static file, not an inline handler,
// so it works under the Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
