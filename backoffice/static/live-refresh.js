// Pages that watch something (the biller balances) refresh themselves: every few seconds the page
// is fetched again and the element marked data-refresh-seconds is swapped for its new version.
// The markup is the panel's own, escaped on the server; DOMParser never runs scripts.
(function () {
  "use strict";
  var live = document.querySelector("[data-refresh-seconds]");
  if (!live || !live.id) {
    return;
  }
  var seconds = Math.max(5, parseInt(live.dataset.refreshSeconds, 10) || 30);

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch", "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(live.id);
        if (fresh) {
          live.replaceWith(fresh);
          live = fresh;
        }
        live.classList.remove("stale");
      })
      .catch(function () {
        live.classList.add("stale"); // shown dimmed until the next refresh succeeds
      });
  }
  window.setInterval(refresh, seconds * 1000);
})();
