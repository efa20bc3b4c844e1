// The marking screen's keyboard: a digit selects that score, X (Latin or Cyrillic) selects «X»,
// Enter saves and goes to the next work. Typing in the comment box is left alone (Enter there
// submits the form as usual).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("mk-form");
    if (!form) { return; }
    var first = form.querySelector("input[name=score]:checked") || form.querySelector("input[name=score]");
    if (first) { first.focus(); }
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text"));
      if (typing || event.ctrlKey || event.altKey || event.metaKey) { return; }
      var key = event.key;
      var value = null;
      if (/^[0-9]$/.test(key)) { value = key; }
      else if (key === "x" || key === "X" || key === "х" || key === "Х") { value = "X"; }
      if (value !== null) {
        var radio = form.querySelector("input[name=score][value='" + value + "']");
        if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); }
        return;
      }
      if (key === "Enter" && form.querySelector("input[name=score]:checked")) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  });
})();
