/*
 * kefu console charts: small SVG charts without any library.
 *
 *   KefuCharts.bars(container, [{label, value, tooltip?}], options)
 *   KefuCharts.stackedBars(container, {labels: [...], series: [{name, values: [...], color?}]}, options)
 *   KefuCharts.hbars(container, [{label, value, tooltip?}], options)
 *   KefuCharts.line(container, {labels: [...], series: [{name, values: [...], color?}]}, options)
 *                   (or a plain [{label, value}] list for one series)
 *   KefuCharts.donut(container, [{label, value, color?}], options)
 *
 * Common options: height, title (the chart's accessible name), format(value) -> text for values,
 * formatLabel(label) -> text for category labels, emptyText (default "no data in this range"),
 * colors (a list). Values that are null or undefined are treated as missing.
 *
 * Every text (labels, values, legends, tooltips) is put in with textContent, never parsed.
 * Geometry is set with SVG attributes only (no style attributes), so a strict CSP is fine.
 * A chart redraws itself when the window is resized (its width follows its container).
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#4f6bed", "#f0a23b", "#d9534f", "#2aa198", "#8e6bd8", "#6c8a3a", "#c0567e"];
  var INK = "#1c1f2a";
  var MUTED = "#6b7080";
  var GRID = "#e6e8ef";
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", ' +
    '"WenQuanYi Zen Hei", sans-serif';
  var EMPTY = "no data in this range";

  // ------------------------------------------------------------------ helpers

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var v = attrs[name];
        if (v !== null && v !== undefined) node.setAttribute(name, String(v));
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function tip(node, text) {
    if (text) node.appendChild(svgEl("title", null, text));
    return node;
  }

  function isNum(v) {
    return typeof v === "number" && isFinite(v);
  }

  function defaultFormat(v) {
    if (!isNum(v)) return "–";
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en");
    if (Number.isInteger(v)) return String(v);
    return String(Math.round(v * 100) / 100);
  }

  function opt(options, name, fallback) {
    return options && options[name] !== undefined && options[name] !== null
      ? options[name]
      : fallback;
  }

  function clear(container) {
    while (container.firstChild) container.removeChild(container.firstChild);
  }

  function showEmpty(container, options) {
    clear(container);
    var box = document.createElement("div");
    box.className = "kc-empty";
    box.setAttribute("data-empty", "1");
    box.textContent = opt(options, "emptyText", EMPTY);
    container.appendChild(box);
  }

  function widthOf(container, options) {
    var w = opt(options, "width", 0) || container.clientWidth || 0;
    return Math.max(240, Math.floor(w || 560));
  }

  function newSvg(container, width, height, options) {
    var svg = svgEl("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      class: "kc-svg",
      "font-family": FONT,
      "font-size": 11,
      fill: INK
    });
    var title = opt(options, "title", "");
    if (title) {
      svg.setAttribute("aria-label", title);
      svg.appendChild(svgEl("title", null, title));
    }
    container.appendChild(svg);
    return svg;
  }

  // Rough width of a text in px at the given font size (CJK glyphs are about twice as wide).
  function textWidth(text, size) {
    var s = String(text);
    var w = 0;
    for (var i = 0; i < s.length; i++) w += s.charCodeAt(i) > 0x2e80 ? 1 : 0.58;
    return w * (size || 11);
  }

  function truncate(text, maxPx, size) {
    var s = String(text);
    if (textWidth(s, size) <= maxPx) return s;
    while (s.length > 1 && textWidth(s + "…", size) > maxPx) s = s.slice(0, -1);
    return s + "…";
  }

  // "Nice" axis ticks between lo and hi: about `count` steps of 1, 2, 2.5 or 5 × 10^k.
  function niceTicks(lo, hi, count) {
    if (hi === lo) hi = lo + 1;
    var raw = (hi - lo) / Math.max(1, count || 4);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    var step = mag;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * mag >= raw) {
        step = steps[i] * mag;
        break;
      }
    }
    var start = Math.floor(lo / step) * step;
    var end = Math.ceil(hi / step) * step;
    var ticks = [];
    for (var t = start; t <= end + step / 2; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
    return ticks;
  }

  function colorFor(i, item, options) {
    if (item && item.color) return item.color;
    var colors = opt(options, "colors", PALETTE);
    return colors[i % colors.length];
  }

  // Draws horizontal grid lines and left-hand value labels; returns a y(value) scale.
  function yAxis(svg, plot, ticks, format) {
    var lo = ticks[0];
    var hi = ticks[ticks.length - 1];
    var y = function (v) {
      return plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;
    };
    var g = svgEl("g", { class: "kc-axis kc-y" });
    ticks.forEach(function (t) {
      var yy = Math.round(y(t)) + 0.5;
      g.appendChild(svgEl("line", {
        x1: plot.x, x2: plot.x + plot.w, y1: yy, y2: yy,
        stroke: t === 0 && lo < 0 ? "#b9bdc9" : GRID, "stroke-width": 1
      }));
      g.appendChild(svgEl("text", {
        x: plot.x - 6, y: yy + 4, "text-anchor": "end", fill: MUTED
      }, format(t)));
    });
    svg.appendChild(g);
    return y;
  }

  // Category labels under the plot; thinned out so they never overlap.
  function xLabels(svg, plot, labels, slot, formatLabel) {
    var g = svgEl("g", { class: "kc-axis kc-x" });
    var widest = 0;
    labels.forEach(function (l) {
      widest = Math.max(widest, textWidth(formatLabel(l), 11));
    });
    var every = Math.max(1, Math.ceil((widest + 8) / Math.max(1, slot)));
    labels.forEach(function (l, i) {
      if (i % every !== 0) return;
      var text = formatLabel(l);
      g.appendChild(svgEl("text", {
        x: plot.x + slot * i + slot / 2,
        y: plot.y + plot.h + 16,
        "text-anchor": "middle",
        fill: MUTED
      }, truncate(text, Math.max(slot * every - 4, 30), 11)));
    });
    svg.appendChild(g);
  }

  function legend(svg, items, x, y, maxWidth) {
    var g = svgEl("g", { class: "kc-legend" });
    var cx = x;
    var cy = y;
    items.forEach(function (item) {
      var w = 14 + textWidth(item.name, 11) + 16;
      if (cx + w > x + maxWidth && cx > x) {
        cx = x;
        cy += 16;
      }
      g.appendChild(svgEl("rect", {
        x: cx, y: cy - 9, width: 10, height: 10, rx: 2, fill: item.color
      }));
      g.appendChild(svgEl("text", { x: cx + 14, y: cy, fill: INK }, item.name));
      cx += w;
    });
    svg.appendChild(g);
    return cy - y + 16;
  }

  // Remembers how to redraw a chart, so that a resize can redraw it at the new width.
  var registry = [];

  function register(container, draw) {
    container.__kefuChart = draw;
    if (registry.indexOf(container) === -1) registry.push(container);
    draw();
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    if (resizeTimer) window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      registry = registry.filter(function (c) {
        return document.documentElement.contains(c) && typeof c.__kefuChart === "function";
      });
      registry.forEach(function (c) {
        c.__kefuChart();
      });
    }, 150);
  });

  function redrawAll() {
    registry.forEach(function (c) {
      if (document.documentElement.contains(c) && typeof c.__kefuChart === "function") {
        c.__kefuChart();
      }
    });
  }

  function prepare(container) {
    clear(container);
    container.classList.add("kc-chart");
  }

  // ------------------------------------------------------------------ vertical bars

  function bars(container, data, options) {
    register(container, function () {
      prepare(container);
      var items = (data || []).filter(function (d) {
        return d;
      });
      var hasValue = items.some(function (d) {
        return isNum(d.value) && d.value !== 0;
      });
      if (!items.length || !hasValue) {
        showEmpty(container, options);
        return;
      }
      var format = opt(options, "format", defaultFormat);
      var formatLabel = opt(options, "formatLabel", String);
      var width = widthOf(container, options);
      var height = opt(options, "height", 220);
      var svg = newSvg(container, width, height, options);
      var values = items.map(function (d) {
        return isNum(d.value) ? d.value : 0;
      });
      var lo = Math.min(0, Math.min.apply(null, values));
      var hi = Math.max(0, Math.max.apply(null, values));
      if (isNum(opt(options, "max", null))) hi = Math.max(hi, options.max);
      var ticks = niceTicks(lo, hi, 4);
      var axisW = Math.max.apply(null, ticks.map(function (t) {
        return textWidth(format(t), 11);
      })) + 12;
      var plot = { x: axisW + 4, y: 16, w: width - axisW - 12, h: height - 16 - 26 };
      var y = yAxis(svg, plot, ticks, format);
      var slot = plot.w / items.length;
      var barW = Math.max(2, Math.min(56, slot * 0.62));
      var g = svgEl("g", { class: "kc-bars" });
      items.forEach(function (d, i) {
        var x = plot.x + slot * i + (slot - barW) / 2;
        if (!isNum(d.value)) {
          g.appendChild(svgEl("text", {
            x: x + barW / 2, y: y(0) - 4, "text-anchor": "middle", fill: MUTED
          }, "–"));
          return;
        }
        var y0 = y(Math.max(0, d.value));
        var y1 = y(Math.min(0, d.value));
        var rect = svgEl("rect", {
          x: x, y: y0, width: barW, height: Math.max(1, y1 - y0), rx: 2,
          fill: d.color || opt(options, "color", null) || colorFor(i, d, options),
          class: "kc-bar"
        });
        tip(rect, formatLabel(d.label) + ": " + (d.tooltip || format(d.value)));
        g.appendChild(rect);
        if (opt(options, "valueLabels", true)) {
          g.appendChild(svgEl("text", {
            x: x + barW / 2,
            y: d.value >= 0 ? y0 - 4 : y1 + 12,
            "text-anchor": "middle",
            fill: INK,
            class: "kc-value"
          }, format(d.value)));
        }
      });
      svg.appendChild(g);
      xLabels(svg, plot, items.map(function (d) {
        return d.label;
      }), slot, formatLabel);
    });
  }

  // ------------------------------------------------------------------ stacked bars

  function stackedBars(container, data, options) {
    register(container, function () {
      prepare(container);
      var labels = (data && data.labels) || [];
      var series = ((data && data.series) || []).map(function (s, i) {
        return { name: s.name, values: s.values || [], color: colorFor(i, s, options) };
      });
      var totals = labels.map(function (_, i) {
        return series.reduce(function (sum, s) {
          var v = s.values[i];
          return sum + (isNum(v) && v > 0 ? v : 0);
        }, 0);
      });
      if (!labels.length || !totals.some(function (t) {
        return t > 0;
      })) {
        showEmpty(container, options);
        return;
      }
      var format = opt(options, "format", defaultFormat);
      var formatLabel = opt(options, "formatLabel", String);
      var width = widthOf(container, options);
      var height = opt(options, "height", 260);
      var svg = newSvg(container, width, height, options);
      var legendH = opt(options, "legend", true)
        ? legend(svg, series, 8, 14, width - 16)
        : 0;
      var ticks = niceTicks(0, Math.max.apply(null, totals), 4);
      var axisW = Math.max.apply(null, ticks.map(function (t) {
        return textWidth(format(t), 11);
      })) + 12;
      var plot = { x: axisW + 4, y: legendH + 14, w: width - axisW - 12, h: 0 };
      plot.h = height - plot.y - 26;
      var y = yAxis(svg, plot, ticks, format);
      var slot = plot.w / labels.length;
      var barW = Math.max(2, Math.min(40, slot * 0.7));
      var g = svgEl("g", { class: "kc-stacks" });
      labels.forEach(function (label, i) {
        var x = plot.x + slot * i + (slot - barW) / 2;
        var acc = 0;
        var parts = [];
        series.forEach(function (s) {
          var v = s.values[i];
          if (!isNum(v) || v <= 0) return;
          var top = y(acc + v);
          var bottom = y(acc);
          acc += v;
          parts.push(s.name + " " + format(v));
          g.appendChild(svgEl("rect", {
            x: x, y: top, width: barW, height: Math.max(0.5, bottom - top),
            fill: s.color, class: "kc-bar"
          }));
        });
        // one transparent hit area per day carries the tooltip for the whole stack
        var hit = svgEl("rect", {
          x: plot.x + slot * i, y: plot.y, width: slot, height: plot.h,
          fill: "transparent", class: "kc-hit"
        });
        tip(hit, formatLabel(label) + " — " + (parts.length ? parts.join(", ") : format(0)));
        g.appendChild(hit);
      });
      svg.appendChild(g);
      xLabels(svg, plot, labels, slot, formatLabel);
    });
  }

  // ------------------------------------------------------------------ horizontal bars

  function hbars(container, data, options) {
    register(container, function () {
      prepare(container);
      var items = (data || []).filter(function (d) {
        return d && isNum(d.value);
      });
      var limit = opt(options, "limit", 0);
      if (limit) items = items.slice(0, limit);
      if (!items.length || !items.some(function (d) {
        return d.value !== 0;
      })) {
        showEmpty(container, options);
        return;
      }
      var format = opt(options, "format", defaultFormat);
      var formatLabel = opt(options, "formatLabel", String);
      var width = widthOf(container, options);
      var rowH = opt(options, "barHeight", 20) + 8;
      var height = items.length * rowH + 12;
      var svg = newSvg(container, width, height, options);
      var labelW = Math.min(width * 0.4, Math.max.apply(null, items.map(function (d) {
        return textWidth(formatLabel(d.label), 12);
      })) + 10);
      var valueW = Math.max.apply(null, items.map(function (d) {
        return textWidth(format(d.value), 11);
      })) + 10;
      var max = Math.max.apply(null, items.map(function (d) {
        return Math.abs(d.value);
      })) || 1;
      var plotX = labelW + 6;
      var plotW = Math.max(20, width - plotX - valueW - 4);
      var color = opt(options, "color", PALETTE[0]);
      items.forEach(function (d, i) {
        var top = 6 + i * rowH;
        var barH = rowH - 8;
        var w = Math.max(1, (Math.abs(d.value) / max) * plotW);
        var row = svgEl("g", { class: "kc-row" });
        row.appendChild(svgEl("text", {
          x: labelW, y: top + barH / 2 + 4, "text-anchor": "end", fill: INK, "font-size": 12
        }, truncate(formatLabel(d.label), labelW - 4, 12)));
        row.appendChild(svgEl("rect", {
          x: plotX, y: top, width: plotW, height: barH, rx: 3, fill: "#f1f2f7"
        }));
        row.appendChild(svgEl("rect", {
          x: plotX, y: top, width: w, height: barH, rx: 3, fill: d.color || color, class: "kc-bar"
        }));
        row.appendChild(svgEl("text", {
          x: plotX + plotW + 6, y: top + barH / 2 + 4, fill: MUTED, class: "kc-value"
        }, format(d.value)));
        tip(row, formatLabel(d.label) + ": " + (d.tooltip || format(d.value)));
        svg.appendChild(row);
      });
    });
  }

  // ------------------------------------------------------------------ line

  function normaliseSeries(data) {
    if (Array.isArray(data)) {
      return {
        labels: data.map(function (d) {
          return d.label;
        }),
        series: [{
          name: "",
          values: data.map(function (d) {
            return d.value;
          }),
          tooltips: data.map(function (d) {
            return d.tooltip;
          })
        }]
      };
    }
    return { labels: (data && data.labels) || [], series: (data && data.series) || [] };
  }

  function line(container, data, options) {
    register(container, function () {
      prepare(container);
      var d = normaliseSeries(data);
      var labels = d.labels;
      var series = d.series.map(function (s, i) {
        return {
          name: s.name || "",
          values: s.values || [],
          tooltips: s.tooltips || [],
          color: colorFor(i, s, options)
        };
      });
      var all = [];
      series.forEach(function (s) {
        s.values.forEach(function (v) {
          if (isNum(v)) all.push(v);
        });
      });
      if (!labels.length || !all.length) {
        showEmpty(container, options);
        return;
      }
      var format = opt(options, "format", defaultFormat);
      var formatLabel = opt(options, "formatLabel", String);
      var width = widthOf(container, options);
      var height = opt(options, "height", 220);
      var svg = newSvg(container, width, height, options);
      var named = series.filter(function (s) {
        return s.name;
      });
      var legendH = named.length > 1 && opt(options, "legend", true)
        ? legend(svg, named, 8, 14, width - 16)
        : 0;
      var lo = isNum(opt(options, "min", null)) ? options.min : Math.min.apply(null, all);
      var hi = isNum(opt(options, "max", null)) ? options.max : Math.max.apply(null, all);
      var ticks = isNum(opt(options, "min", null)) && isNum(opt(options, "max", null))
        ? niceTicks(lo, hi, opt(options, "ticks", 4))
        : niceTicks(Math.min(lo, 0), hi, 4);
      var axisW = Math.max.apply(null, ticks.map(function (t) {
        return textWidth(format(t), 11);
      })) + 12;
      var plot = { x: axisW + 4, y: legendH + 12, w: width - axisW - 12, h: 0 };
      plot.h = height - plot.y - 26;
      var y = yAxis(svg, plot, ticks, format);
      var slot = plot.w / labels.length;
      var xAt = function (i) {
        return plot.x + slot * i + slot / 2;
      };
      series.forEach(function (s) {
        var g = svgEl("g", { class: "kc-line" });
        var path = "";
        var pen = false;
        s.values.forEach(function (v, i) {
          if (!isNum(v)) {
            pen = false; // a gap: missing days are not joined up
            return;
          }
          path += (pen ? "L" : "M") + xAt(i).toFixed(1) + " " + y(v).toFixed(1);
          pen = true;
        });
        if (path) {
          g.appendChild(svgEl("path", {
            d: path, fill: "none", stroke: s.color, "stroke-width": 2,
            "stroke-linejoin": "round", "stroke-linecap": "round"
          }));
        }
        s.values.forEach(function (v, i) {
          if (!isNum(v)) return;
          var dot = svgEl("circle", {
            cx: xAt(i), cy: y(v), r: labels.length > 45 ? 2 : 3.2, fill: s.color,
            class: "kc-dot"
          });
          tip(dot, formatLabel(labels[i]) + ": " + (s.tooltips[i] || format(v)));
          g.appendChild(dot);
        });
        svg.appendChild(g);
      });
      xLabels(svg, plot, labels, slot, formatLabel);
    });
  }

  // ------------------------------------------------------------------ donut

  function arcPath(cx, cy, r0, r1, a0, a1) {
    var large = a1 - a0 > Math.PI ? 1 : 0;
    var p = function (r, a) {
      return (cx + r * Math.sin(a)).toFixed(2) + " " + (cy - r * Math.cos(a)).toFixed(2);
    };
    return "M" + p(r1, a0) + "A" + r1 + " " + r1 + " 0 " + large + " 1 " + p(r1, a1) +
      "L" + p(r0, a1) + "A" + r0 + " " + r0 + " 0 " + large + " 0 " + p(r0, a0) + "Z";
  }

  function donut(container, data, options) {
    register(container, function () {
      prepare(container);
      var items = (data || []).filter(function (d) {
        return d && isNum(d.value) && d.value > 0;
      });
      var total = items.reduce(function (s, d) {
        return s + d.value;
      }, 0);
      if (!items.length || total <= 0) {
        showEmpty(container, options);
        return;
      }
      var format = opt(options, "format", defaultFormat);
      var width = widthOf(container, options);
      var height = opt(options, "height", 200);
      var svg = newSvg(container, width, height, options);
      var r1 = Math.min(height / 2 - 10, width / 4);
      var r0 = r1 * 0.6;
      var cx = r1 + 12;
      var cy = height / 2;
      var a = 0;
      var g = svgEl("g", { class: "kc-donut" });
      items.forEach(function (d, i) {
        var share = d.value / total;
        var color = colorFor(i, d, options);
        var node;
        if (share >= 0.9999) {
          // a full ring cannot be one arc: two half arcs
          node = svgEl("path", {
            d: arcPath(cx, cy, r0, r1, 0, Math.PI) + arcPath(cx, cy, r0, r1, Math.PI, 2 * Math.PI),
            fill: color
          });
        } else {
          node = svgEl("path", { d: arcPath(cx, cy, r0, r1, a, a + share * 2 * Math.PI), fill: color });
        }
        node.setAttribute("class", "kc-slice");
        tip(node, d.label + ": " + format(d.value) + " (" + Math.round(share * 100) + "%)");
        g.appendChild(node);
        a += share * 2 * Math.PI;
      });
      g.appendChild(svgEl("text", {
        x: cx, y: cy + 2, "text-anchor": "middle", "font-size": 20, "font-weight": 600, fill: INK
      }, format(total)));
      g.appendChild(svgEl("text", {
        x: cx, y: cy + 18, "text-anchor": "middle", fill: MUTED
      }, opt(options, "totalLabel", "total")));
      svg.appendChild(g);
      var lx = cx + r1 + 24;
      var ly = cy - (items.length * 22) / 2 + 12;
      items.forEach(function (d, i) {
        var row = svgEl("g", { class: "kc-legend" });
        row.appendChild(svgEl("rect", {
          x: lx, y: ly + i * 22 - 10, width: 12, height: 12, rx: 2, fill: colorFor(i, d, options)
        }));
        row.appendChild(svgEl("text", { x: lx + 18, y: ly + i * 22, fill: INK },
          truncate(d.label, width - lx - 90, 11)));
        row.appendChild(svgEl("text", {
          x: width - 8, y: ly + i * 22, "text-anchor": "end", fill: MUTED
        }, format(d.value) + " · " + Math.round((d.value / total) * 100) + "%"));
        svg.appendChild(row);
      });
    });
  }

  window.KefuCharts = {
    version: "1",
    bars: bars,
    stackedBars: stackedBars,
    hbars: hbars,
    line: line,
    donut: donut,
    redraw: redrawAll,
    palette: PALETTE.slice(),
    EMPTY_TEXT: EMPTY
  };
})();
