// Signed out in another tab (or every session ended from Settings → Account): this tab leaves
// the page it shows — the client's address, the invoice's figures — for the sign-in page at
// once, instead of keeping it on screen until its next click is refused. The session token is
// kept in localStorage ("invoice_crm_session"), whose changes other tabs are told of.
(function () {
  if (window.__sessionSync) return;
  window.__sessionSync = true;
  var KEY = "invoice_crm_session";
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY && event.key !== null) return; // null: the whole storage was cleared
    if (event.newValue) return; // signed in (again): nothing to leave
    var path = window.location.pathname;
    if (path.indexOf("/login") === 0 || path.indexOf("/pay/") === 0) return; // public pages
    var next = path + window.location.search;
    window.location.replace("/login/?next=" + encodeURIComponent(next));
  });
})();
