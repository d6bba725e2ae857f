/* OneGrid map page: vehicles and field staff (AVL), loaded after bridge.js.
 *
 * Registers on OneGrid.plugins (run once the map exists) and on OneGrid.ops (messages from Python):
 *   vehicles {upsert: [[id, kind, lat, lon, heading|null, stale, unit, label]...], remove: [id...],
 *             reset: bool, units: [unit...]|null}        markers, incremental; `units` filters per unit
 *   vehicle_popup {id, rows: [[label, value]...], case_id}   what a click shows (who, unit, speed, …)
 *   track {id, points: [[lat, lon]...], at: index|null}      a replayed track and where along it
 *   track {at}                                                 move along the line drawn last
 * Messages to Python: vehicle_clicked {id}, vehicle_case {id, case_id} (the popup's case link),
 *   vehicle_track {id} (the popup's track link).
 * One DOM marker per device; an update moves it and turns its heading arrow, no new element.
 */
(function () {
  "use strict";
  var OG = window.OneGrid;
  var map = null, layer = null, trackLayer = null, cursor = null, labels = {};
  var devices = new Map();  // id -> L.Marker (m.og = the row)
  var unitFilter = null;    // null = every unit
  var GLYPH = {sanitation_truck: "\u267B", muck_truck: "\u25B2", patrol_car: "\u2691", inspector_handset: "\u25C9"};

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function html(row) {
    var heading = row[4];
    var arrow = heading == null ? "" :
      '<span class="og-veh-dir" style="transform:rotate(' + Number(heading) + 'deg)"></span>';
    return arrow + '<b>' + (GLYPH[row[1]] || "\u25CF") + '</b>';
  }

  function className(row) {
    return "og-veh og-veh-" + esc(row[1]) + (row[5] ? " og-veh-stale" : "");
  }

  function shown(row) { return !unitFilter || unitFilter.indexOf(row[6]) >= 0; }

  function upsert(row) {
    var id = row[0], m = devices.get(id), ll = [row[2], row[3]];
    if (!m) {
      m = L.marker(ll, {icon: L.divIcon({className: className(row), html: html(row), iconSize: [22, 22]}),
                        keyboard: false, pane: "og-vehicles"});
      m.og = row;
      m.bindTooltip(function () { return esc(m.og[7]); }, {className: "og-tip", direction: "top"});
      m.on("click", function () { OG.post({type: "vehicle_clicked", id: m.og[0]}); });
      devices.set(id, m);
      if (shown(row)) layer.addLayer(m);
      return;
    }
    var old = m.og;
    m.og = row;
    if (old[2] !== row[2] || old[3] !== row[3]) m.setLatLng(ll);
    var el = m.getElement();
    if (el && (old[4] !== row[4] || old[5] !== row[5] || old[1] !== row[1])) {
      el.className = el.className.replace(/og-veh[\w-]*/g, "").trim() + " " + className(row);
      el.innerHTML = html(row);
    } else if (!el) {
      m.setIcon(L.divIcon({className: className(row), html: html(row), iconSize: [22, 22]}));
    }
    if (shown(row) !== layer.hasLayer(m)) { if (shown(row)) layer.addLayer(m); else layer.removeLayer(m); }
  }

  function remove(id) {
    var m = devices.get(id);
    if (m) { layer.removeLayer(m); devices.delete(id); }
  }

  function setFilter(units) {
    unitFilter = units && units.length ? units : null;
    devices.forEach(function (m) {
      var want = shown(m.og);
      if (want !== layer.hasLayer(m)) { if (want) layer.addLayer(m); else layer.removeLayer(m); }
    });
  }

  function popup(msg) {
    var m = devices.get(msg.id);
    if (!m) return false;
    var rows = (msg.rows || []).map(function (r) {
      return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
    }).join("");
    var link = (msg.case_id ? '<a href="#" class="og-veh-case">' + esc(labels.avl_case || "case") + " \u2192</a> " : "")
      + '<a href="#" class="og-veh-track">' + esc(labels.avl_replay || "Track") + " \u2192</a>";
    m.unbindPopup();
    m.bindPopup('<table class="og-veh-pop">' + rows + "</table>" + link, {maxWidth: 360}).openPopup();
    var el = m.getPopup().getElement();
    var a = el && el.querySelector(".og-veh-case");
    if (a) a.addEventListener("click", function (ev) {
      ev.preventDefault(); OG.post({type: "vehicle_case", id: msg.id, case_id: msg.case_id});
    });
    var t = el && el.querySelector(".og-veh-track");
    if (t) t.addEventListener("click", function (ev) {
      ev.preventDefault(); OG.post({type: "vehicle_track", id: msg.id});
    });
    return true;
  }

  var trackPts = [];
  function track(msg) {
    if (msg.points === undefined) {  // only move along the line drawn last
      if (!cursor || !trackPts.length) return 0;
      cursor.setLatLng(trackPts[Math.max(0, Math.min(trackPts.length - 1, msg.at || 0))]);
      return trackPts.length;
    }
    trackLayer.clearLayers();
    cursor = null;
    var pts = trackPts = msg.points || [];
    if (!pts.length) return 0;
    L.polyline(pts, {color: "#2563eb", weight: 4, opacity: 0.8, pane: "og-vehicles"}).addTo(trackLayer);
    var i = msg.at == null ? pts.length - 1 : Math.max(0, Math.min(pts.length - 1, msg.at));
    cursor = L.circleMarker(pts[i], {radius: 8, color: "#1e3a8a", weight: 3, fillColor: "#fbbf24",
                                     fillOpacity: 1, pane: "og-vehicles"}).addTo(trackLayer);
    if (msg.fit) map.fitBounds(trackLayer.getBounds(), {padding: [24, 24], animate: false});
    return pts.length;
  }

  (OG.plugins = OG.plugins || []).push(function (leafletMap, cfg, control) {
    map = leafletMap;
    labels = cfg.labels || {};
    map.createPane("og-vehicles").style.zIndex = 645;
    layer = L.layerGroup().addTo(map);
    trackLayer = L.layerGroup().addTo(map);
    if (control) control.addOverlay(layer, labels.avl_layer || "Vehicles");
  });

  OG.ops = OG.ops || {};
  OG.ops.vehicles = function (msg) {
    if (msg.reset) { layer.clearLayers(); devices.clear(); }
    (msg.remove || []).forEach(remove);
    (msg.upsert || []).forEach(upsert);
    if (msg.units !== undefined) setFilter(msg.units);
    return {vehicles: devices.size, shown: layer.getLayers().length};
  };
  OG.ops.vehicle_popup = function (msg) { return {shown: popup(msg)}; };
  OG.ops.track = function (msg) { return {points: track(msg)}; };

  // for tests and diagnostics
  OG.vehicle = function (id) {
    var m = devices.get(id);
    if (!m) return null;
    var el = m.getElement(), dir = el && el.querySelector(".og-veh-dir");
    return JSON.stringify({id: id, lat: m.getLatLng().lat, lon: m.getLatLng().lng, kind: m.og[1],
      stale: !!(el && el.className.indexOf("og-veh-stale") >= 0), heading: m.og[4], shown: layer.hasLayer(m),
      arrow: dir ? dir.style.transform : null});
  };
  OG.clickVehicle = function (id) {
    var m = devices.get(id);
    if (!m) return false;
    m.fire("click");
    return true;
  };
  OG.trackInfo = function () {
    return JSON.stringify({points: trackPts.length, at: cursor ? [cursor.getLatLng().lat, cursor.getLatLng().lng] : null});
  };
  OG.popupText = function () {
    var el = document.querySelector(".og-veh-pop");
    return el ? el.innerText : null;
  };
})();
