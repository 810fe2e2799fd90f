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
  // The entry grid for the keyboard: Enter and ↓ go to the next cell, ↑ to the one before
  // (Enter never submits the table half-typed; after the last cell it goes to 保存); Ctrl+Enter
  // saves; Tab goes cell to cell (history links are skipped).
  const grid = document.getElementById("entry-form");
  if (grid) {
    const cells = () => Array.from(grid.querySelectorAll("td.cell input:not([type=hidden]):not([disabled])"));
    grid.addEventListener("keydown", (event) => {
      const target = event.target;
      if (!(target instanceof HTMLInputElement) || !target.closest("td.cell")) return;
      // Ctrl+Enter (⌘+Enter) saves the table from any cell.
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        grid.requestSubmit();
        return;
      }
      const down = event.key === "Enter" || event.key === "ArrowDown";
      const up = event.key === "ArrowUp";
      if (!down && !up) return;
      event.preventDefault();
      const all = cells();
      const next = all[all.indexOf(target) + (up ? -1 : 1)];
      if (next) { next.focus(); next.select(); }
      else if (!up) document.getElementById("save")?.focus();
    });
  }
  // Forms that undo work (deleting a case study) ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
