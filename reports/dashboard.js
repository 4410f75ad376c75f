// The dashboard's charts: one dygraph per chart family of a host and backend
// (reports/dashboard.cc writes the data into #dashboard-data and the
// containers, filters and series toggles into the page). Values on hover in
// the legend, drag to zoom (double-click resets), series toggles, and the
// filter by host, where (backend or user space) and benchmark.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var charts = [];

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  // The run's revision (bench --vmxbench_revision), as a link where the
  // dashboard was given --revision_url (each {revision} replaced, URL-encoded).
  function revisionHtml(cells) {
    var p = cells.find(function (c) { return c && c.rev; });
    if (!p) return '';
    var label = escapeHtml(p.rev) + (p.rev_order != null ? ' (order ' + p.rev_order + ')' : '');
    if (!data.revision_url) return ' revision <span class="revision">' + label + '</span>';
    var href = data.revision_url.split('{revision}').join(encodeURIComponent(p.rev));
    return ' revision <a class="revision" href="' + escapeHtml(href) + '">' + label + '</a>';
  }

  // The legend: the hovered run's time and, per visible series, its median,
  // range and repetitions, or why it has no value.
  function legendFor(chart, d) {
    if (d.x == null) return '<span class="hint">Hover a point for its values; drag to zoom, double-click to reset.</span>';
    var row = chart.rowOf[d.x];
    var html = '<b>' + escapeHtml(chart.stamps[row]) + '</b>' + revisionHtml(chart.cells[row]);
    chart.spec.marks.forEach(function (m) {
      if (m.t !== d.x) return;
      html += ' <span class="capability">' + escapeHtml(m.text) + '</span>';
      m.items.forEach(function (item) { html += '<br><span class="capability">' + escapeHtml(item) + '</span>'; });
    });
    chart.spec.series.forEach(function (s, j) {
      if (!chart.graph.visibility()[j]) return;
      var p = chart.cells[row][j];
      var text;
      if (!p) text = 'no run at this time';
      else if (p.s === 'unsupported') text = '<span class="unsupported">unsupported: ' + escapeHtml(p.why) + '</span>';
      else if (p.s === 'failed') text = '<span class="failed">failed: ' + escapeHtml(p.why) + '</span>';
      else text = '<span class="value">' + escapeHtml(p.text) + '</span> ' + escapeHtml(chart.spec.unit) +
          ' (min ' + escapeHtml(p.lo_text) + ', max ' + escapeHtml(p.hi_text) + ', ' + p.n + ' repetition' +
          (p.n === 1 ? '' : 's') + ')' + (p.reg ? ' <span class="bad">regression</span>' : '');
      html += '<br><span style="color:' + d.series[j].color + '">&#9679;</span> ' + escapeHtml(s.name) + ': ' + text;
    });
    return html;
  }

  function build(spec) {
    var figure = document.getElementById(spec.id);
    var times = {};
    spec.series.forEach(function (s) { s.points.forEach(function (p) { times[p.t] = p.ts; }); });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    var chart = {spec: spec, figure: figure, rowOf: {}, stamps: [], cells: []};
    var rows = xs.map(function (t, i) {
      chart.rowOf[t] = i;
      chart.stamps.push(times[t]);
      chart.cells.push(spec.series.map(function () { return null; }));
      return [new Date(t)].concat(spec.series.map(function () { return null; }));
    });
    spec.series.forEach(function (s, j) {
      s.points.forEach(function (p) {
        var i = chart.rowOf[p.t];
        chart.cells[i][j] = p;
        if (p.s === 'measured') rows[i][j + 1] = [p.lo, p.v, p.hi];
      });
    });
    chart.graph = new Dygraph(figure.querySelector('.plot'), rows, {
      labels: ['time'].concat(spec.series.map(function (s) { return s.name; })),
      customBars: true,
      labelsUTC: true,
      drawPoints: true,
      pointSize: 3,
      highlightCircleSize: 5,
      connectSeparatedPoints: true,
      xRangePad: 10,  // the newest point, often the one that matters, is not cut in half
      legend: 'always',
      labelsDiv: figure.querySelector('.legend'),
      legendFormatter: function (d) { return legendFor(chart, d); },
      // Capability changes: an orange line at the first report that saw them.
      underlayCallback: function (ctx, area, g) {
        spec.marks.forEach(function (m) {
          var x = g.toDomXCoord(m.t);
          if (x < area.x || x > area.x + area.w) return;
          ctx.save();
          ctx.strokeStyle = '#e0892d';
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(x, area.y);
          ctx.lineTo(x, area.y + area.h);
          ctx.stroke();
          ctx.restore();
        });
      },
      drawPointCallback: function (g, name, ctx, cx, cy, color, size, row) {
        var j = spec.series.findIndex(function (s) { return s.name === name; });
        var p = chart.cells[row] && chart.cells[row][j];
        ctx.beginPath();
        ctx.fillStyle = p && p.reg ? '#c62828' : color;
        ctx.arc(cx, cy, p && p.reg ? size + 2.5 : size, 0, 2 * Math.PI);
        ctx.fill();
      }
    });
    figure.querySelectorAll('.toggles input').forEach(function (box) {
      box.addEventListener('change', applyFilters);
    });
    charts.push(chart);
  }

  function value(id) { return document.getElementById(id).value; }

  // Shows the groups of the chosen host and where, and in their charts the
  // series whose benchmark contains the text (and whose toggle is on).
  function applyFilters() {
    var host = value('filter-host'), where = value('filter-where');
    var text = value('filter-benchmark').trim().toLowerCase();
    var matches = function (name) { return !text || name.toLowerCase().indexOf(text) >= 0; };
    document.querySelectorAll('section.group').forEach(function (section) {
      section.hidden = (host !== '' && section.dataset.host !== host) || (where !== '' && section.dataset.where !== where);
      section.querySelectorAll('.item[data-benchmark]').forEach(function (item) {
        item.hidden = !matches(item.dataset.benchmark);
      });
    });
    var shown = 0;
    charts.forEach(function (chart) {
      var any = false;
      chart.spec.series.forEach(function (s, j) {
        var box = chart.figure.querySelector('.toggles input[data-series="' + j + '"]');
        box.parentNode.hidden = !matches(s.name);
        var visible = matches(s.name) && box.checked;
        any = any || matches(s.name);
        if (chart.graph.visibility()[j] !== visible) chart.graph.setVisibility(j, visible);
      });
      var wasHidden = chart.figure.hidden;
      chart.figure.hidden = !any;
      var onPage = any && !chart.figure.closest('section.group').hidden;
      if (onPage) ++shown;
      if (onPage && wasHidden) chart.graph.resize();
    });
    document.getElementById('filter-status').textContent = shown + ' of ' + charts.length + ' charts shown';
  }

  function setLogScale() {
    var on = document.getElementById('log-scale').checked;
    charts.forEach(function (chart) { chart.graph.updateOptions({logscale: on}); });
  }

  data.charts.forEach(build);
  ['filter-host', 'filter-where'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', applyFilters);
  });
  document.getElementById('filter-benchmark').addEventListener('input', applyFilters);
  document.getElementById('log-scale').addEventListener('change', setLogScale);
  applyFilters();

  // For tests and the console: the charts by id, and where a point is drawn.
  window.vmxbDashboard = {
    charts: charts,
    chart: function (id) { return charts.find(function (c) { return c.spec.id === id; }); },
    // Viewport coordinates of series `name`'s point at time `t` (ms) in chart `id`.
    pointPosition: function (id, name, t) {
      var chart = this.chart(id);
      var j = chart.spec.series.findIndex(function (s) { return s.name === name; });
      var p = chart.cells[chart.rowOf[t]][j];
      var xy = chart.graph.toDomCoords(t, p.v);
      var box = chart.graph.graphDiv.getBoundingClientRect();
      return {x: box.left + xy[0], y: box.top + xy[1]};
    }
  };
})();
