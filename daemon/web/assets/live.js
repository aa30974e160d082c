/* global document, EventSource, fetch, setInterval, DOMParser */
// The live pages' only script: copies each Server-Sent Events update into place ([data-k] elements
// take text, [data-table] bodies take rows) and redraws the charts every 30 seconds. Every value
// arrives formatted from the server; this script adds no words of its own.
(function () {
  'use strict';
  var live = document.querySelector('[data-live]');
  function fill(update) {
    Object.keys(update.text || {}).forEach(function (key) {
      document.querySelectorAll('[data-k="' + key + '"]').forEach(function (element) { element.textContent = update.text[key]; });
    });
    Object.keys(update.tables || {}).forEach(function (name) {
      var body = document.querySelector('[data-table="' + name + '"]');
      if (!body) return;
      var rows = update.tables[name].map(function (cells) {
        var row = document.createElement('tr');
        cells.forEach(function (cell, index) {
          var td = document.createElement('td');
          if (index === 0 && name === 'recent') {
            var a = document.createElement('a');
            a.href = '/stats/messages/' + encodeURIComponent(cell);
            a.textContent = cell;
            td.appendChild(a);
          } else {
            td.textContent = cell;
          }
          row.appendChild(td);
        });
        return row;
      });
      body.replaceChildren.apply(body, rows);
    });
    document.body.setAttribute('data-live-updated', String(Date.now()));
  }
  if (live) {
    var source = new EventSource(live.getAttribute('data-live'));
    source.onmessage = function (event) { fill(JSON.parse(event.data)); };
  }
  var charts = document.querySelectorAll('[data-chart]');
  if (charts.length > 0) {
    setInterval(function () {
      charts.forEach(function (figure) {
        fetch(figure.getAttribute('data-chart'), { credentials: 'same-origin' })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (svg) {
            if (svg === null) return;
            var old = figure.querySelector('svg');
            var parsed = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
            if (old) figure.replaceChild(document.importNode(parsed, true), old);
          });
      });
    }, 30000);
  }
})();
