// Light touches only; every page works without JavaScript.
"use strict";

// The scoring form's running total: points × percentage, summed as the reviewer picks.
function updateTotal() {
  const out = document.getElementById("live-total");
  if (!out) return;
  let total = 0;
  for (const select of document.querySelectorAll("select.pct")) {
    if (select.value !== "") total += Number(select.dataset.points) * Number(select.value) / 100;
  }
  out.textContent = total.toFixed(2);
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("select.pct")) updateTotal();
  });
  updateTotal();
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    });
  }
  // Submitting a score sheet locks it: ask once.
  const submit = document.getElementById("submit-sheet");
  if (submit) {
    submit.addEventListener("click", (event) => {
      const message = document.documentElement.lang === "en"
        ? "Submit and lock this score sheet?" : "提交后评分表将锁定，确定提交？";
      if (!window.confirm(message)) event.preventDefault();
    });
  }
});
