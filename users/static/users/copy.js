// Copy buttons for the credentials shown once after registration (no inline script: strict CSP).
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = `${button.textContent.replace("Copy ", "")} copied.`;
  } catch {
    // The clipboard API needs a secure context and permission; leave the text selected to copy by hand.
    input.select();
    status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
  }
});
