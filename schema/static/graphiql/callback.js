// /graphql/callback: check state (and iss), exchange the code, go back to GraphiQL; a failure stays on screen.
"use strict";

(async function () {
  const auth = window.GraphiQLAuth;
  const status = document.getElementById("callback-status");
  try {
    await auth.finish(new URLSearchParams(window.location.search));
    status.textContent = "Signed in. Opening GraphiQL…";
    window.location.replace(auth.config.graphqlUrl);
  } catch (error) {
    if (error instanceof auth.Cancelled) {
      // Cancel on the consent page: back to GraphiQL, which says so.
      auth.leaveNotice(error.message);
      window.location.replace(auth.config.graphqlUrl);
      return;
    }
    status.setAttribute("role", "alert");
    status.className = "error";
    status.textContent = `Sign-in failed. ${error.message}`;
  }
})();
