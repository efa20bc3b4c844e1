// The cabinet menu on narrow screens: a «Меню» button shows and hides the sidebar
// links. Loaded synchronously in <head> so <html class="js"> is set before the first paint and
// the menu starts collapsed without a flash; without JavaScript the class is never set and the
// menu simply stays open (portal.css collapses it only under html.js).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function init() {
    var button = document.querySelector(".menu-button");
    if (!button) { return; }
    var header = button.closest(".topbar");
    function setOpen(open) {
      header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(!header.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
