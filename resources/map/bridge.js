/* OneGrid map page: the page's own code (loaded after leaflet.js and qwebchannel.js).
 *
 * Python talks to the page only through OneGrid.receive(message) (called with runJavaScript); the page
 * talks to Python only through the one QWebChannel object "bridge": bridge.post(json) -> json.
 *
 * Messages from Python (message.op):
 *   cases   {upsert: [marker...], remove: [id...], reset: bool}   incremental case markers
 *   sensors {upsert: [sensor...]}                                  sensor markers (state colours)
 *   select  {id: string|null, pan: bool}                           highlight (and pan to) a case
 *   select_sensor {id}                                             pan to a sensor and pulse it
 *   pick    {on: bool}                                             "pick a location" mode
 *   base    {on: bool}                                             show/hide the raster base map
 *   theme   {name: "light"|"dark"}                                 follow the console's theme (live)
 *   photos  {id, thumbs: [{url, label, title}...], total}          a case's thumbnails in a popup on its marker
 * Messages to Python (message.type): ready, case_clicked {id}, sensor_clicked {id},
 *   location_picked {lat, lon}, pick_cancelled, error {message}.
 * Every asset is local; nothing here makes a network request.
 */
(function () {
  "use strict";
  var OG = (window.OneGrid = {});
  var map = null, cfg = null, bridge = null, renderer = null, pending = [];
  var caseLayer, sensorLayer, gridLayer, gridLabels, streetLayer, streetLabels;
  var unitLayers = {};       // unit kind -> L.layerGroup (areas and their labels)
  var baseLayer = null, highlight = null, selectedId = null, pickOn = false, banner = null;
  var markers = new Map();   // case id -> L.CircleMarker
  var sensors = new Map();   // sensor id -> L.CircleMarker
  var mapReady = false, channelReady = false, readySent = false;
  // Vector-map colours per console theme (ui/theme.py); the page's CSS follows the `og-dark` class.
  var THEMES = {
    light: {streetFills: ["#f4efe1", "#e8f1e4", "#e6eef6", "#f6e9ec", "#efe9f6", "#f2f2e2"],
            gridLine: "#94a3b8", gridFillOpacity: 0.75, streetLine: "#334155", highlight: "#111827",
            onTimeRing: null},
    dark: {streetFills: ["#1f2a36", "#1c2b26", "#1b2638", "#2c2230", "#252238", "#2a2a20"],
           gridLine: "#3d4b5c", gridFillOpacity: 0.9, streetLine: "#8b9bb0", highlight: "#f8fafc",
           onTimeRing: "#c9d3dd"}
  };
  var theme = THEMES.light, themeName = "light";

  function post(msg) {
    if (!bridge) { pending.push(msg); return; }
    bridge.post(JSON.stringify(msg), function () {});
  }
  OG.post = post;

  function maybeReady() {
    if (mapReady && channelReady && !readySent) {
      readySent = true;
      post({type: "ready", cases: markers.size});
    }
  }

  function connectChannel() {
    if (typeof QWebChannel === "undefined" || !window.qt || !qt.webChannelTransport) {
      return;  // opened outside the console (a plain browser): the map still draws
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      bridge = channel.objects.bridge;
      channelReady = true;
      var queued = pending; pending = [];
      queued.forEach(post);
      maybeReady();
    });
  }

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function label(key) { return (cfg.labels && cfg.labels[key]) || key; }

  // ------------------------------------------------------------------ static layers

  function buildStatic() {
    var L_ = cfg.layers || {};
    var streetIndex = {};
    (L_.streets && L_.streets.features || []).forEach(function (f, i) { streetIndex[f.properties.code] = i; });
    streetLayer = L.geoJSON(L_.streets, {
      interactive: false,
      style: streetStyle
    });
    gridStyle = function (f) {
      var i = streetIndex[f.properties.street] || 0;
      var fills = theme.streetFills;
      var under = baseLayer && map && map.hasLayer(baseLayer);  // a base map shows through the grids
      return {color: theme.gridLine, weight: 1, opacity: 0.9, fillColor: fills[i % fills.length],
              fillOpacity: under ? 0.12 : theme.gridFillOpacity};
    };
    gridLayer = L.geoJSON(L_.grids, {
      style: gridStyle,
      onEachFeature: function (f, layer) {
        layer.bindTooltip("<b>" + esc(f.properties.code) + "</b><br>" + esc(f.properties.name),
                          {sticky: true, className: "og-tip"});
      }
    });
    gridLabels = L.layerGroup();
    (L_.grids && L_.grids.features || []).forEach(function (f) {
      var c = f.properties.centroid;
      var m = L.marker(c, {interactive: false, keyboard: false,
        icon: L.divIcon({className: "og-grid-label", iconSize: null,
          html: "<span class='s'>" + esc(f.properties.short) + "</span><span class='l'>" +
                esc(f.properties.code) + "</span>"})});
      gridLabels.addLayer(m);
    });
    streetLabels = L.layerGroup();
    (L_.streets && L_.streets.features || []).forEach(function (f) {
      streetLabels.addLayer(L.marker(f.properties.label_at, {interactive: false, keyboard: false,
        icon: L.divIcon({className: "og-street-label", iconSize: null,
                         html: "<span>" + esc(f.properties.name) + "</span>"})}));
    });
    var units = L_.unit_areas || {features: [], kinds: {}};
    Object.keys(units.kinds || {}).forEach(function (kind) {
      var group = L.layerGroup();
      var feats = units.features.filter(function (f) { return f.properties.kind === kind; });
      group.addLayer(L.geoJSON({type: "FeatureCollection", features: feats}, {
        style: function (f) {
          var sub = f.properties.level >= 3;
          return {color: f.properties.colour, weight: sub ? 2 : 3, dashArray: sub ? "3 4" : "8 5",
                  opacity: 0.95, fillColor: f.properties.colour, fillOpacity: sub ? 0.05 : 0.12};
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip("<b>" + esc(f.properties.name) + "</b><br>" + esc(label("streets")) + ": " +
                            esc(f.properties.streets.join(", ")) + "<br>" + esc(label("grids")) + ": " +
                            esc(f.properties.grids), {sticky: true, className: "og-tip"});
          layer.on("click", function (e) { if (pickOn) picked(e.latlng); });
        }
      }));
      feats.forEach(function (f) {
        group.addLayer(L.marker(f.properties.label_at, {interactive: false, keyboard: false,
          icon: L.divIcon({className: "og-unit-label", iconSize: null,
            html: "<span style='color:" + f.properties.colour + "'>" + esc(f.properties.name) + "</span>"})}));
      });
      unitLayers[kind] = group;
    });
  }

  var gridStyle = null;
  function streetStyle() { return {color: theme.streetLine, weight: 3, opacity: 0.9, fill: false}; }

  // Light or dark (the console's theme): page colours by CSS class, vector layers restyled in place.
  function setTheme(name) {
    var next = THEMES[name] ? name : "light";
    // the page is built in the console's theme: the "theme" message after each load changes nothing
    if (next === themeName && theme === THEMES[next] && gridLayer) return themeName;
    themeName = next;
    theme = THEMES[themeName];
    document.documentElement.classList.toggle("og-dark", themeName === "dark");
    if (gridLayer && gridStyle) gridLayer.setStyle(gridStyle);
    if (streetLayer) streetLayer.setStyle(streetStyle);
    if (highlight) highlight.setStyle({color: theme.highlight});
    markers.forEach(function (m) { m.setStyle(styleOf(m.og)); });
    return themeName;
  }
  OG.setTheme = setTheme;

  function updateLabels() {
    var z = map.getZoom();
    var el = map.getContainer();
    el.classList.toggle("og-z-short", z >= cfg.label_zoom.grid_short && z < cfg.label_zoom.grid_code);
    el.classList.toggle("og-z-code", z >= cfg.label_zoom.grid_code);
    var showGridLabels = map.hasLayer(gridLayer) && z >= cfg.label_zoom.grid_short;
    if (showGridLabels && !map.hasLayer(gridLabels)) gridLabels.addTo(map);
    if (!showGridLabels && map.hasLayer(gridLabels)) map.removeLayer(gridLabels);
    var showStreet = map.hasLayer(streetLayer) && z <= cfg.label_zoom.street_max;
    if (showStreet && !map.hasLayer(streetLabels)) streetLabels.addTo(map);
    if (!showStreet && map.hasLayer(streetLabels)) map.removeLayer(streetLabels);
  }

  // ------------------------------------------------------------------ the case layer's canvas

  // Leaflet's canvas renderer redraws, per frame, the one rectangle that bounds every marker changed
  // since the last frame. A sync batch touches cases spread over the whole district, so that rectangle
  // is the whole canvas and all 10,000 markers are drawn again for 100 changed ones (in QtWebEngine
  // without a GPU the frame that rasterises them then takes 60–90 ms). This renderer keeps each changed
  // marker's own rectangle instead and redraws only those: it clears them, clips to them and draws the
  // markers that touch one, in Leaflet's order. Past MAX_DIRTY rectangles (a reset, a theme switch) it
  // falls back to Leaflet's single rectangle; a pan or zoom still redraws everything, as before.
  var MAX_DIRTY = 400, DIRTY_CELL = 64;
  function inked(layer) {  // the pixels a marker paints: [x0, y0, x1, y1] (Leaflet's _pxBounds add the
    var p = layer._point;  // click tolerance), null for a layer not drawn yet
    if (!p || layer._radius === undefined) {
      var b = layer._pxBounds;
      return b ? [b.min.x, b.min.y, b.max.x, b.max.y] : null;
    }
    // L.Canvas draws the radius rounded; the stroke's half width and antialiasing spill past it
    var r = Math.max(Math.round(layer._radius), 1) + (layer.options.stroke ? (layer.options.weight || 0) / 2 : 0) + 2;
    return [p.x - r, p.y - r, p.x + r, p.y + r];
  }
  var DirtyRectCanvas = L.Canvas.extend({
    _extendRedrawBounds: function (layer) {
      L.Canvas.prototype._extendRedrawBounds.call(this, layer);
      if (!layer._pxBounds || this._dirtyRects === null) return;  // null: too many, the union is used
      var rects = this._dirtyRects || (this._dirtyRects = []);
      if (rects.length >= MAX_DIRTY) { this._dirtyRects = null; return; }
      var b = inked(layer), last = rects[rects.length - 1];
      var r = [Math.floor(b[0]) - 1, Math.floor(b[1]) - 1, Math.ceil(b[2]) + 1, Math.ceil(b[3]) + 1];
      if (last && last[0] === r[0] && last[1] === r[1] && last[2] === r[2] && last[3] === r[3]) return;
      rects.push(r);  // (an upsert asks three times for the same rectangle: old place, new place, style)
    },
    _initContainer: function () {
      L.Canvas.prototype._initContainer.call(this);
      if (this._ogHidden) this._container.style.display = "none";
    },
    _updatePaths: function () {  // a full redraw (pan, zoom, resize)
      this._dirtyRects = undefined;
      L.Canvas.prototype._updatePaths.call(this);
    },
    _redraw: function () {
      var rects = this._dirtyRects;
      this._dirtyRects = undefined;
      if (this._ogHidden) {  // at city zoom (clusters.js): nothing is shown, the next setShown(true) draws all
        this._redrawRequest = null;
        this._redrawBounds = null;
        this._ogStale = true;
        return;
      }
      if (!rects || !rects.length || !this._redrawBounds) {
        L.Canvas.prototype._redraw.call(this);
        this._ogFull = (this._ogFull || 0) + 1;
        return;
      }
      this._redrawRequest = null;
      this._redrawBounds = null;
      this._drawRects(rects);
      this._ogPartial = (this._ogPartial || 0) + 1;
    },
    // Hidden, the canvas is not drawn at all: in QtWebEngine without a GPU a canvas draw is rasterised on
    // the page's main thread even while the canvas is not displayed (100-300 ms for a sync's 100 markers).
    setShown: function (shown) {
      this._ogHidden = !shown;
      if (!this._container) return;  // made with the first marker: _initContainer hides it then
      this._container.style.display = shown ? "" : "none";
      if (shown && this._ogStale) {
        this._ogStale = false;
        this._redrawBounds = null;
        L.Canvas.prototype._redraw.call(this);  // everything, as after a pan
        this._ogFull = (this._ogFull || 0) + 1;
      }
    },
    _drawRects: function (rects) {
      // Disjoint rectangles (overlapping ones merged), each a simple clip: a marker on two of them is
      // drawn once into each, never twice over the same pixels (fills are translucent). One pass over
      // the markers, in drawing order, sorts them to the rectangles they touch (a grid of the latter).
      rects = disjoint(rects);
      var ctx = this._ctx, cells = new Map(), lists = [], i, j, r, x, y, key, order, layer, b, cell, seen;
      for (i = 0; i < rects.length; i++) {
        r = rects[i];
        lists.push([]);
        for (x = Math.floor(r[0] / DIRTY_CELL); x <= Math.floor(r[2] / DIRTY_CELL); x++) {
          for (y = Math.floor(r[1] / DIRTY_CELL); y <= Math.floor(r[3] / DIRTY_CELL); y++) {
            key = x * 100003 + y;
            (cells.get(key) || cells.set(key, []).get(key)).push(i);
          }
        }
      }
      for (order = this._drawFirst; order; order = order.next) {
        layer = order.layer;
        b = layer._pxBounds && inked(layer);
        if (!b) continue;
        seen = null;
        for (x = Math.floor(b[0] / DIRTY_CELL); x <= Math.floor(b[2] / DIRTY_CELL); x++) {
          for (y = Math.floor(b[1] / DIRTY_CELL); y <= Math.floor(b[3] / DIRTY_CELL); y++) {
            cell = cells.get(x * 100003 + y);
            if (!cell) continue;
            for (j = 0; j < cell.length; j++) {
              r = rects[cell[j]];
              if (b[0] < r[2] && b[2] > r[0] && b[1] < r[3] && b[3] > r[1] && !(seen && seen[cell[j]])) {
                (seen || (seen = {}))[cell[j]] = true;
                lists[cell[j]].push(layer);
              }
            }
          }
        }
      }
      this._drawing = true;
      for (i = 0; i < rects.length; i++) {
        r = rects[i];
        ctx.save();
        ctx.clearRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
        ctx.beginPath();
        ctx.rect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
        ctx.clip();
        for (j = 0; j < lists[i].length; j++) lists[i][j]._updatePath();
        ctx.restore();
      }
      this._drawing = false;
    }
  });
  OG.DirtyRectCanvas = DirtyRectCanvas;  // clusters.js draws its lone cases on one of its own
  // How far a case canvas reaches past the view on each side (Leaflet's own default). Without a GPU, every
  // frame that changes a canvas hands its whole bitmap to the compositor: at 0.3 that was 1.6 x 1.6 views
  // (9.8 MB at 1200x800) for a sync's few changed markers, at 0.1 it is 1.2 x 1.2 (44 % less). A pan past
  // the padding redraws the canvas at its end, as before.
  OG.CANVAS_PADDING = 0.1;
  function disjoint(rects) {  // merge overlapping rectangles [x0, y0, x1, y1] until none overlap
    var out = rects.slice(), merged = true, i, j, a, b;
    while (merged) {
      merged = false;
      for (i = 0; i < out.length; i++) {
        for (j = i + 1; j < out.length; j++) {
          a = out[i]; b = out[j];
          if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) {
            out[i] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
            out.splice(j, 1);
            merged = true;
            j = i;  // the grown rectangle may now meet earlier ones
          }
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ cases

  function caseTooltip(layer) {
    var d = layer.og || {};
    var s = (cfg.legend.status || []).filter(function (e) { return e.key === d.s; })[0];
    var t = (cfg.legend.time_left || []).filter(function (e) { return e.key === d.t; })[0];
    return "<b>" + esc(d.n) + "</b> " + esc(s ? s.label : d.s) + "<br>" + esc(d.c) +
           (d.u ? " · " + esc(d.u) : "") +
           (d.cu ? "<br>" + esc(label("co_units")) + ": " + esc(d.cu.split(",").join(", ")) : "") +
           (t ? "<br><span style='color:" + t.colour + "'>" +
           esc(t.label) + "</span>" : "");
  }

  var radius = 5;
  function radiusFor(zoom) { return zoom <= 14 ? 3.5 : zoom <= 15 ? 4.5 : zoom <= 16 ? 5.5 : 6.5; }
  function styleOf(d) {
    var selected = d.id === selectedId;
    var ring = d.t === "on_time" && theme.onTimeRing ? theme.onTimeRing : d.r;  // dark ring on a dark map
    return {radius: selected ? radius + 3 : radius, fillColor: d.f, fillOpacity: 0.9, color: ring,
            weight: d.w, opacity: 1};
  }
  function rescaleMarkers() {
    var r = radiusFor(map.getZoom());
    if (r === radius) return;
    radius = r;
    markers.forEach(function (m) { m.setRadius(m.og.id === selectedId ? r + 3 : r); });
  }

  function upsertCase(d) {
    var m = markers.get(d.id);
    if (m) {
      // only what changed: a sync mostly restyles cases in place, and each setLatLng/setStyle asks the canvas
      // to draw the marker again
      var was = m.og, p = m.getLatLng();
      m.og = d;
      if (p.lat !== d.lat || p.lng !== d.lon) m.setLatLng([d.lat, d.lon]);
      if (was.f !== d.f || was.r !== d.r || was.w !== d.w || was.t !== d.t) m.setStyle(styleOf(d));
    } else {
      m = L.circleMarker([d.lat, d.lon], Object.assign({renderer: renderer, bubblingMouseEvents: false},
                                                       styleOf(d)));
      m.og = d;
      markers.set(d.id, m);
      caseLayer.addLayer(m);
    }
    if (d.id === selectedId) placeHighlight();
  }

  function removeCase(id) {
    var m = markers.get(id);
    if (!m) return;
    caseLayer.removeLayer(m);
    markers.delete(id);
    if (id === selectedId) placeHighlight();
  }

  function placeHighlight() {
    var m = selectedId && markers.get(selectedId);
    if (!m) { if (highlight) { map.removeLayer(highlight); highlight = null; } return; }
    if (!highlight) {
      highlight = L.circleMarker(m.getLatLng(), {pane: "og-highlight", radius: 15, color: theme.highlight,
        weight: 3, fill: false, interactive: false, className: "og-highlight"}).addTo(map);
    }
    highlight.setLatLng(m.getLatLng());
  }

  function select(id, pan) {
    var old = selectedId && markers.get(selectedId);
    selectedId = id || null;
    if (old) old.setStyle(styleOf(old.og));
    var m = selectedId && markers.get(selectedId);
    if (m) {
      m.setStyle(styleOf(m.og));
      m.bringToFront();
      if (pan) {
        stopAutoFit();
        var z = Math.max(map.getZoom(), cfg.select_zoom || 16);
        if (z !== map.getZoom() || !map.getBounds().pad(-0.1).contains(m.getLatLng())) {
          map.setView(m.getLatLng(), z, {animate: false});
        }
      }
    }
    placeHighlight();
    return !!m;
  }

  // The urls are onegrid://photos/… : the console's own photo cache, never the network.
  function showPhotos(msg) {
    var m = markers.get(msg.id);
    if (!m) return 0;
    var thumbs = msg.thumbs || [];
    if (!thumbs.length) { m.closePopup(); m.unbindPopup(); return 0; }
    var html = "<div class='og-photos'><b>" + esc(m.og.n) + "</b><div>" + thumbs.map(function (t) {
      return "<figure style='display:inline-block;margin:2px;text-align:center'><img src='" + esc(t.url) +
             "' title='" + esc(t.title) + "' style='width:72px;height:72px;object-fit:cover'>" +
             "<figcaption style='font-size:10px'>" + esc(t.label) + "</figcaption></figure>";
    }).join("") + "</div>" + (msg.total > thumbs.length ? "<div>+" + (msg.total - thumbs.length) + "</div>" : "") +
      "</div>";
    m.unbindPopup();
    m.bindPopup(html, {maxWidth: 360, autoPan: true, className: "og-photo-popup"}).openPopup();
    return thumbs.length;
  }

  // ------------------------------------------------------------------ sensors

  function sensorTooltip(layer) {
    var d = layer.og || {};
    var st = (cfg.legend.sensor || []).filter(function (e) { return e.key === d.state; })[0];
    var value = d.value == null ? "—" : (Math.round(d.value * 1000) / 1000) + " " + esc(d.uom);
    return "<b>" + esc(d.name) + "</b><br>" + esc(d.id) + " · " + value + "<br><span style='color:" +
           d.colour + "'>" + esc(st ? st.label : d.state) + "</span>";
  }

  function sensorIcon(d) {
    // a diamond (cases are circles), pulsing while in alarm
    return L.divIcon({className: "og-sensor og-s-" + d.state, iconSize: [16, 16], iconAnchor: [8, 8],
                      html: "<i style='background:" + d.colour + "'></i>"});
  }

  function upsertSensor(d) {
    var m = sensors.get(d.id);
    if (m) {
      var changed = !m.og || m.og.state !== d.state || m.og.colour !== d.colour;
      m.og = d;
      m.setLatLng([d.lat, d.lon]);
      if (changed) m.setIcon(sensorIcon(d));
    } else {
      m = L.marker([d.lat, d.lon], {pane: "og-sensors", icon: sensorIcon(d), keyboard: false,
                                    bubblingMouseEvents: false});
      m.og = d;
      sensors.set(d.id, m);
      sensorLayer.addLayer(m);
    }
  }

  // ------------------------------------------------------------------ pick mode

  function setPick(on) {
    pickOn = !!on;
    map.getContainer().classList.toggle("og-picking", pickOn);
    if (pickOn && !banner) {
      banner = L.DomUtil.create("div", "og-pick-banner", map.getContainer());
      banner.textContent = label("pick_banner");
    } else if (!pickOn && banner) {
      banner.remove(); banner = null;
    }
  }

  function picked(latlng) {
    setPick(false);
    post({type: "location_picked", lat: latlng.lat, lon: latlng.lng});
  }

  // ------------------------------------------------------------------ legend

  function legendControl() {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "og-legend");
      var wide = map.getContainer().clientWidth >= 900;
      var html = "<details" + (wide ? " open" : "") + "><summary>" + esc(label("legend")) + "</summary>";
      html += "<h4>" + esc(label("legend_status")) + "</h4>";
      cfg.legend.status.forEach(function (e) {
        html += "<div><i class='dot' style='background:" + e.colour + "'></i>" + esc(e.label) + "</div>";
      });
      html += "<h4>" + esc(label("legend_time_left")) + "</h4>";
      cfg.legend.time_left.forEach(function (e) {
        html += "<div><i class='ring k-" + e.key + "' style='border-color:" + e.colour + ";border-width:" +
                Math.max(1, Math.round(e.weight)) + "px'></i>" + esc(e.label) + "</div>";
      });
      html += "<h4>" + esc(label("legend_sensor")) + "</h4>";
      cfg.legend.sensor.forEach(function (e) {
        html += "<div><i class='dot sensor' style='background:" + e.colour + "'></i>" + esc(e.label) +
                "</div>";
      });
      html += "</details>";
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return ctl;
  }

  // ------------------------------------------------------------------ init

  // Until the operator moves the map (or a selection does), it keeps the whole district in view as
  // the view changes size: a dock starts hidden in a background tab, then shows, floats, resizes.
  var autoFit = true;
  function fitDistrict() {
    var size = map.getSize();
    if (!cfg.bounds || !autoFit || size.x < 50 || size.y < 50) return;
    map.fitBounds(cfg.bounds, {padding: [12, 12], animate: false});
  }
  function stopAutoFit() { autoFit = false; }

  OG.init = function (leafletMap, config) {
    map = leafletMap;
    cfg = config;
    cfg.label_zoom = cfg.label_zoom || {grid_short: 16, grid_code: 18, street_max: 16};
    setTheme(cfg.theme || "light");
    map.setMinZoom(cfg.min_zoom || 10);
    map.setMaxZoom(cfg.max_zoom || 20);
    renderer = new DirtyRectCanvas({padding: OG.CANVAS_PADDING, tolerance: 3});
    map.createPane("og-sensors").style.zIndex = 640;
    map.createPane("og-highlight").style.zIndex = 650;
    map.getPane("og-highlight").style.pointerEvents = "none";
    map.attributionControl.setPrefix(false);
    if (cfg.tiles) {
      baseLayer = L.tileLayer(cfg.tiles.url, {maxZoom: cfg.tiles.max_zoom || 19, minZoom: 0,
        maxNativeZoom: cfg.tiles.max_native_zoom || cfg.tiles.max_zoom || 19,
        attribution: cfg.tiles.attribution || "", crossOrigin: false, keepBuffer: 2});
    }
    buildStatic();
    caseLayer = L.featureGroup();
    caseLayer.bindTooltip(caseTooltip, {sticky: true, className: "og-tip"});
    caseLayer.on("click", function (e) {
      if (pickOn) { picked(e.latlng || e.layer.getLatLng()); return; }
      var d = e.layer && e.layer.og;
      if (d) post({type: "case_clicked", id: d.id});
    });
    sensorLayer = L.featureGroup();
    sensorLayer.bindTooltip(sensorTooltip, {sticky: true, className: "og-tip"});
    sensorLayer.on("click", function (e) {
      if (pickOn) { picked(e.latlng || e.layer.getLatLng()); return; }
      var d = e.layer && e.layer.og;
      if (d) post({type: "sensor_clicked", id: d.id});
    });
    gridLayer.on("click", function (e) { if (pickOn) picked(e.latlng); });
    map.on("click", function (e) { if (pickOn) picked(e.latlng); });

    gridLayer.addTo(map);
    streetLayer.addTo(map);
    caseLayer.addTo(map);
    sensorLayer.addTo(map);
    if (baseLayer && cfg.tiles.on) baseLayer.addTo(map);
    var overlays = {};
    overlays[label("layer_grids")] = gridLayer;
    overlays[label("layer_streets")] = streetLayer;
    var kinds = (cfg.layers.unit_areas && cfg.layers.unit_areas.kinds) || {};
    Object.keys(unitLayers).forEach(function (kind) {
      overlays[label("layer_units") + ": " + (kinds[kind] || kind)] = unitLayers[kind];
    });
    overlays[label("layer_cases")] = caseLayer;
    overlays[label("layer_sensors")] = sensorLayer;
    var bases = null;
    if (baseLayer) { overlays[label("layer_base")] = baseLayer; }
    // open on a wide map; behind its button (hover or click opens it) on a console's dock, where the open
    // list covered a third of the map and the popups under it
    var layersControl = L.control.layers(bases, overlays, {collapsed: map.getSize().x < 1000,
                                                           position: "topright"}).addTo(map);
    (OG.plugins || []).forEach(function (plugin) { plugin(map, cfg, layersControl); });  // vehicles.js, …
    legendControl().addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    map.on("zoomend overlayadd overlayremove", updateLabels);
    map.on("layeradd layerremove", function (e) { if (e.layer === baseLayer) gridLayer.setStyle(gridStyle); });
    if (baseLayer && map.hasLayer(baseLayer)) gridLayer.setStyle(gridStyle);
    OG.map = map;                                     // for the page's other scripts (basemap.js, …)
    OG.post = post;
    OG.baseLayer = baseLayer;
    OG.caseLayer = caseLayer;
    OG.caseRenderer = renderer;
    OG.stopAutoFit = stopAutoFit;                     // a view the operator chose (search.js) is kept
    OG.sensorLayer = sensorLayer;
    map.on("zoomend", rescaleMarkers);
    if (cfg.bounds) map.fitBounds(cfg.bounds, {padding: [12, 12], animate: false});
    map.on("resize", fitDistrict);
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
      map.getContainer().addEventListener(name, stopAutoFit, {passive: true});
    });
    radius = radiusFor(map.getZoom());
    updateLabels();
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && pickOn) { setPick(false); post({type: "pick_cancelled"}); }
    });
    (OG.afterInit || []).forEach(function (fn) { fn(map, cfg); });  // basemap.js, clusters.js, search.js
    mapReady = true;
    maybeReady();
  };

  // ------------------------------------------------------------------ from Python

  OG.receive = function (msg) {
    try {
      switch (msg.op) {
        case "cases":
          if (msg.reset) { caseLayer.clearLayers(); markers.clear(); }
          (msg.remove || []).forEach(removeCase);
          (msg.upsert || []).forEach(upsertCase);
          return JSON.stringify({cases: markers.size});
        case "sensors":
          (msg.upsert || []).forEach(upsertSensor);
          return JSON.stringify({sensors: sensors.size});
        case "select":
          return JSON.stringify({found: select(msg.id, msg.pan !== false)});
        case "select_sensor":
          var s = sensors.get(msg.id);
          if (s) {
            stopAutoFit();
            map.setView(s.getLatLng(), Math.max(map.getZoom(), cfg.select_zoom || 16), {animate: false});
            try { sensorLayer.openTooltip(s); } catch (e) { /* the tooltip is a nicety */ }
          }
          return JSON.stringify({found: !!s});
        case "pick":
          setPick(msg.on);
          return JSON.stringify({pick: pickOn});
        case "theme":
          return JSON.stringify({theme: setTheme(msg.name)});
        case "photos":
          return JSON.stringify({photos: showPhotos(msg)});
        case "base":
          if (baseLayer) { if (msg.on) baseLayer.addTo(map); else map.removeLayer(baseLayer); }
          return JSON.stringify({base: !!(baseLayer && map.hasLayer(baseLayer))});
      }
      if (OG.handlers && OG.handlers[msg.op]) return JSON.stringify(OG.handlers[msg.op](msg));
      if (OG.ops && OG.ops[msg.op]) return JSON.stringify(OG.ops[msg.op](msg));  // a plugin's op
      return JSON.stringify({error: "unknown op " + msg.op});
    } catch (err) {
      post({type: "error", message: String(err && err.stack || err)});
      return JSON.stringify({error: String(err)});
    }
  };

  // ------------------------------------------------------------------ for tests and diagnostics

  OG.stats = function () {
    var sel = selectedId && markers.get(selectedId);
    return JSON.stringify({cases: markers.size, sensors: sensors.size, selected: selectedId,
      zoom: map ? map.getZoom() : null, pick: pickOn, loadedAt: OG.loadedAt, theme: themeName,
      selectedInView: sel ? map.getBounds().contains(sel.getLatLng()) : null});
  };
  OG.caseCanvas = function () {   // how often the case canvas was redrawn in part / as a whole (tests)
    return JSON.stringify({partial: renderer ? renderer._ogPartial || 0 : 0, full: renderer ? renderer._ogFull || 0 : 0});
  };
  OG.redrawCases = function () {  // redraw the whole case canvas now; how far its pixels moved (tests)
    var c = renderer._container, ctx = renderer._ctx;
    var before = ctx.getImageData(0, 0, c.width, c.height).data;
    renderer._dirtyRects = undefined;
    renderer._redrawBounds = null;
    L.Canvas.prototype._redraw.call(renderer);
    var after = ctx.getImageData(0, 0, c.width, c.height).data, max = 0, off = 0;
    for (var i = 0; i < after.length; i += 4) {  // premultiplied: a colour under alpha 1/255 is no colour
      var d = Math.abs(before[i + 3] - after[i + 3]);
      for (var k = 0; k < 3; k++) {
        d = Math.max(d, Math.abs(before[i + k] * before[i + 3] - after[i + k] * after[i + 3]) / 255);
      }
      if (d > max) max = d;
      if (d > 16) off++;
    }
    return JSON.stringify({max: Math.round(max), off: off});
  };
  OG.gridStyle = function () {   // the first grid's drawn colours (theme tests)
    var style = null;
    if (gridLayer) gridLayer.eachLayer(function (l) {
      if (!style) style = {fill: l.options.fillColor, line: l.options.color};
    });
    return JSON.stringify(style);
  };
  OG.marker = function (id) {
    var m = markers.get(id);
    if (!m) return null;
    var o = m.options;
    return JSON.stringify({id: id, lat: m.getLatLng().lat, lon: m.getLatLng().lng, fill: o.fillColor,
                           ring: o.color, weight: o.weight, radius: o.radius, status: m.og.s});
  };
  OG.clickCase = function (id) {   // what a click on the marker does
    var m = markers.get(id);
    if (!m) return false;
    m.fire("click", {latlng: m.getLatLng()}, true);  // propagate to the layer group, as a real click does
    return true;
  };
  OG.sensor = function (id) {
    var m = sensors.get(id);
    if (!m) return null;
    var dot = m.getElement() && m.getElement().querySelector("i");
    return JSON.stringify({id: id, state: m.og.state, colour: m.og.colour,
                           drawn: dot ? getComputedStyle(dot).backgroundColor : null});
  };
  OG.clickSensor = function (id) {
    var m = sensors.get(id);
    if (!m) return false;
    m.fire("click", {latlng: m.getLatLng()}, true);
    return true;
  };
  OG.clickMap = function (lat, lon) {
    map.fire("click", {latlng: L.latLng(lat, lon)});
    return true;
  };
  OG.loadedAt = Date.now();

  connectChannel();
})();
