/* La recherche en haut de chaque page : avant les pages que trouve le moteur du thème, les lieux que le texte
   saisi désigne — territoires (des deux phases), régions, départements, intercommunalités et communes (par nom,
   code postal ou code INSEE), chacun menant à sa page, une commune à son territoire (ou disant qu'elle n'est dans
   aucun). Les lieux viennent de l'index de la recherche de commune (assets/communes.json, même site), chargé à la
   première utilisation de la recherche, et de places() de recherche-commune.js (chargé avant ce script).
   Le bloc reprend le balisage des résultats du thème : mêmes styles, mêmes touches (flèches pour passer d'un
   résultat à l'autre, Entrée pour ouvrir le premier). Seul le nombre de lieux est annoncé (région live
   #lieux-etat), comme le fait la recherche de commune. Les données sont écrites avec textContent, jamais en HTML. */
(function () {
  "use strict";

  const finder = window.rechercheCommune;
  const input = document.querySelector("input.md-search__input");
  const result = document.querySelector(".md-search-result");
  const settings = document.getElementById("__config");
  const toggle = document.getElementById("__search"); // checked while the search dialog is open
  if (!finder || !input || !result || !settings || !toggle) return;

  const root = new URL(JSON.parse(settings.textContent).base.replace(/\/?$/, "/"), location.href);
  const source = new URL("assets/communes.json", root);
  const TOP = 1e9; // above any score of the theme: Enter opens the first place (the theme opens the best score)
  let loaded = null;
  let timer = 0;
  let block = null;

  function load() {
    return finder.loadIndex(source).then((index) => (loaded = index)); // shared with the finder of the page
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The block before the theme's results, created at first use: the theme has long mounted its own components
     (it finds its count and its list as the first and last children of .md-search-result). */
  function blockOf() {
    if (!block) {
      block = el("div", "recherche-lieux");
      const status = el("p", "md-search-result__meta recherche-lieux__etat");
      status.id = "lieux-etat";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      const list = el("ol", "md-search-result__list recherche-lieux__liste");
      list.setAttribute("aria-label", "Territoires et lieux");
      block.append(status, list);
      block.hidden = !toggle.checked;
      result.insertBefore(block, result.firstChild);
    }
    return block;
  }

  /* A link as the theme writes its results, an <article> in it; the theme reads the score of a link's first child
     (Enter opens the link of the best score), so the second links of a place have one too. */
  function link(url, score, className, child) {
    const a = el("a", className);
    a.href = new URL(url, root).href;
    a.tabIndex = -1;
    child.dataset.mdScore = String(score);
    a.appendChild(child);
    return a;
  }

  function territoryText(t) {
    return "Territoire d'industrie " + t.phase + " : " + t.name;
  }

  function commune(place) {
    const codes = place.postcodes.length ? " · " + place.postcodes.join(", ") : "";
    const where = "Commune · " + place.dep_name + " (" + place.dep + ")" + codes + " · code INSEE " + place.insee;
    const found = [place.current, place.previous].filter(Boolean);
    return { title: place.name, where, territories: found, none: place.dep_url };
  }

  function epci(place) {
    return { title: place.name, where: "Intercommunalité (EPCI) · siège : " + place.dep_name + " (" + place.dep + ")",
      territories: place.territories, none: place.dep_url };
  }

  /* What a place's line shows: its title, what it is, and where its link leads. */
  function lineOf(place) {
    switch (place.kind) {
      case "territoire":
        return { title: place.name, url: place.url,
          where: "Territoire d'industrie " + place.phase + (place.departements.length ? " · " + place.departements.join(", ") : "") };
      case "region":
        return { title: place.name, url: place.url, where: "Région" };
      case "departement":
        return { title: place.name + " (" + place.code + ")", url: place.url, where: "Département" };
      default: {
        const line = place.kind === "epci" ? epci(place) : commune(place);
        const [first, ...others] = line.territories;
        if (!first) {
          line.url = line.none;
          line.where += " · dans aucun Territoire d'industrie : voir les territoires du département";
        } else {
          line.url = first.url;
          line.where += " · " + territoryText(first);
          line.others = others;
        }
        return line;
      }
    }
  }

  function item(place, score) {
    const line = lineOf(place);
    const li = el("li", "md-search-result__item recherche-lieux__" + place.kind);
    const article = el("article", "md-search-result__article md-typeset");
    article.append(el("div", "md-search-result__icon md-icon"), el("h1", "", line.title), el("p", "", line.where));
    li.appendChild(link(line.url, score, "md-search-result__link", article));
    (line.others || []).forEach((t) => {
      li.appendChild(link(t.url, 0, "recherche-lieux__autre", el("span", "", territoryText(t))));
    });
    return li;
  }

  const NAMES = { territoire: ["territoire", "territoires"], region: ["région", "régions"],
    departement: ["département", "départements"], epci: ["intercommunalité", "intercommunalités"],
    commune: ["commune", "communes"] };

  /* « 2 territoires, 1 intercommunalité, 3 communes » */
  function summary(shown, more) {
    const counts = new Map();
    shown.forEach((place) => counts.set(place.kind, (counts.get(place.kind) || 0) + 1));
    const parts = [...counts].map(([kind, n]) => n + " " + NAMES[kind][n > 1 ? 1 : 0]);
    if (more) return "Les " + shown.length + " premiers lieux : " + parts.join(", ") + ". Précisez votre recherche.";
    return parts.join(", ");
  }

  function show(query, found) {
    const node = blockOf();
    const [status, list] = node.children;
    const code = finder.fold(query).replace(/ /g, "");
    const more = found.length > finder.PLACES && !/^\d{5}$/.test(code);
    const shown = more ? found.slice(0, finder.PLACES) : found;
    list.textContent = "";
    shown.forEach((place, i) => list.appendChild(item(place, TOP - i)));
    status.textContent = summary(shown, more);
    node.dataset.requete = query;
  }

  function run() {
    clearTimeout(timer);
    const query = input.value;
    if (!finder.fold(query)) {
      if (block) show(query, []);
      return;
    }
    if (!loaded) blockOf().firstChild.textContent = "Chargement des territoires et des communes…";
    load().then((index) => {
      if (input.value === query) show(query, finder.places(index, query, finder.PLACES + 1));
    }, () => {
      blockOf().firstChild.textContent = "La liste des territoires et des communes n'a pas pu être chargée. "
        + "Vérifiez la connexion, puis réessayez.";
    });
  }

  /* Out of the accessibility tree while the dialog is closed (only transparent then), as the theme does with its list. */
  toggle.addEventListener("change", () => { if (block) block.hidden = !toggle.checked; });
  input.addEventListener("focus", () => { load(); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 80); });
  if (input.form) input.form.addEventListener("reset", () => { setTimeout(run, 0); });
  window.addEventListener("load", () => { if (input.value) run(); }); // a search opened from an address (?q=)
})();
