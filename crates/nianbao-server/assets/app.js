// nianbao: small enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Scroll the first flagged cell into view on the entry page.
  const flagged = document.querySelector("td.cell.error input, td.cell.warning input");
  if (flagged && !location.hash) flagged.scrollIntoView({ block: "center" });
  // Warn before leaving a form with unsaved edits (the entry grid, the report's sections).
  for (const form of [document.getElementById("entry-form"), document.getElementById("narrative-form")]) {
    if (!form) continue;
    let dirty = !!form.querySelector(".problems.unsaved");
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); } });
  }
  // Forms that undo work (deleting a case study) ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
