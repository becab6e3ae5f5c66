/* Accessibilité du thème (chargé par overrides/main.html, après le thème et les scripts du site).
   Le thème place chaque tableau dans un conteneur à défilement horizontal (div.md-typeset__scrollwrap). Sur un
   écran étroit, un tableau plus large que l'écran ne se lit qu'en faisant défiler ce conteneur : il doit alors
   pouvoir recevoir le focus pour défiler au clavier, et avoir un nom (rôle region). Les conteneurs qui ne
   débordent pas restent hors de l'ordre de tabulation. (axe-core : scrollable-region-focusable ; RGAA 7.3, 12.) */
(function () {
  "use strict";

  function nameOf(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.caption ? table.caption.textContent.trim() : "";
    if (caption) return caption;
    var headers = table && table.tHead ? Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return th.textContent.trim();
    }).filter(Boolean) : [];
    return "Tableau" + (headers.length ? " : " + headers.join(", ") : "");
  }

  function update() {
    var used = {};
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var name = nameOf(wrap);
        used[name] = (used[name] || 0) + 1;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", used[name] > 1 ? name + " (" + used[name] + ")" : name);
        wrap.setAttribute("tabindex", "0");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("tabindex");
      }
    });
  }

  var timer = 0;
  function later() { clearTimeout(timer); timer = setTimeout(update, 100); }

  if (typeof document$ !== "undefined") document$.subscribe(function () { update(); later(); });
  else document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", later);
})();
