// Wide tables scroll inside their own box: every table in <main> is wrapped in a
// div.table-scroll (overflow-x: auto in portal.css), so on a phone the page itself never scrolls
// sideways and the cards keep their width. A box that really scrolls becomes a named, focusable
// region, so keyboard users can scroll it too. Without JavaScript <main> scrolls as a whole.
(function () {
  "use strict";

  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    var node = table.parentElement;
    for (var el = node; el && el.tagName !== "MAIN"; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
      }
    }
    return "Таблица";
  }

  // A simple table (one header row, no merged body cells, at most STACK_COLUMNS columns) that
  // would overflow a narrow screen is shown as stacked «label: value» rows instead (portal.css
  // table.stacked), so a phone sees every column, «Скачать» included, without scrolling.
  var STACK_COLUMNS = 6;
  var narrow = window.matchMedia("(max-width: 800px)");

  function stackable(table) {
    if (!table.tHead || table.tHead.rows.length !== 1) { return false; }
    var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) {
      return c.textContent.trim();
    });
    if (heads.length > STACK_COLUMNS) { return false; }
    var simple = Array.prototype.every.call(table.tBodies, function (body) {
      return Array.prototype.every.call(body.rows, function (row) {
        return row.cells.length === heads.length;
      });
    });
    if (!simple) { return false; }
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          cell.setAttribute("data-label", heads[i]);
        });
      });
    });
    return true;
  }

  function mark(box) {
    var table = box.firstElementChild;
    table.classList.remove("stacked");
    if (narrow.matches && box.scrollWidth > box.clientWidth + 1 && stackable(table)) {
      table.classList.add("stacked");
    }
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", nameOf(box.firstElementChild) + " (прокрутка вбок)");
    } else if (!scrolls && box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function init() {
    var boxes = [];
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.parentElement.closest("table")) { return; }
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      boxes.push(box);
    });
    boxes.forEach(mark);
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.cancelAnimationFrame(pending); }
      pending = window.requestAnimationFrame(function () { boxes.forEach(mark); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
