// /graphql/callback: check state, exchange the code, go back to GraphiQL; any failure stays on screen.
"use strict";

(async function () {
  const status = document.getElementById("callback-status");
  try {
    await window.GraphiQLAuth.finish(new URLSearchParams(window.location.search));
    status.textContent = "Signed in. Opening GraphiQL…";
    window.location.replace(window.GraphiQLAuth.config.graphqlUrl);
  } catch (error) {
    status.setAttribute("role", "alert");
    status.className = "error";
    status.textContent = `Sign-in failed. ${error.message}`;
  }
})();
