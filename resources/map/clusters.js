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
  // Leaflet.markercluster works on the rounded zoom: with `disableClusteringAtZoom: below` a map at 14.5
  // (zoomSnap 0.5) counted as 15 and showed every case unclustered, one by one, where this page expects
  // clusters (and hides the case layer). Clustering is kept one level further; from `below` on the group
  // is off the map anyway.
  OG.clusterUntil = function (below) { return below + 1; };
  var group = null, members = new Map(), below = 15, wanted = true, colours = {}, labels = {}, canvas = null;

  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // A cluster's cases by status, kept on the cluster and summed from its child clusters, so a refreshed icon
  // costs its children, not every case below it (a district's top clusters hold thousands). `mirror` drops
  // the sums along each changed case's chain of parents; `generation` drops them all when the group was off
  // the map (Leaflet.markercluster then applies the changes itself when it is added again).
  var generation = 0;
  function statusCounts(cluster) {
    if (cluster._ogGen === generation && cluster._ogCounts) return cluster._ogCounts;
    OG.clusterRecounts++;
    var counts = {}, i, s, kids = cluster._childClusters, own = cluster._markers;
    for (i = 0; i < kids.length; i++) {
      var sub = statusCounts(kids[i]);
      for (s in sub) counts[s] = (counts[s] || 0) + sub[s];
    }
    for (i = 0; i < own.length; i++) { s = own[i].og.s; counts[s] = (counts[s] || 0) + 1; }
    cluster._ogCounts = counts;
    cluster._ogGen = generation;
    return counts;
  }
  function forget(m) {   // the sums above a case that moved or left
    for (var p = m.__parent; p; p = p.__parent) p._ogCounts = null;
  }
  // A case that only changed status stays in the same clusters: each sum above it that is still good moves
  // one case from the old status to the new (a few steps up the chain), where dropping them made the next
  // icon refresh count every case of each changed top cluster again (all 10,000 for a sync spread over the
  // district). A sum already dropped is counted afresh from the case's new status when it is next needed.
  OG.clusterRecounts = 0;   // tests: how many sums were counted from their children
  function recount(m, was, now) {
    for (var p = m.__parent; p; p = p.__parent) {
      var counts = p._ogGen === generation && p._ogCounts;
      if (!counts) continue;
      if (counts[was] > 1) counts[was]--; else delete counts[was];
      counts[now] = (counts[now] || 0) + 1;
    }
  }
  // A case joining a cluster (added, or moved) drops the sums on the way up (`_addChild` climbs the parents),
  // before the group draws the icons again.
  var addChild = L.MarkerCluster.prototype._addChild;
  L.MarkerCluster.prototype._addChild = function (child, quiet) {
    this._ogCounts = null;
    return addChild.call(this, child, quiet);
  };

  function iconParts(cluster) {   // the ring's colours, its tooltip, the count and the disc's size
    var counts = statusCounts(cluster), total = 0, s;
    for (s in counts) total += counts[s];
    var stops = [], at = 0, tip = [];
    Object.keys(colours).forEach(function (s) {   // the legend's order
      if (!counts[s]) return;
      var next = at + counts[s] / total * 360;
      stops.push(colours[s] + " " + at.toFixed(1) + "deg " + next.toFixed(1) + "deg");
      tip.push(esc(labels[s] || s) + ": " + counts[s]);
      at = next;
    });
    return {ring: "conic-gradient(" + stops.join(",") + ")", tip: tip.join("&#10;"), total: total,
            size: total < 10 ? 30 : total < 100 ? 36 : total < 1000 ? 44 : 52};
  }
  function iconHtml(p) {
    return "<div class='ring' style='background:" + p.ring + "' title='" + p.tip + "'><span>" + p.total +
           "</span></div>";
  }
  function clusterIcon(cluster) {
    var p = iconParts(cluster), icon = L.divIcon({className: "og-cluster", iconSize: [p.size, p.size], html: iconHtml(p)});
    icon._ogParts = p;   // what an element made from it shows
    return icon;
  }

  // A sync restyles the icons of most clusters on the map. Leaflet.markercluster replaces each icon's element
  // (a new <div>, the old one removed); here the ring, tooltip and count of the element on the map are set in
  // place, and only a change of size builds it again. The icon object keeps the new HTML, for when the
  // cluster is shown again after a zoom. What was last written to the element is kept on the cluster and
  // compared there: reading `style.background` back serialises the whole conic gradient, per icon.
  var updateIcon = L.MarkerCluster.prototype._updateIcon;
  L.MarkerCluster.prototype._updateIcon = function () {
    var el = this._icon, obj = this._iconObj, ring = el && el.firstChild;
    if (this._group !== group || !el || !obj || !ring || !ring.firstChild) return updateIcon.call(this);
    var p = iconParts(this);
    if (obj.options.iconSize[0] !== p.size) return updateIcon.call(this);
    this._iconNeedsUpdate = false;
    // an element is made from its icon's HTML (on a zoom, a pan): it shows the parts that HTML was made of
    if (!this._ogShown || this._ogShown.el !== el) this._ogShown = {el: el, parts: obj._ogParts || {}};
    var was = this._ogShown.parts;
    if (was.ring === p.ring && was.tip === p.tip && was.total === p.total) return;
    obj.options.html = iconHtml(p);
    obj._ogParts = this._ogShown.parts = p;
    if (was.ring !== p.ring) ring.style.background = p.ring;
    if (was.tip !== p.tip) {
      ring.title = p.tip.split("&#10;").join("\n").replace(/&(amp|lt|gt|quot|#39);/g, function (_, e) {
        return {amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'"}[e];
      });
    }
    if (was.total !== p.total) ring.firstChild.textContent = String(p.total);
  };

  function member(d) {
    var m = L.circleMarker([d.lat, d.lon], {radius: 4, fillColor: d.f, fillOpacity: 0.9, color: d.r, renderer: canvas,
                                            weight: 1, opacity: 1, bubblingMouseEvents: false});
    m.og = d;
    return m;
  }

  function mirror(msg) {
    var live = !!group._map;   // off the map, the group only queues the changes (see statusCounts)
    if (msg.reset || !live) generation++;
    if (msg.reset) { group.clearLayers(); members.clear(); }
    var gone = [], fresh = [], restyled = [];
    (msg.remove || []).forEach(function (id) {
      var m = members.get(id);
      if (m) { gone.push(m); members.delete(id); if (live) forget(m); }
    });
    (msg.upsert || []).forEach(function (d) {
      var m = members.get(d.id);
      if (m) {
        var p = m.getLatLng();
        if (p.lat !== d.lat || p.lng !== d.lon) { gone.push(m); members.delete(d.id); if (live) forget(m); m = null; }
        else {
          var was = m.og.s;
          m.og = d;
          // a case inside a cluster is not drawn: its style waits in its options for when it is
          if (m._map) m.setStyle({fillColor: d.f, color: d.r});
          else L.setOptions(m, {fillColor: d.f, color: d.r});
          if (was !== d.s) { restyled.push(m); if (live) recount(m, was, d.s); }
        }
      }
      if (!m) { m = member(d); members.set(d.id, m); fresh.push(m); }
    });
    if (gone.length) group.removeLayers(gone);
    if (fresh.length) group.addLayers(fresh);
    // One refresh for the whole message: each refresh redraws every flagged cluster icon on the map, and
    // a case's change flags each cluster above it. (An array: a circle marker is not an L.Marker.)
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
    // The cases alone outside any cluster get a canvas of their own: on the map's shared canvas a restyle
    // redrew every grid and street under the changed markers' bounding box in the next frame (tens of ms
    // for a sync's 100 cases spread over the district).
    canvas = new OG.DirtyRectCanvas({padding: OG.CANVAS_PADDING, tolerance: 3});
    (cfg.legend.status || []).forEach(function (e) { colours[e.key] = e.colour; labels[e.key] = e.label; });
    group = L.markerClusterGroup({chunkedLoading: false, disableClusteringAtZoom: OG.clusterUntil(below), maxClusterRadius: 60,
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
