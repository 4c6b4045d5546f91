/* corridors report: the interactive map, its legend, the sortable tables and the per-corridor
   maps, drawn from the data embedded in the page (#report-data). No request leaves the page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var MM = 3.78; // CSS pixels per millimetre (96 dpi), as QGIS converts symbol sizes
  var ext = data.extent; // [xmin, ymin, xmax, ymax] in map units (metres)
  var scale = 256 / Math.max(ext[2] - ext[0], ext[3] - ext[1]);
  // a plane CRS in the run's projected metres: distances (and the scale bar) are in metres
  var crs = L.extend({}, L.CRS.Simple, {
    transformation: new L.Transformation(scale, -ext[0] * scale, -scale, ext[3] * scale)
  });
  var bounds = L.latLngBounds([ext[1], ext[0]], [ext[3], ext[2]]);
  // what a row of the ranking selects on the main map: a feature of one layer, by one key
  var pick = data.pick || { layer: "links", key: "Link_ID", label: "link" };

  function rankClass(rank) {
    for (var i = 0; i < data.rank_classes.length; i++) {
      var c = data.rank_classes[i];
      if (rank >= c.low && rank <= c.high) return c;
    }
    return null;
  }

  function categoryColour(s, props) {
    var value = props ? props[s.categories.field] : null;
    for (var i = 0; i < s.categories.classes.length; i++) {
      if (s.categories.classes[i][0] === value) return s.categories.classes[i][1];
    }
    return s.colour;
  }

  function pathStyle(layer, props) {
    var s = layer.style, colour = s.colour, width = s.width;
    if (s.by_rank && props && props.Rank != null) {
      var c = rankClass(props.Rank);
      if (c) { colour = c.colour; if (s.symbol === "line") width = c.width; }
    } else if (s.categories) {
      colour = categoryColour(s, props);
    }
    var st = { className: "lyr-" + layer.name, weight: Math.max(width * MM, 0.5), opacity: 1 };
    if (s.symbol === "fill") {
      st.fillColor = colour; st.fillOpacity = s.alpha / 255; st.color = s.outline;
      st.weight = width > 0 ? Math.max(width * MM, 0.5) : 0; st.stroke = width > 0;
    } else if (s.symbol === "line") {
      st.color = colour; st.opacity = s.alpha / 255;
      if (s.dash === "dash") st.dashArray = "6 3"; else if (s.dash === "dot") st.dashArray = "1.5 3";
      st.lineCap = "round";
    } else {
      st.fillColor = colour; st.fillOpacity = 1; st.color = s.outline; st.radius = s.size * MM / 2;
    }
    return st;
  }

  function cell(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number" && !Number.isInteger(v)) return Number(v.toPrecision(5)).toString();
    return String(v);
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function attributeTable(title, props) {
    var rows = Object.keys(props).map(function (k) {
      return "<tr><th>" + esc(k) + "</th><td>" + esc(cell(props[k])) + "</td></tr>";
    });
    return "<div class='popup'><b>" + esc(title) + "</b><table>" + rows.join("") + "</table></div>";
  }

  // --- one map (the main map or a corridor's) ----------------------------------------------
  var linkLayers = {}; // pick.key (Link_ID, site_id) -> its feature on the main map
  var selected = null;

  function buildMap(el, opts) {
    var map = L.map(el, { crs: crs, zoomSnap: 0.25, minZoom: -2, maxZoom: 10, attributionControl: false,
                          preferCanvas: false });
    L.control.scale({ imperial: false, maxWidth: 150 }).addTo(map);
    var overlays = {};
    var pane = 0;
    // drawing order: data.order is top first; Leaflet panes stack by z-index
    data.order.slice().reverse().forEach(function (name) {
      pane += 1;
      var paneName = "p" + pane;
      map.createPane(paneName).style.zIndex = 400 + pane;
      var r = data.rasters[name];
      if (r) {
        var img = L.imageOverlay(r.png, [[r.bounds[1], r.bounds[0]], [r.bounds[3], r.bounds[2]]],
                                 { opacity: r.opacity, pane: paneName, className: "raster lyr-" + name });
        overlays[name] = img;
        if (r.visible) img.addTo(map);
        return;
      }
      var layer = data.layers[name];
      if (!layer) return;
      var gj = L.geoJSON(layer.geojson, {
        pane: paneName,
        style: function (f) { return pathStyle(layer, f.properties); },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, pathStyle(layer, f.properties)); },
        onEachFeature: function (f, lyr) {
          lyr.bindPopup(attributeTable(layer.title, f.properties), { maxWidth: 420, maxHeight: 320 });
          if (opts.main && name === pick.layer) {
            linkLayers[f.properties[pick.key]] = lyr;
            lyr.on("click", function () { select(f.properties[pick.key], false); });
          }
        }
      });
      overlays[name] = gj;
      if (layer.visible) gj.addTo(map);
    });
    if (opts.control) {
      var named = {};
      data.order.forEach(function (name) {
        var item = data.layers[name] || data.rasters[name];
        if (item && overlays[name]) named[esc(item.title)] = overlays[name];
      });
      var ctrl = L.control.layers(null, named, { collapsed: false, position: "topright" }).addTo(map);
      var side = document.getElementById("layers");  // the toggles sit beside the map, over no data
      if (side) side.appendChild(ctrl.getContainer());
    }
    map.fitBounds(opts.bounds || bounds);
    return map;
  }

  // --- legend ---------------------------------------------------------------------------------
  function swatch(style, colour, width) {
    var c = colour || style.colour;
    if (style.symbol === "line") {
      var dash = style.dash === "dash" ? "stroke-dasharray='6 3'" : style.dash === "dot" ? "stroke-dasharray='1.5 3'" : "";
      return "<svg width='28' height='12'><line x1='2' y1='6' x2='26' y2='6' stroke='" + c + "' stroke-width='" +
        Math.max((width || style.width) * MM, 1) + "' " + dash + "/></svg>";
    }
    if (style.symbol === "marker") {
      return "<svg width='28' height='12'><circle cx='14' cy='6' r='4' fill='" + c + "' stroke='" + style.outline + "'/></svg>";
    }
    return "<svg width='28' height='12'><rect x='2' y='1' width='24' height='10' fill='" + c + "' fill-opacity='" +
      Math.max(style.alpha / 255, 0.15) + "' stroke='" + style.outline + "'/></svg>";
  }

  function legend() {
    var out = [];
    data.order.forEach(function (name) {
      var layer = data.layers[name], r = data.rasters[name];
      if (layer) {
        var s = layer.style;
        if (s.by_rank) {
          out.push("<div class='lg-title'>" + esc(layer.title) + "</div>");
          data.rank_classes.forEach(function (c) {
            out.push("<div>" + swatch(s, c.colour, s.symbol === "line" ? c.width : null) + esc(c.label) + "</div>");
          });
        } else if (s.categories) {
          out.push("<div class='lg-title'>" + esc(layer.title) + "</div>");
          s.categories.classes.forEach(function (c) {
            out.push("<div>" + swatch(s, c[1]) + esc(c[2]) + "</div>");
          });
        } else {
          out.push("<div>" + swatch(s) + esc(layer.title) + "</div>");
        }
      } else if (r) {
        out.push("<div class='lg-title'>" + esc(r.title) + " (" + esc(r.unit) + ")</div>");
        r.legend.forEach(function (item) {
          out.push("<div><span class='ramp' style='background:" + item[0] + "'></span>" + esc(item[1]) + "</div>");
        });
      }
    });
    document.getElementById("legend").innerHTML = out.join("");
  }

  // --- tables -----------------------------------------------------------------------------------
  function renderTable(holder, table, onRow) {
    var t = document.createElement("table");
    t.className = "data sortable";
    t.id = "table-" + table.key;
    var head = "<thead><tr>" + table.columns.map(function (c, i) {
      return "<th data-col='" + i + "' title='sort'>" + esc(c) + "</th>";
    }).join("") + "</tr></thead>";
    var body = table.rows.map(function (row, r) {
      return "<tr data-row='" + r + "'>" + row.map(function (v) {
        return "<td class='" + (typeof v === "number" ? "n" : "l") + "'>" + esc(cell(v)) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    t.innerHTML = head + "<tbody>" + body + "</tbody>";
    holder.appendChild(t);
    t.querySelectorAll("th").forEach(function (th) {
      th.addEventListener("click", function () { sortTable(t, table, +th.dataset.col, th); });
    });
    if (onRow) {
      t.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.addEventListener("click", function () { onRow(table.rows[+tr.dataset.row], tr); });
      });
    }
  }

  function sortTable(t, table, col, th) {
    var asc = th.dataset.order !== "asc";
    t.querySelectorAll("th").forEach(function (h) { delete h.dataset.order; });
    th.dataset.order = asc ? "asc" : "desc";
    var body = t.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = table.rows[+a.dataset.row][col], y = table.rows[+b.dataset.row][col];
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      var cmp = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
      return asc ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  var mainMap;

  function select(linkId, zoom) {
    if (selected !== null && linkLayers[selected]) {
      var old = linkLayers[selected];
      old.setStyle(pathStyle(data.layers[pick.layer], old.feature.properties));
    }
    document.querySelectorAll("#table-ranking tr.sel").forEach(function (tr) { tr.classList.remove("sel"); });
    selected = linkId;
    var lyr = linkLayers[linkId];
    var row = document.querySelector("#table-ranking tr[data-link='" + linkId + "']");
    if (row) row.classList.add("sel");
    if (!lyr) return;
    lyr.setStyle({ color: "#00e5ff", weight: 6 });
    lyr.bringToFront();
    if (zoom) {
      if (lyr.getBounds) mainMap.fitBounds(lyr.getBounds(), { padding: [40, 40], maxZoom: 7 });
      else mainMap.setView(lyr.getLatLng(), Math.max(mainMap.getZoom(), 3));  // a point
      lyr.openPopup();
    }
    document.getElementById("selected").textContent = "Selected " + pick.label + " " + linkId;
  }

  // --- the page ---------------------------------------------------------------------------------
  mainMap = buildMap("map", { main: true, control: true });
  legend();

  var ranking = data.tables[0];
  renderTable(document.getElementById("ranking-holder"), ranking, function (row) {
    select(row[ranking.columns.indexOf(pick.key)], true);
    document.getElementById("map").scrollIntoView({ behavior: "auto", block: "center" });
  });
  var linkCol = ranking.columns.indexOf(pick.key);
  document.querySelectorAll("#table-ranking tbody tr").forEach(function (tr) {
    tr.dataset.link = ranking.rows[+tr.dataset.row][linkCol];
  });
  data.tables.slice(1).forEach(function (table) {
    var holder = document.getElementById("holder-" + table.key);
    if (holder) renderTable(holder, table, null);
  });

  data.top.forEach(function (item) {
    var b = item.bounds; // [xmin, ymin, xmax, ymax]
    var pad = 0.15 * Math.max(b[2] - b[0], b[3] - b[1], 1);
    buildMap("corridor-map-" + item.Link_ID, { main: false, control: false,
      bounds: L.latLngBounds([b[1] - pad, b[0] - pad], [b[3] + pad, b[2] + pad]) });
  });

  // what a test (or a curious reader) can ask the page
  window.corridorsReport = {
    features: function (name) { return (data.layers[name] && data.layers[name].geojson.features.length) || 0; },
    drawn: function (name) { return document.querySelectorAll("#map .lyr-" + name).length; },
    select: select,
    zoom: function () { return mainMap.getZoom(); },
    map: mainMap,
    maps: 1 + data.top.length,
    ready: true
  };
})();
