/* Le moteur de recherche du site : celui du thème (lunr, dans ce web worker), qui ignore les accents, la casse et
   la ponctuation, et lit « St » comme « Saint ».
   overrides/base.html désigne ce fichier comme worker de recherche, le nom du worker du thème en paramètre
   (?theme=search.<empreinte>.min.js) : ce script l'importe, puis
   - ajoute au pipeline d'indexation une fonction qui plie chaque mot (« Besançon » → « besancon », « Cœur » →
     « coeur », « St » → « saint ») : la position de chaque mot dans le texte ne change pas, si bien que le thème
     surligne toujours le texte d'origine ;
   - plie de même chaque requête avant que le thème ne la lise (son écouteur de messages vient après celui-ci), et en
     retire les mots vides que l'index ne contient pas (« de », « la », « l' »…), que le thème chercherait sinon
     comme préfixes (« de* » trouverait tous les « département »).
   fold est le jumeau de celui de docs/assets/recherche-commune.js et de tidata/finder.py. */
"use strict";

const ABBREVIATIONS = { st: "saint", ste: "sainte", sts: "saints", stes: "saintes" };
const QUERY = 2; // the theme's SearchMessageType.QUERY
const EXACT = 10; // boost of a whole word over the words it starts
const THEME = new URL(self.location.href).searchParams.get("theme") || "";

function fold(text) {
  return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/[^a-z0-9]+/g, " ").trim();
}

function expand(word) {
  return Object.prototype.hasOwnProperty.call(ABBREVIATIONS, word) ? ABBREVIATIONS[word] : word;
}

/* A query as the index holds its words: folded, saints spelled out, without the stop words the index leaves out
   (kept when nothing else is left, so that the theme still says that nothing matches). The theme looks for every
   word as the start of a word (« industrie* » also finds « industriels »); each word is also looked for as a whole
   word, with a boost, so that a page that has the very word comes before a page that only has a longer one. */
function foldQuery(query) {
  const words = fold(query).split(" ").filter(Boolean).map(expand);
  const stop = self.lunr && self.lunr.fr && self.lunr.fr.stopWordFilter;
  const kept = stop ? words.filter((word) => word.length > 1 && stop(word)) : words;
  return (kept.length ? kept : words).map((word) => word + "^" + EXACT + " " + word).join(" ");
}

/* Runs before the theme's own listener, registered by importScripts below: the theme reads the folded query. */
addEventListener("message", (event) => {
  const message = event.data;
  if (message && message.type === QUERY && typeof message.data === "string") message.data = foldQuery(message.data);
});

if (!/^search\.[0-9a-f]+\.min\.js$/.test(THEME)) throw new Error("Worker de recherche du thème inconnu : " + THEME);
importScripts(THEME);

(function (lunr) {
  /* A word of the index, folded; a word that folds to nothing (a lone symbol) is left out. */
  function foldToken(token) {
    const word = expand(fold(token.toString()).replace(/ /g, ""));
    return word ? token.update(() => word) : undefined;
  }
  lunr.Pipeline.registerFunction(foldToken, "plier");

  /* The theme sets up its index in one function (language, tokenizer, pipeline, then ref, fields and documents):
     ref() is called once the pipeline is final, before any document is added. */
  const ref = lunr.Builder.prototype.ref;
  lunr.Builder.prototype.ref = function (name) {
    this.pipeline.add(foldToken);
    return ref.call(this, name);
  };
})(self.lunr);
