/* Tableaux triables et filtrables, en amélioration progressive : sans JavaScript, le tableau reste complet.
   Les titres de colonne deviennent des boutons (aria-sort indique l'ordre) ; un formulaire [data-filtre-tableau]
   placé avant le tableau filtre ses lignes. Aucune donnée n'est interprétée comme du HTML. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    // A cell may carry its machine value (data-sort: a number, an ISO date) beside the text people read
    // (« 30,3 ha », « 1er avril 2025 »), which would not sort right as text.
    var text = cell ? (cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent).trim() : "";
    var number = text.replace(/[\s\u00a0\u202f€%]/g, "").replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(number) ? parseFloat(number) : text.toLocaleLowerCase("fr");
  }

  function sortBy(table, index, button) {
    var header = button.parentNode;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "fr");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function makeSortable(table) {
    if (!table.tHead || table.dataset.triable) return;
    table.dataset.triable = "oui";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tri";
      button.textContent = th.textContent;
      button.setAttribute("title", "Trier par « " + th.textContent + " »");
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
  }

  function applyFilters(form, table) {
    var controls = form.querySelectorAll("[data-colonne], [data-colonnes]");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var visible = Array.prototype.every.call(controls, function (control) {
        var wanted = control.value.trim().toLocaleLowerCase("fr");
        if (!wanted) return true;
        var columns = (control.dataset.colonnes || control.dataset.colonne).split(" ");
        return columns.some(function (c) {
          var cell = row.cells[parseInt(c, 10)];
          var text = cell ? cell.textContent.toLocaleLowerCase("fr") : "";
          return text.indexOf(wanted) !== -1;
        });
      });
      row.hidden = !visible;
    });
  }

  function setUp() {
    document.querySelectorAll(".tableau-triable table").forEach(makeSortable);
    document.querySelectorAll("form[data-filtre-tableau]").forEach(function (form) {
      var table = form.parentNode.querySelector(".tableau-triable table");
      if (!table) return;
      form.addEventListener("input", function () { applyFilters(form, table); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    });
  }

  if (typeof document$ !== "undefined") { document$.subscribe(setUp); } else { document.addEventListener("DOMContentLoaded", setUp); }
})();
