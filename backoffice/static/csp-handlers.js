// Flask-Admin's templates carry a few inline handlers (onclick="return faHelpers.safeConfirm(...)",
// onclick="return modelActions.execute(...)", onclick="return false;") and href="javascript:void(0)" links, which the panel's
// Content-Security-Policy forbids. This file (loaded with the page's nonce) takes them over: on a
// click, before the target runs its inline handler, it removes that handler and does the same thing.
(function () {
  "use strict";
  var CONFIRM = /safeConfirm\('((?:[^'\\]|\\.)*)'\)/;
  var ACTION = /modelActions\.execute\('([^']*)'\)/;

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="javascript:"]');
    if (link) {
      event.preventDefault();  // the toggles' own (delegated) handlers still run
    }
    var element = event.target.closest && event.target.closest("[onclick]");
    if (!element) {
      return;
    }
    var handler = element.getAttribute("onclick");
    element.removeAttribute("onclick");
    var confirmation = CONFIRM.exec(handler);
    var action = ACTION.exec(handler);
    if (action) {
      event.preventDefault();
      window.modelActions.execute(action[1]);  // it asks for confirmation itself
    } else if (confirmation) {
      if (!window.confirm(confirmation[1].replace(/\\(.)/g, "$1"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    } else if (/^\s*return false;?\s*$/.test(handler)) {
      event.preventDefault();
    }
    // Put the handler back once this click is over, so the next click is handled the same way.
    window.setTimeout(function () { element.setAttribute("onclick", handler); }, 0);
  }, true);
})();
