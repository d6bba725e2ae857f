/* OneGrid map page: sensor markers clustered at city zoom, like the cases (loaded after bridge.js,
 * leaflet.markercluster.js and clusters.js).
 *
 * Below `cfg.cluster.below` (zoom 15) the sensors are shown as clusters: a rounded diamond-like square
 * (a case cluster is a disc) with the count, ringed by the share of each sensor state (normal, warning,
 * alarm, silent, fault, unknown) in its legend colour; a cluster holding a sensor in alarm pulses, so an
 * alarm is seen at city zoom. Clicking one zooms into it, so clusters split as the map zooms in. From that
 * zoom on bridge.js's own sensor markers (pane `og-sensors`) show every sensor; below it that pane is only
 * hidden, so the "Sensors" box of the layer control, the tooltips and `select_sensor` keep working on the
 * one sensor layer. The clusters mirror the sensor messages bridge.js receives.
 */
(function () {
  "use strict";
  var OG = window.OneGrid;
  OG.afterInit = OG.afterInit || [];
  var group = null, members = new Map(), below = 15, wanted = true, colours = {}, labels = {};

  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function counts(markers) {
    var by = {};
    markers.forEach(function (m) { by[m.og.state] = (by[m.og.state] || 0) + 1; });
    return by;
  }

  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers(), by = counts(children), total = children.length;
    var stops = [], at = 0, tip = [];
    Object.keys(colours).concat(Object.keys(by).filter(function (s) { return !(s in colours); }))
      .forEach(function (s) {   // the legend's order; a state the legend does not know, grey, last
        if (!by[s]) return;
        var next = at + by[s] / total * 360;
        stops.push((colours[s] || "#94a3b8") + " " + at.toFixed(1) + "deg " + next.toFixed(1) + "deg");
        tip.push(esc(labels[s] || s) + ": " + by[s]);
        at = next;
      });
    var size = total < 10 ? 28 : total < 100 ? 34 : total < 1000 ? 42 : 50;
    return L.divIcon({className: "og-scluster" + (by.alarm ? " og-scluster-alarm" : ""), iconSize: [size, size],
      html: "<div class='ring' style='background:conic-gradient(" + stops.join(",") + ")' title='" +
            tip.join("&#10;") + "'><span>" + total + "</span></div>"});
  }

  function memberIcon(d) {   // a sensor alone outside any cluster: drawn as bridge.js draws a sensor
    return L.divIcon({className: "og-sensor-one og-s-" + esc(d.state), iconSize: [16, 16], iconAnchor: [8, 8],
                      html: "<i style='background:" + esc(d.colour) + "'></i>"});
  }

  function member(d) {
    var m = L.marker([d.lat, d.lon], {pane: "og-sensor-clusters", icon: memberIcon(d), keyboard: false,
                                      bubblingMouseEvents: false,
                                      title: (d.name || d.id) + " · " + (labels[d.state] || d.state)});
    m.og = d;
    return m;
  }

  function mirror(msg) {
    var gone = [], fresh = [], restyled = [];
    (msg.upsert || []).forEach(function (d) {
      var m = members.get(d.id);
      if (m) {
        var p = m.getLatLng();
        if (p.lat !== d.lat || p.lng !== d.lon) { gone.push(m); members.delete(d.id); m = null; }
        else {
          var changed = m.og.state !== d.state || m.og.colour !== d.colour;
          m.og = d;
          if (changed) { m.setIcon(memberIcon(d)); restyled.push(m); }
        }
      }
      if (!m) { m = member(d); members.set(d.id, m); fresh.push(m); }
    });
    if (gone.length) group.removeLayers(gone);
    if (fresh.length) group.addLayers(fresh);
    if (restyled.length) group.refreshClusters(restyled);   // the rings (and the alarm pulse) follow
  }

  // Clusters below the threshold, bridge.js's sensor markers from it on (their pane only hidden below it).
  function follow() {
    var map = OG.map, clustered = map.getZoom() < below;
    var showGroup = wanted && clustered;
    if (showGroup !== map.hasLayer(group)) { if (showGroup) group.addTo(map); else map.removeLayer(group); }
    map.getPane("og-sensors").style.display = clustered ? "none" : "";
  }

  OG.afterInit.push(function (map, cfg) {
    below = (cfg.cluster && cfg.cluster.below) || 15;
    (cfg.legend.sensor || []).forEach(function (e) { colours[e.key] = e.colour; labels[e.key] = e.label; });
    map.createPane("og-sensor-clusters").style.zIndex = 641;   // above the case clusters, as sensors are
    group = L.markerClusterGroup({chunkedLoading: false, disableClusteringAtZoom: OG.clusterUntil(below), maxClusterRadius: 50,
      showCoverageOnHover: false, spiderfyOnMaxZoom: false, animate: false, removeOutsideVisibleBounds: true,
      clusterPane: "og-sensor-clusters", iconCreateFunction: clusterIcon});
    OG.wireClusters(map, group, {
      click: function (og) { OG.post({type: "sensor_clicked", id: og.id}); },  // a sensor alone: its marker's click
      layer: function () { return OG.sensorLayer; },   // the layer control's "Sensors" box switches both
      wanted: function (on) { wanted = on; },
      op: "sensors", mirror: mirror, follow: follow,
    });
  });

  OG.sensorClusters = function () {   // tests and the bench: what the sensor cluster layer shows now
    var map = OG.map, shown = [], total = 0;
    if (map.hasLayer(group)) {
      group._featureGroup.eachLayer(function (l) {
        var kids = l.getAllChildMarkers ? l.getAllChildMarkers() : [l];
        var el = l.getElement ? l.getElement() : null;
        total += kids.length;
        shown.push({n: kids.length, states: counts(kids),
                    alarm: !!(el && el.classList.contains("og-scluster-alarm")),
                    ring: el && el.querySelector(".ring") ? el.querySelector(".ring").style.background : null});
      });
    }
    var pane = map.getPane("og-sensors");
    return JSON.stringify({on: map.hasLayer(group), sensors_pane: pane.style.display !== "none",
                           members: members.size, shown: shown.length, total_shown: total, zoom: map.getZoom(),
                           clusters: shown.filter(function (c) { return c.n > 1; })});
  };
})();
