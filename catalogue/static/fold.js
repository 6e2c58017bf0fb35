// On a narrow screen the search filters start folded (the page works without this script: the
// filters then follow the results, with a link to them at the top).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 48rem)").matches) return;
  document.querySelectorAll("details.facets-fold[data-fold-on-phone]").forEach(function (d) {
    d.removeAttribute("open");
  });
})();
