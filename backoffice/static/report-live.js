// The transaction report's live view: every few seconds, ask for what arrived since the last answer
// (with an overlap, so a row committed late is not missed), drop the rows already shown (by key,
// so none appears twice), put the new ones on top, highlighted, and refresh the totals.
// Values are set with textContent: nothing from the database is ever parsed as HTML.
(function () {
  "use strict";
  // On a phone the filters start folded: the transactions come first.
  var filters = document.getElementById("report-filters");
  if (filters && window.matchMedia("(max-width: 575.98px)").matches) {
    filters.removeAttribute("open");
  }
  var table = document.getElementById("report");
  if (!table || !table.dataset.liveUrl) {
    return;
  }
  var INTERVAL_MS = 5000;
  var OVERLAP_MS = 30000;
  var body = table.tBodies[0];
  var toggle = document.getElementById("live-toggle");
  var seen = new Set(Array.prototype.map.call(body.rows, function (row) { return row.dataset.key; }));
  var since = null;
  var paused = false;
  // Cells of a new row open their pages (a reference its transaction, an agent the agent desk), as
  // the rows drawn by the server do: a heading's data-link is the page, KEY the cell's value.
  var links = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.dataset.link; });

  function overlapped(serverTime) {
    var moment = new Date(serverTime + "Z").getTime() - OVERLAP_MS;
    return new Date(moment).toISOString().slice(0, 19);
  }

  function addRow(row) {
    if (seen.has(row.key)) {
      return;
    }
    seen.add(row.key);
    var empty = body.querySelector("tr.empty");
    if (empty) {
      empty.remove();
    }
    var tr = document.createElement("tr");
    tr.dataset.key = row.key;
    tr.dataset.outcome = row.outcome || "";
    tr.className = "table-info live-new";
    row.cells.forEach(function (value, column) {
      var td = document.createElement("td");
      if (links[column] && value) {
        var link = document.createElement("a");
        link.href = links[column].replace("KEY", encodeURIComponent(value));
        link.textContent = value;
        td.appendChild(link);
      } else {
        td.textContent = value;
      }
      tr.appendChild(td);
    });
    body.insertBefore(tr, body.firstChild);
    window.setTimeout(function () { tr.classList.remove("table-info"); }, 8000);
  }

  function showTotals(totals) {
    Object.keys(totals).forEach(function (name) {
      var element = document.querySelector('[data-total="' + name + '"]');
      if (element) {
        element.textContent = totals[name];
      }
    });
  }

  function poll() {
    if (paused) {
      return;
    }
    var url = new URL(table.dataset.liveUrl, window.location.href);
    if (since) {
      url.searchParams.set("since", since);
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Live-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        // Oldest first, so that the newest ends on top.
        data.rows.slice().reverse().forEach(addRow);
        showTotals(data.totals);
        since = overlapped(data.server_time);
      })
      .catch(function () { /* the next poll tries again */ });
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.textContent = paused ? table.dataset.pausedLabel : table.dataset.liveLabel;
      toggle.setAttribute("aria-pressed", String(paused));
    });
  }
  window.setInterval(poll, INTERVAL_MS);
})();
