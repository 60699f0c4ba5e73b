// Running totals on the self-assessment form while typing. The page works without it: the server
// computes the same totals each time the form is saved.
(function () {
  "use strict";
  function value(input) {
    var n = parseFloat((input.value || "").replace(",", "."));
    return isNaN(n) ? 0 : n;
  }
  function fmt(n) {
    return (Math.round(n * 100) / 100).toString().replace(".", ",");
  }
  function refresh(form) {
    var sums = {};
    var total = 0;
    form.querySelectorAll("input[data-points]").forEach(function (input) {
      var area = input.getAttribute("data-area");
      sums[area] = (sums[area] || 0) + value(input);
      total += value(input);
    });
    // Inapplicable items have no input: their area cell keeps the server's figure for them (0).
    document.querySelectorAll("[data-area-total]").forEach(function (cell) {
      var strong = cell.querySelector("strong");
      var area = cell.getAttribute("data-area-total");
      if (strong && area in sums) strong.textContent = fmt(sums[area]);
    });
    var grand = document.querySelector("#self-total strong");
    if (grand) grand.textContent = fmt(total);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-running-totals]");
    if (!form) return;
    form.addEventListener("input", function () { refresh(form); });
  });
})();
