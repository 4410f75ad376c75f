// The dashboard's charts: one dygraph per chart family of a host and backend
// (reports/dashboard.cc writes the data into #dashboard-data and the
// containers, filters and series toggles into the page). Values on hover in
// the legend, drag to zoom (double-click resets), series toggles, and the
// filter by host, where (backend or user space) and benchmark, and the x
// axis: time, or the runs' revision order (bench --vmxbench_revision_order).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var charts = [];
  var xAxis = 'time';  // or 'order'

  // C's printf("%.5g", x): the text num() (reports/text_format.h) gives the
  // same number in the page's tables, so a value reads the same everywhere.
  // toExponential rounds an exact tie away from zero where C rounds it to
  // even (12344.5 is "12344" in C): an exact tie is found from the value's
  // exact digits (toExponential(99) is exact for any value a benchmark has).
  function formatG5(x) {
    if (isNaN(x)) return x < 0 ? '-nan' : 'nan';
    if (!isFinite(x)) return x < 0 ? '-inf' : 'inf';
    var sign = x < 0 || (x === 0 && 1 / x < 0) ? '-' : '';
    if (x === 0) return sign + '0';
    var a = Math.abs(x);
    var rounded = a.toExponential(4);
    var exact = a.toExponential(99);
    var exactDigits = exact.slice(0, exact.indexOf('e')).replace('.', '');
    if (/^\d{5}50*$/.test(exactDigits) && Number(exactDigits[4]) % 2 === 0)
      rounded = exactDigits.slice(0, 1) + '.' + exactDigits.slice(1, 5) + exact.slice(exact.indexOf('e'));
    var at = rounded.indexOf('e');
    var digits = rounded.slice(0, at).replace('.', '');  // five
    var exponent = Number(rounded.slice(at + 1));
    var trim = function (text) { return text.indexOf('.') < 0 ? text : text.replace(/0+$/, '').replace(/\.$/, ''); };
    if (exponent < -4 || exponent >= 5) {
      var e = Math.abs(exponent);
      return sign + trim(digits[0] + '.' + digits.slice(1)) + 'e' + (exponent < 0 ? '-' : '+') +
          (e < 10 ? '0' : '') + e;
    }
    if (exponent >= 0) return sign + trim(digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1));
    return sign + trim('0.' + '0'.repeat(-exponent - 1) + digits);
  }

  // chart_data()'s compact encoding (its comment in reports/dashboard.cc) to
  // one object per point: {run, t, ts, rev, rev_order, runs, first_ts, s, and
  // v, lo, hi, text, lo_text, hi_text, n, reg when measured, why otherwise}.
  function decodeChart(spec) {
    spec.runs = spec.runs.map(function (r, i) {
      return {index: i, t: r[0], ts: r[1], rev: r.length > 2 ? r[2] : '', order: r.length > 3 ? r[3] : null,
              runs: r.length > 4 ? r[4] : 1, first_ts: r.length > 5 ? r[5] : ''};
    });
    spec.series.forEach(function (s) {
      s.points = s.points.map(function (a) {
        var run = spec.runs[a[0]];
        var p = {run: run, t: run.t, ts: run.ts, rev: run.rev, rev_order: run.order, runs: run.runs,
                 first_ts: run.first_ts};
        if (typeof a[1] === 'string') {
          p.s = a[1] === 'u' ? 'unsupported' : 'failed';
          p.why = spec.reasons[a[2]];
          return p;
        }
        p.s = 'measured';
        p.v = a[1];
        p.lo = a[2];
        p.hi = a[3];
        p.n = a[4];
        p.reg = a[5] === 1 && !run.first_ts;
        p.text = formatG5(p.v);
        p.lo_text = formatG5(p.lo);
        p.hi_text = formatG5(p.hi);
        return p;
      });
    });
    spec.marks.forEach(function (m) { m.runInfo = m.run >= 0 ? spec.runs[m.run] : null; });
    return spec;
  }

  // A run's x in the current axis: its time (ms), or its revision order (null: none).
  function xOf(run) { return xAxis === 'order' ? run.order : run.t; }
  function markX(m) { return xAxis === 'order' ? (m.runInfo ? m.runInfo.order : null) : m.t; }

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

  function runsText(n) { return n + (n === 1 ? ' run' : ' runs'); }

  // ", FIRST … LAST" for a downsampled point (it has a first_ts, and stands
  // for one run or more): the runs it stands for.
  function spanHtml(p) {
    return p.first_ts ? ', <span class="span">' + escapeHtml(p.first_ts) + ' … ' + escapeHtml(p.ts) + '</span>' : '';
  }

  // The legend: the hovered run's time and, per visible series, its median,
  // range and repetitions, or why it has no value.
  function legendFor(chart, d) {
    if (d.x == null) return '<span class="hint">Hover a point for its values; drag to zoom, double-click to reset.</span>';
    var row = chart.rowOf[d.x];
    var html = '<b>' + escapeHtml(chart.stamps[row]) + '</b>' + revisionHtml(chart.cells[row]);
    chart.spec.marks.forEach(function (m) {
      if (markX(m) !== d.x) return;
      html += ' <span class="capability">' + escapeHtml(m.text) + '</span>';
      m.items.forEach(function (item) { html += '<br><span class="capability">' + escapeHtml(item) + '</span>'; });
    });
    chart.spec.series.forEach(function (s, j) {
      if (!chart.graph.visibility()[j]) return;
      var p = chart.cells[row][j];
      var text;
      if (!p) text = 'no run at this time';
      else if (p.s !== 'measured')
        text = '<span class="' + p.s + '">' + p.s + (p.first_ts ? ' in all ' + runsText(p.runs) : '') + ': ' +
            escapeHtml(p.why) + '</span>' + spanHtml(p);
      // A downsampled point: the mean of its runs' medians, never a regression.
      else if (p.first_ts)
        text = (p.runs === 1 ? 'folded, 1 run:' : 'mean of ' + p.runs + " runs' medians") +
            ' <span class="value">' + escapeHtml(p.text) + '</span> ' + escapeHtml(chart.spec.unit) + ' (min ' + escapeHtml(p.lo_text) + ', max ' + escapeHtml(p.hi_text) + ')' +
            spanHtml(p);
      else text = '<span class="value">' + escapeHtml(p.text) + '</span> ' + escapeHtml(chart.spec.unit) +
          ' (min ' + escapeHtml(p.lo_text) + ', max ' + escapeHtml(p.hi_text) + ', ' + p.n + ' repetition' +
          (p.n === 1 ? '' : 's') + ')' + (p.reg ? ' <span class="bad">regression</span>' : '');
      html += '<br><span style="color:' + d.series[j].color + '">&#9679;</span> ' + escapeHtml(s.name) + ': ' + text;
    });
    return html;
  }

  // The chart's rows on the current x axis; in revision-order mode the runs
  // without an order are left out (counted in the chart's status line), and
  // of a series' runs at one order the newest is drawn.
  function rowsFor(chart) {
    var spec = chart.spec;
    var runAt = {};
    spec.series.forEach(function (s) {
      s.points.forEach(function (p) {
        var x = xOf(p.run);
        if (x != null && (!(x in runAt) || runAt[x].t < p.run.t)) runAt[x] = p.run;
      });
    });
    var xs = Object.keys(runAt).map(Number).sort(function (a, b) { return a - b; });
    chart.rowOf = {};
    chart.stamps = [];
    chart.cells = [];
    var rows = xs.map(function (x, i) {
      chart.rowOf[x] = i;
      chart.stamps.push(runAt[x].ts);
      chart.cells.push(spec.series.map(function () { return null; }));
      return [xAxis === 'order' ? x : new Date(x)].concat(spec.series.map(function () { return null; }));
    });
    var hidden = 0;  // points of an older run at the same order
    spec.series.forEach(function (s, j) {
      s.points.forEach(function (p) {
        var x = xOf(p.run);
        if (x == null) return;
        var i = chart.rowOf[x], old = chart.cells[i][j];
        if (old && old.run.t >= p.run.t) { ++hidden; return; }
        if (old) ++hidden;
        chart.cells[i][j] = p;
        rows[i][j + 1] = p.s === 'measured' ? [p.lo, p.v, p.hi] : null;
      });
    });
    var unordered = spec.runs.filter(function (r) { return r.order == null; }).length;
    var status = '';
    if (xAxis === 'order' && xs.length === 0)
      status = 'No run of this chart has a revision order (bench --vmxbench_revision_order): nothing to plot by ' +
          'revision order.';
    else if (xAxis === 'order') {
      if (unordered) status = unordered + ' run' + (unordered === 1 ? '' : 's') + ' without a revision order not shown';
      if (hidden) status += (status ? '; ' : '') + hidden + ' older point' + (hidden === 1 ? '' : 's') +
          ' at a revision order measured again not shown';
    }
    chart.status.textContent = status;
    return rows;
  }

  // Revision orders are integers: ticks at whole orders only.
  function orderTicks(min, max, pixels) {
    var step = Math.max(1, Math.ceil((max - min) / Math.max(1, Math.floor(pixels / 50))));
    var ticks = [];
    for (var v = Math.ceil(min / step) * step; v <= max; v += step) ticks.push({v: v, label: String(v)});
    return ticks;
  }

  // A regression: a larger red dot. A downsampled point (the mean of several
  // runs): a hollow square, so it does not pass for one run, hovered or not.
  function drawPoint(chart, name, ctx, cx, cy, color, size, row) {
    var j = chart.spec.series.findIndex(function (s) { return s.name === name; });
    var p = chart.cells[row] && chart.cells[row][j];
    ctx.beginPath();
    if (p && p.first_ts) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(cx - size - 0.5, cy - size - 0.5, 2 * size + 1, 2 * size + 1);
      return;
    }
    ctx.fillStyle = p && p.reg ? '#c62828' : color;
    ctx.arc(cx, cy, p && p.reg ? size + 2.5 : size, 0, 2 * Math.PI);
    ctx.fill();
  }

  // (Re)draws the chart on the current x axis: a new graph, so the zoom resets.
  function draw(chart) {
    var spec = chart.spec, figure = chart.figure;
    if (chart.graph) chart.graph.destroy();
    chart.graph = null;
    var rows = rowsFor(chart);
    var plot = figure.querySelector('.plot');
    plot.hidden = rows.length === 0;
    if (rows.length === 0) {
      figure.querySelector('.legend').innerHTML = '';
      return;
    }
    var byOrder = xAxis === 'order';
    chart.graph = new Dygraph(plot, rows, {
      labels: [byOrder ? 'revision order' : 'time'].concat(spec.series.map(function (s) { return s.name; })),
      customBars: true,
      labelsUTC: true,
      logscale: document.getElementById('log-scale').checked,
      drawPoints: true,
      pointSize: 3,
      highlightCircleSize: 5,
      connectSeparatedPoints: true,
      xRangePad: 10,  // the newest point, often the one that matters, is not cut in half
      axes: byOrder ? {x: {ticker: orderTicks, valueFormatter: String, axisLabelFormatter: String}} : {},
      legend: 'always',
      labelsDiv: figure.querySelector('.legend'),
      legendFormatter: function (d) { return legendFor(chart, d); },
      // Capability changes: an orange line at the first report that saw them
      // (in revision-order mode, at that run's order).
      underlayCallback: function (ctx, area, g) {
        spec.marks.forEach(function (m) {
          if (markX(m) == null) return;
          var x = g.toDomXCoord(markX(m));
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
        drawPoint(chart, name, ctx, cx, cy, color, size, row);
      },
      drawHighlightPointCallback: function (g, name, ctx, cx, cy, color, size, row) {
        drawPoint(chart, name, ctx, cx, cy, color, size, row);
      }
    });
  }

  function build(spec) {
    var figure = document.getElementById(spec.id);
    var chart = {spec: decodeChart(spec), figure: figure, graph: null, status: document.createElement('p')};
    chart.status.className = 'chart-status';
    figure.insertBefore(chart.status, figure.querySelector('.plot'));
    draw(chart);
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
        if (chart.graph && chart.graph.visibility()[j] !== visible) chart.graph.setVisibility(j, visible);
      });
      var wasHidden = chart.figure.hidden;
      chart.figure.hidden = !any;
      var onPage = any && !chart.figure.closest('section.group').hidden;
      if (onPage) ++shown;
      if (onPage && wasHidden && chart.graph) chart.graph.resize();
    });
    document.getElementById('filter-status').textContent = shown + ' of ' + charts.length + ' charts shown';
  }

  function setLogScale() {
    var on = document.getElementById('log-scale').checked;
    charts.forEach(function (chart) { if (chart.graph) chart.graph.updateOptions({logscale: on}); });
  }

  function setXAxis() {
    xAxis = document.getElementById('x-axis-order').checked ? 'order' : 'time';
    charts.forEach(draw);
    applyFilters();  // a new graph shows every series: the toggles and the filter apply again
  }

  data.charts.forEach(build);
  ['filter-host', 'filter-where'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', applyFilters);
  });
  document.getElementById('filter-benchmark').addEventListener('input', applyFilters);
  document.getElementById('log-scale').addEventListener('change', setLogScale);
  ['x-axis-time', 'x-axis-order'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', setXAxis);
  });
  applyFilters();

  // For tests and the console: the charts by id, and where a point is drawn.
  window.vmxbDashboard = {
    charts: charts,
    formatG5: formatG5,
    xAxis: function () { return xAxis; },
    chart: function (id) { return charts.find(function (c) { return c.spec.id === id; }); },
    // Viewport coordinates of series `name`'s point at x in chart `id`: its
    // time (ms), or its revision order when the x axis is the order.
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
