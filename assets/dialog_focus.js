// Most of the app's dialogs are opened by the server's state, not by a Radix trigger, and Radix
// gives focus back only to its own trigger: when such a dialog closed (Cancel, Escape, a click
// outside, a confirm), focus fell to <body>, and a keyboard or screen-reader user started again
// from the top of the page. This remembers the element that had focus before a dialog took it
// and, when a dialog has closed and left focus nowhere, gives it back (or, if that element was
// drawn again meanwhile, the one with its id). Focus the app itself moves after a dialog (the
// first refused field, a new line) is left where it is.
(function () {
  if (window.__dialogFocus) return;
  window.__dialogFocus = true;
  var DIALOG = '[role="dialog"],[role="alertdialog"]';
  var opener = null;
  var openerId = "";

  function inDialog(element) {
    return !!(element && element.closest && element.closest(DIALOG));
  }

  function giveBack() {
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    if (document.querySelector(DIALOG)) return; // another dialog is open: it holds focus
    var element = opener && opener.isConnected ? opener : openerId ? document.getElementById(openerId) : null;
    if (element && !element.disabled && element.getClientRects().length) element.focus({ preventScroll: true });
  }

  // A closing dialog's overlay leaves <body> (Radix portals it there; its content goes first).
  // The body is watched while a dialog has focus: React may have drawn the document's body
  // anew since the page loaded, and watching only then costs nothing while no dialog is open.
  // A question asked from inside a dialog ("A similar client exists" over Edit client) opens a
  // second dialog: when it closes, focus goes back to the control of the first one it was asked
  // from, not to <body> behind a dialog that is still open.
  var last = null;
  var askedFrom = null;

  function backIntoDialog() {
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    if (askedFrom && askedFrom.isConnected && !askedFrom.disabled && inDialog(askedFrom)) {
      askedFrom.focus({ preventScroll: true });
    }
  }

  var watcher = new MutationObserver(function () {
    if (document.querySelector(DIALOG)) {
      setTimeout(backIntoDialog, 0);
      return;
    }
    watcher.disconnect();
    setTimeout(giveBack, 0);
  });

  document.addEventListener(
    "focusin",
    function (event) {
      var target = event.target;
      if (!target || target === document.body || target.hasAttribute("data-radix-focus-guard")) return;
      if (inDialog(target)) {
        var dialog = target.closest(DIALOG);
        if (last && last.isConnected && inDialog(last) && last.closest(DIALOG) !== dialog) askedFrom = last;
        last = target;
        watcher.observe(document.body, { childList: true });
        return;
      }
      last = target;
      opener = target;
      openerId = target.id || "";
    },
    true
  );
})();
