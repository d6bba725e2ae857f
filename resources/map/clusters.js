/* OneGrid map page: case markers clustered at city zoom (loaded after bridge.js and
 * leaflet.markercluster.js).
 *
 * Below `cfg.cluster.below` (zoom 15 by default) the cases are shown as clusters: a disc with the count,
 * ringed by the share of each status in its status colour; clicking one zooms into it, so clusters split
 * as the map zooms in. From that zoom on the page's own case layer draws every marker (its canvas redraws
 * only what changed). The clusters mirror the case messages bridge.js receives, so both layers always
 * hold the same cases; while the map is zoomed in, the cluster layer is off the map and only stores them.
 */
(function () {
  "use strict";
  var OG = window.OneGrid;
  OG.afterInit = OG.afterInit || [];

  // The wiring a cluster layer shares with the others (cases here, sensors in sensor_clusters.js): clicks
  // while picking a place go to the map; a lone marker's click is its own; the layer control's box and the
  // zoom decide what shows; each message of `op` is mirrored into the group.
  OG.wireClusters = function (map, group, o) {
    group.on("click", function (e) {
      if (map.getContainer().classList.contains("og-picking")) { map.fire("click", {latlng: e.latlng}); return; }
      if (e.layer && e.layer.og) o.click(e.layer.og);
    });
    group.on("clusterclick", function (e) {
      if (map.getContainer().classList.contains("og-picking")) map.fire("click", {latlng: e.latlng});
    });
    map.on("overlayadd overlayremove", function (e) {
      if (e.layer !== o.layer()) return;
      o.wanted(e.type === "overlayadd");
      o.follow();
    });
    map.on("zoomend", o.follow);
    var receive = OG.receive;
    OG.receive = function (msg) {
      var answer = receive(msg);
      if (msg.op === o.op) o.mirror(msg);
      return answer;
    };
    o.follow();
  };
  var group = null, members = new Map(), below = 15, wanted = true, colours = {}, labels = {};

  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function clusterIcon(cluster) {
    var counts = {}, total = 0;
    cluster.getAllChildMarkers().forEach(function (m) { counts[m.og.s] = (counts[m.og.s] || 0) + 1; total++; });
    var stops = [], at = 0, tip = [];
    Object.keys(colours).forEach(function (s) {   // the legend's order
      if (!counts[s]) return;
      var next = at + counts[s] / total * 360;
      stops.push(colours[s] + " " + at.toFixed(1) + "deg " + next.toFixed(1) + "deg");
      tip.push(esc(labels[s] || s) + ": " + counts[s]);
      at = next;
    });
    var size = total < 10 ? 30 : total < 100 ? 36 : total < 1000 ? 44 : 52;
    return L.divIcon({className: "og-cluster", iconSize: [size, size],
      html: "<div class='ring' style='background:conic-gradient(" + stops.join(",") + ")' title='" +
            tip.join("&#10;") + "'><span>" + total + "</span></div>"});
  }

  function member(d) {
    var m = L.circleMarker([d.lat, d.lon], {radius: 4, fillColor: d.f, fillOpacity: 0.9, color: d.r,
                                            weight: 1, opacity: 1, bubblingMouseEvents: false});
    m.og = d;
    return m;
  }

  function mirror(msg) {
    if (msg.reset) { group.clearLayers(); members.clear(); }
    var gone = [], fresh = [], restyled = [];
    (msg.remove || []).forEach(function (id) {
      var m = members.get(id);
      if (m) { gone.push(m); members.delete(id); }
    });
    (msg.upsert || []).forEach(function (d) {
      var m = members.get(d.id);
      if (m) {
        var p = m.getLatLng();
        if (p.lat !== d.lat || p.lng !== d.lon) { gone.push(m); members.delete(d.id); m = null; }
        else {
          var refresh = m.og.s !== d.s;
          m.og = d;
          // a case inside a cluster is not drawn: its style waits in its options for when it is
          if (m._map) m.setStyle({fillColor: d.f, color: d.r});
          else L.setOptions(m, {fillColor: d.f, color: d.r});
          if (refresh) restyled.push(m);
        }
      }
      if (!m) { m = member(d); members.set(d.id, m); fresh.push(m); }
    });
    if (gone.length) group.removeLayers(gone);
    if (fresh.length) group.addLayers(fresh);
    // One refresh for the whole message: each refresh redraws every flagged cluster icon on the map, and
    // an icon counts the statuses of all its cases, so a refresh per marker made a 100-case sync redraw
    // the district's big clusters 100 times. (An array: a circle marker is not an L.Marker.)
    if (restyled.length) group.refreshClusters(restyled);
  }

  // Clusters below the threshold, the case layer's own canvas from it on. The case layer stays on the map
  // (its box in the layer control stays ticked, and the operator's box switches both); below the threshold
  // its canvas is only hidden.
  function follow() {
    var map = OG.map, clustered = map.getZoom() < below;
    var showGroup = wanted && clustered;
    if (showGroup !== map.hasLayer(group)) { if (showGroup) group.addTo(map); else map.removeLayer(group); }
    if (OG.caseRenderer) OG.caseRenderer.setShown(!clustered);
  }
  function casesShown() {
    var canvas = OG.caseRenderer && OG.caseRenderer._container;
    return OG.map.hasLayer(OG.caseLayer) && !!canvas && canvas.style.display !== "none";
  }

  OG.afterInit.push(function (map, cfg) {
    below = (cfg.cluster && cfg.cluster.below) || 15;
    (cfg.legend.status || []).forEach(function (e) { colours[e.key] = e.colour; labels[e.key] = e.label; });
    group = L.markerClusterGroup({chunkedLoading: false, disableClusteringAtZoom: below, maxClusterRadius: 60,
      showCoverageOnHover: false, spiderfyOnMaxZoom: false, animate: false, removeOutsideVisibleBounds: true,
      iconCreateFunction: clusterIcon});
    OG.wireClusters(map, group, {
      click: function (og) { OG.clickCase(og.id); },   // a case alone outside any cluster: as a click on its marker
      layer: function () { return OG.caseLayer; },     // the layer control's "Cases" box switches both
      wanted: function (on) { wanted = on; },
      op: "cases", mirror: mirror, follow: follow,
    });
  });

  OG.clusters = function () {   // tests and the bench: what the cluster layer shows now
    var map = OG.map, shown = [], total = 0;
    if (map.hasLayer(group)) {
      group._featureGroup.eachLayer(function (l) {
        var n = l.getChildCount ? l.getChildCount() : 1;
        total += n;
        shown.push({n: n, lat: l.getLatLng().lat, lon: l.getLatLng().lng,
                    statuses: l.getAllChildMarkers ? l.getAllChildMarkers().map(function (m) { return m.og.s; })
                                                   .filter(function (s, i, a) { return a.indexOf(s) === i; }) : [l.og.s]});
      });
    }
    return JSON.stringify({on: map.hasLayer(group), cases_layer: casesShown(), members: members.size,
                           shown: shown.length, total_shown: total, zoom: map.getZoom(),
                           clusters: shown.filter(function (c) { return c.n > 1; })});
  };
})();
