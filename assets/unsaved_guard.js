// Asks before leaving the invoice editor or the recurring profile form with unsaved changes:
// in-app links (the navigation, "Cancel", Sign out) and the browser's Back get a confirm(),
// closing or reloading the tab the browser's own prompt. The editor marks its form with
// data-unsaved-changes="true|false" from EditorState.unsaved; typing counts at once, before its
// debounced update reaches the server. The recurring form is not controlled (the server sees it
// only on Save): marked data-unsaved-on-input, any typing or choice in it counts until the form
// is drawn afresh (saved) or left. data-unsaved-message names what would be lost.
//
// Back cannot be cancelled once it has happened, so while there are unsaved changes the
// editor's history entry has a copy on top of it (same URL and React Router state, marked
// as ours): Back then only steps from the copy to the entry under it, which this script
// answers before React Router sees it. Saying no puts the copy back; yes goes back once more,
// for real. Back onto the entry under a copy with nothing unsaved (after a save, or after
// leaving by a link) skips it too, so the copy never costs an extra press.
(function () {
  if (window.__unsavedGuard) return;
  window.__unsavedGuard = true;
  var MESSAGE = "You have unsaved changes on this invoice. Leave without saving?";
  var lastTyped = 0;
  var typedIn = null; // the editor form typed into: a form shown afresh (after a save) starts clean

  // A page may mark several forms (Settings: each section, and the tabs around them, which the
  // server marks while something typed in a tab not shown is unsaved).
  function form() {
    return document.querySelector("[data-unsaved-changes]");
  }
  function typedStill() {
    return !!typedIn && document.contains(typedIn) &&
      (typedIn.hasAttribute("data-unsaved-on-input") || Date.now() - lastTyped < 1500);
  }
  function unsaved() {
    return !!document.querySelector('[data-unsaved-changes="true"]') || typedStill();
  }
  function message() {
    var el = typedStill() ? typedIn : document.querySelector('[data-unsaved-changes="true"]') || form();
    return (el && el.getAttribute("data-unsaved-message")) || MESSAGE;
  }
  function forgetTyping() {
    lastTyped = 0;
    typedIn = null;
  }

  function typed(event) {
    // A box that belongs to no form of the page ("Find a client": form="…-no-form") searches;
    // it changes nothing to save.
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("form") && !target.form) return;
    var el = target && target.closest ? target.closest("[data-unsaved-changes]") : null;
    if (el) {
      lastTyped = Date.now();
      typedIn = el;
      keepCopy();
    }
  }
  document.addEventListener("input", typed, true);
  document.addEventListener("change", typed, true); // a native select's choice

  // --- Back -----------------------------------------------------------------------------
  var MARK = "__unsavedGuardCopy";
  var lastState = null; // the history state this script last saw (its copy, or a popped entry)
  var passing = false; // our own history.back(): let React Router have it

  function isCopy(state) {
    return !!(state && state[MARK]);
  }
  // Only on the editor's own URL: not on a page a link has just opened while the editor's
  // form is still on its way out.
  var EDITOR_PATH = /^\/(invoices|recurring)\/(new|\d+\/edit)\/?$/;
  function keepCopy() {
    if (!EDITOR_PATH.test(window.location.pathname)) return;
    if (!unsaved() || isCopy(window.history.state)) return;
    var copy = Object.assign({}, window.history.state);
    copy[MARK] = window.location.href;
    window.history.pushState(copy, "", window.location.href);
    lastState = copy;
  }
  // The entry just popped to is the one under our copy: same URL, same React Router entry.
  function underCopy(state) {
    if (!isCopy(lastState) || isCopy(state)) return false;
    var idx = state && state.idx, copyIdx = lastState.idx;
    return lastState[MARK] === window.location.href && idx === copyIdx;
  }
  function goBackForReal() {
    passing = true;
    forgetTyping();
    window.history.back();
  }

  // The editor's flag also turns true without typing (Add line, a select, a removed line).
  new MutationObserver(function () {
    if (form()) keepCopy();
  }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ["data-unsaved-changes"]});

  // A saved editor's entry is never shown again by Back: a new invoice's editor (or a
  // duplicate's unsaved copy) would offer to make the same invoice a second time. The save
  // marks the entry's React Router key (EditorState.save calls this before leaving); Back
  // onto a marked entry steps over it. Opening the editor again (New invoice, Duplicate)
  // makes a new entry with a new key: not marked.
  var SAVED = "__editorSavedEntries";
  var skipped = null; // the address of the saved editor entry Back just stepped over
  function savedKeys() {
    try {
      return JSON.parse(window.sessionStorage.getItem(SAVED) || "[]");
    } catch (e) {
      return [];
    }
  }
  window.__editorSaved = function () {
    var state = window.history.state;
    if (!state || !state.key || !EDITOR_PATH.test(window.location.pathname)) return;
    var keys = savedKeys().filter(function (k) { return k !== state.key; });
    keys.push(state.key);
    window.sessionStorage.setItem(SAVED, JSON.stringify(keys.slice(-50)));
  };

  // Capture phase on window: before React Router's own popstate listener.
  window.addEventListener("popstate", function (event) {
    var state = window.history.state;
    var wasPassing = passing;
    passing = false;
    var here = window.location.href;
    var saved = state && state.key && savedKeys().indexOf(state.key) >= 0;
    if (EDITOR_PATH.test(window.location.pathname) && (saved || (wasPassing && here === skipped))) {
      // A saved editor's entry (or our copy of it, which has its key), or one more entry of
      // the same editor under it (a double click opened it twice): React Router never shows
      // it; one more step back.
      event.stopImmediatePropagation();
      lastState = state;
      skipped = here;
      goBackForReal();
      return;
    }
    skipped = null;
    if (wasPassing) {
      lastState = state;
      return;
    }
    if (!underCopy(state)) {
      lastState = state;
      return;
    }
    // Same URL as before: React Router has nothing to do with this step either way.
    event.stopImmediatePropagation();
    if (unsaved() && !window.confirm(message())) {
      lastState = null;
      keepCopy();
      return;
    }
    lastState = state;
    goBackForReal();
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Capture phase on window: before React Router's own click handler on the link.
  window.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = event.target instanceof Element ? event.target : null;
    var leaving = target && target.closest("a[href], [data-leaves-page]");
    if (!leaving || leaving.getAttribute("target") === "_blank" || leaving.hasAttribute("download")) return;
    if (!unsaved()) return;
    if (!window.confirm(message())) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else {
      forgetTyping();
    }
  }, true);
})();
