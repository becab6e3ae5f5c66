/* Recherche de commune, en amélioration progressive : dans quel Territoire d'industrie est ma commune ?
   Enhances <div class="recherche-commune" data-index="…/communes.json" data-racine="../"> (markup: FINDER_HTML in
   tidata/finder.py). The index is fetched on first use, from the same site; results are plain links reachable
   with Tab, and only their count is announced (live region #commune-etat). Data is always set with textContent,
   never parsed as HTML. fold and search are the twins of tidata/finder.py: tests compare them under node. */
(function () {
  "use strict";

  const ABBREVIATIONS = new Map([["st", "saint"], ["ste", "sainte"], ["sts", "saints"], ["stes", "saintes"]]);
  const CODE = /^(?:\d{1,5}|2[ab]\d{0,3})$/;
  const NAME_AND_CODE = /^(.*[a-z].*) (\d{2,5}|2[ab]\d{0,3})$/;
  const SIREN = /^\d{9}$/;
  const KINDS = ["territoire", "region", "departement", "epci", "commune"];
  const LIMIT = 10;
  const PLACES = 8; // places shown for a name; every commune of a postcode is shown
  const foldedNames = new WeakMap(); // rows of an index → their folded names, computed once per loaded index
  const codedRows = new WeakMap(); // index → its régions and départements as rows [code, name, url]

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function expand(folded) {
    return folded.split(" ").map((word) => ABBREVIATIONS.get(word) || word).join(" ");
  }

  function departmentOf(insee) {
    const head = insee.slice(0, 2);
    return head === "97" || head === "98" ? insee.slice(0, 3) : head;
  }

  function namesOf(rows) {
    let names = foldedNames.get(rows);
    if (!names) {
      names = rows.map((row) => expand(fold(row[1])));
      foldedNames.set(rows, names);
    }
    return names;
  }

  function exactCode(query) {
    const code = fold(query).replace(/ /g, "");
    return CODE.test(code) && code.length === 5;
  }

  /* The code starts the commune's INSEE code or one of its postcodes. */
  function hasCode(commune, code) {
    return commune[0].toLowerCase().startsWith(code) || commune[2].split(" ").some((p) => p.startsWith(code));
  }

  function codeMatches(communes, code, limit) {
    const found = [];
    if (code.length === 5) {
      communes.forEach((c, i) => { if (c[2].split(" ").includes(code)) found.push(i); });
      communes.forEach((c, i) => { if (c[0].toLowerCase() === code && !found.includes(i)) found.push(i); });
      return found;
    }
    for (let i = 0; i < communes.length && found.length < limit; i++) {
      if (hasCode(communes[i], code)) found.push(i);
    }
    return found;
  }

  function rank(name, query) {
    if (name === query) return 0;
    if (name.startsWith(query)) return 1;
    return name.includes(" " + query) ? 2 : 3;
  }

  /* [rank, row index] of the rows whose name (second column) matches the folded query, as typed or with its saints
     spelled out. */
  function nameRanks(rows, folded) {
    const variants = [...new Set([folded, expand(folded)])];
    const ranked = [];
    namesOf(rows).forEach((name, i) => {
      const best = Math.min(...variants.map((variant) => rank(name, variant)));
      if (best < 3) ranked.push([best, i]);
    });
    return ranked;
  }

  function byRank(a, b) {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
  }

  function territory(index, position) {
    if (position < 0) return null;
    const [id, name, phase, url] = index.territories[position];
    return { id, name, phase, url };
  }

  function pageOf(pages, code) {
    return Object.prototype.hasOwnProperty.call(pages, code) ? pages[code] : ["", ""];
  }

  function result(index, commune) {
    const [insee, name, postcodes, current, previous] = commune;
    const dep = departmentOf(insee);
    const [depName, depUrl] = pageOf(index.departements, dep);
    const found = {
      insee, name, dep, dep_name: depName, dep_url: depUrl,
      postcodes: postcodes ? postcodes.split(" ") : [],
      current: territory(index, current), previous: territory(index, previous),
    };
    found.change = changeOf(found, index.phases);
    return found;
  }

  /* The communes a query finds, best first: the same list as tidata.finder.search. */
  function search(index, query, limit = LIMIT) {
    const folded = fold(query);
    const code = folded.replace(/ /g, "");
    const refined = folded.match(NAME_AND_CODE);
    let positions = [];
    if (CODE.test(code)) {
      positions = codeMatches(index.communes, code, limit);
    } else if (refined) {
      positions = nameRanks(index.communes, refined[1]).filter(([, i]) => hasCode(index.communes[i], refined[2]))
        .sort(byRank).slice(0, limit).map((pair) => pair[1]);
    } else if (folded) {
      positions = nameRanks(index.communes, folded).sort(byRank).slice(0, limit).map((pair) => pair[1]);
    }
    return positions.map((i) => result(index, index.communes[i]));
  }

  /* ---- Places of the search box: the same list as tidata.finder.places ---- */

  function coded(pages) {
    return Object.keys(pages).sort().map((code) => [code, ...pages[code]]);
  }

  function codedOf(index) {
    let rows = codedRows.get(index);
    if (!rows) {
      rows = { region: coded(index.regions), departement: coded(index.departements) };
      codedRows.set(index, rows);
    }
    return rows;
  }

  /* Each kind of place and its rows, the name of each in its second column. */
  function namedRows(index) {
    const rows = codedOf(index);
    return [["territoire", index.territories], ["region", rows.region], ["departement", rows.departement],
      ["epci", index.epci], ["commune", index.communes]];
  }

  /* Territories first, those of the current phase before the others; then régions, départements, EPCI, communes. */
  function order(index, kind, row) {
    if (kind === "territoire") return row[2] === index.phases[0] ? 0 : 1;
    return KINDS.indexOf(kind) + 1;
  }

  function departement(index, code) {
    const [name, url] = index.departements[code];
    return { kind: "departement", code, name, url };
  }

  function epci(index, i) {
    const [siren, name, dep, positions] = index.epci[i];
    const [depName, depUrl] = pageOf(index.departements, dep);
    return { kind: "epci", siren, name, dep, dep_name: depName, dep_url: depUrl,
      territories: positions.map((position) => territory(index, position)) };
  }

  function place(index, kind, i) {
    if (kind === "territoire") {
      const [id, name, phase, url, codes] = index.territories[i];
      const departements = codes.split(" ").filter((code) => Object.prototype.hasOwnProperty.call(index.departements, code))
        .map((code) => index.departements[code][0]);
      return { kind, id, name, phase, url, departements };
    }
    if (kind === "region") {
      const [code, name, url] = codedOf(index).region[i];
      return { kind, code, name, url };
    }
    if (kind === "departement") return departement(index, codedOf(index).departement[i][0]);
    if (kind === "epci") return epci(index, i);
    return { kind, ...result(index, index.communes[i]) };
  }

  function places(index, query, limit = PLACES) {
    const folded = fold(query);
    const code = folded.replace(/ /g, "");
    if (!folded) return [];
    if (CODE.test(code)) {
      const dep = code.toUpperCase();
      const found = Object.prototype.hasOwnProperty.call(index.departements, dep) ? [departement(index, dep)] : [];
      return found.concat(search(index, query, limit).map((commune) => ({ kind: "commune", ...commune })));
    }
    if (SIREN.test(code)) {
      const found = [];
      index.epci.forEach((row, i) => { if (row[0] === code) found.push(epci(index, i)); });
      return found;
    }
    const candidates = [];
    for (const [kind, rows] of namedRows(index)) {
      for (const [r, i] of nameRanks(rows, folded)) candidates.push([r > 0 ? 1 : 0, order(index, kind, rows[i]), r, i, kind]);
    }
    const refined = folded.match(NAME_AND_CODE);
    if (refined) { // « beaumont 63 »: the communes of that name there, as if their name were exact
      for (const [r, i] of nameRanks(index.communes, refined[1])) {
        if (hasCode(index.communes[i], refined[2])) candidates.push([0, order(index, "commune"), r, i, "commune"]);
      }
    }
    return candidates.sort(byRank).slice(0, limit).map(([, , , i, kind]) => place(index, kind, i));
  }

  /* ---- Page ---- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* "Territoire d'industrie 2023-2027 : <a>name</a>", the link relative to the page through data-racine. */
  function line(t, racine) {
    const p = el("p", "recherche-commune__territoire", "Territoire d'industrie " + t.phase + " : ");
    const target = el(t.url ? "a" : "span", "", t.name);
    if (t.url) target.href = racine + t.url;
    p.appendChild(target);
    return p;
  }

  function item(commune, phases, racine) {
    const li = el("li", "recherche-commune__resultat");
    const title = el("p", "recherche-commune__commune");
    const codes = (commune.postcodes.length > 1 ? "codes postaux " : "code postal ") + commune.postcodes.join(", ");
    title.appendChild(el("strong", "", commune.name));
    title.appendChild(document.createTextNode(
      " — " + commune.dep_name + " (" + commune.dep + ") · " + codes + " · code INSEE " + commune.insee));
    li.appendChild(title);
    const none = "Cette commune n'est dans aucun Territoire d'industrie" + (commune.previous ? " pour " + phases[0] : "");
    li.appendChild(commune.current ? line(commune.current, racine) : el("p", "recherche-commune__aucun", none + "."));
    if (commune.previous) li.appendChild(line(commune.previous, racine));
    if (commune.change) li.appendChild(el("p", "recherche-commune__changement", commune.change));
    return li;
  }

  /* What changed for the commune between the two phases, in words: the same rule as tidata.finder.change_of. */
  function changeOf(commune, phases) {
    const year = phases[0].slice(0, 4);
    if (commune.current && !commune.previous) return "Entrée dans le programme en " + year + ".";
    if (commune.previous && !commune.current) return "Sortie du programme en " + year + ".";
    return "";
  }

  function summary(count, truncated, query) {
    if (!count) {
      return "Aucune commune trouvée pour « " + query.trim() + " ». Vérifiez l'orthographe ou essayez le code postal.";
    }
    if (truncated) {
      return "Plus de " + LIMIT + " communes trouvées : voici les " + LIMIT + " premières. Précisez votre recherche.";
    }
    return count === 1 ? "1 commune trouvée" : count + " communes trouvées";
  }

  /* Only the count is announced: a live list would be read out in full at every keystroke. */
  function statusOf(root, results) {
    let status = root.querySelector("#commune-etat");
    if (!status) {
      status = el("p", "recherche-commune__etat");
      status.id = "commune-etat";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      results.parentNode.insertBefore(status, results);
    }
    results.removeAttribute("role");
    results.removeAttribute("aria-live");
    return status;
  }

  /* The index, fetched once per page and address by whichever asks first (this finder, the site's search: see
     recherche-site.js); a failed fetch is forgotten, so that a later attempt may succeed. */
  const indexes = new Map();
  function loadIndex(source) {
    const address = new URL(source, location.href).href;
    if (!indexes.has(address)) {
      const loading = fetch(address, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      loading.catch(() => { indexes.delete(address); });
      indexes.set(address, loading);
    }
    return indexes.get(address);
  }

  function setup(root) {
    const form = root.querySelector("form");
    const input = root.querySelector("#commune-saisie");
    const results = root.querySelector("#commune-resultats");
    if (!form || !input || !results || root.dataset.pret) return;
    root.dataset.pret = "oui";
    const status = statusOf(root, results);
    const racine = root.dataset.racine || "";
    const source = root.dataset.index || racine + "assets/communes.json";
    let loaded = null;
    let timer = 0;

    function load() {
      return loadIndex(source).then((index) => (loaded = index));
    }

    function show(query, found) {
      results.textContent = "";
      const truncated = found.length > LIMIT && !exactCode(query);
      const shown = truncated ? found.slice(0, LIMIT) : found;
      status.textContent = summary(shown.length, truncated, query);
      if (!shown.length) return;
      const list = el("ul", "recherche-commune__liste");
      shown.forEach((commune) => list.appendChild(item(commune, loaded.phases, racine)));
      results.appendChild(list);
    }

    function run() {
      clearTimeout(timer);
      const query = input.value;
      if (!fold(query)) {
        results.textContent = "";
        status.textContent = "";
        return;
      }
      if (!loaded) status.textContent = "Chargement de la liste des communes…";
      load().then((index) => {
        if (input.value === query) show(query, search(index, query, LIMIT + 1));
      }, () => {
        status.textContent = "La liste des communes n'a pas pu être chargée. Vérifiez la connexion, puis réessayez.";
      });
    }

    input.addEventListener("focus", () => { load(); });
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 120); });
    form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        run();
      }
    });
  }

  if (typeof document !== "undefined") {
    window.rechercheCommune = { fold, search, places, PLACES, loadIndex };
    const init = () => document.querySelectorAll(".recherche-commune").forEach(setup);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }
  if (typeof module !== "undefined" && module.exports) module.exports = { fold, expand, search, places };
})();
