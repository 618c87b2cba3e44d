/* Search without a server: an enhancement. Without this script the home page's A-to-Z list is
   the whole way in; with it, the search form appears and queries a small prebuilt JSON index
   (fetched on first use) of every leaflet's title, summary and text. */
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[type=search]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var index = null;
  form.hidden = false;
  /* the page's words, in its language (the template's data-words, from the catalogue):
     "found" has one message per plural category of the language (Intl.PluralRules) */
  var said = JSON.parse(form.getAttribute("data-words") || "{}");
  function found(count) {
    var forms = said.found || {};
    var rule = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
    var text = (rule && forms[rule.select(count)]) || forms.other || "{n} leaflets found";
    return text.replace("{n}", String(count));
  }

  function words(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }
  function load() {
    if (index) { return Promise.resolve(index); }
    return fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (entries) {
        index = entries.map(function (e) {
          return { e: e, title: words(e.title).join(" "), rest: words(e.summary + " " + e.text).join(" ") };
        });
        return index;
      });
  }
  function show(query) {
    var terms = words(query);
    list.textContent = "";
    if (terms.length === 0) { status.textContent = ""; return; }
    load().then(function (entries) {
      var hits = [];
      entries.forEach(function (item) {
        var score = 0;
        for (var i = 0; i < terms.length; i++) {
          var t = terms[i];
          if (item.title.indexOf(t) >= 0) { score += 10; }
          else if (item.rest.indexOf(t) >= 0) { score += 1; }
          else { return; }  /* every word must be found */
        }
        hits.push({ score: score, e: item.e });
      });
      hits.sort(function (a, b) { return b.score - a.score || a.e.title.localeCompare(b.e.title); });
      hits.forEach(function (hit) {
        var li = document.createElement("li");
        li.lang = hit.e.lang;
        var a = document.createElement("a");
        a.href = hit.e.url;
        a.textContent = hit.e.title;
        li.appendChild(a);
        if (hit.e.draft) { li.appendChild(document.createTextNode(" (" + (said.draft || "draft") + ")")); }
        var p = document.createElement("p");
        p.textContent = hit.e.summary;
        li.appendChild(p);
        list.appendChild(li);
      });
      status.textContent = hits.length === 0 ? said.none : found(hits.length);
    }).catch(function () {
      status.textContent = said.unavailable;
    });
  }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); }, 150);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); show(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
})();
