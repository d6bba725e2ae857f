/* OneGrid map page: the raster base map's datum shift (loaded after bridge.js).
 *
 * Markers and grids are WGS-84. Tiles drawn in GCJ-02 show a place where its GCJ-02 coordinates would
 * be, a few hundred metres off; config tiles.offset = [dLat, dLon] (computed by app/map/datum.py for the
 * city's centre) says by how much, and the tile layer is moved back by that many pixels at each zoom.
 */
(function () {
  "use strict";
  var OG = window.OneGrid;
  OG.afterInit = OG.afterInit || [];
  OG.handlers = OG.handlers || {};

  OG.afterInit.push(function (map, cfg) {
    var layer = OG.baseLayer, t = cfg.tiles;
    if (!layer || !t || !t.offset || (!t.offset[0] && !t.offset[1])) return;
    function shift() {
      var c = map.getCenter();
      var here = map.project(c, map.getZoom());
      var there = map.project(L.latLng(c.lat + t.offset[0], c.lng + t.offset[1]), map.getZoom());
      var el = layer.getContainer();
      if (el) el.style.transform = "translate(" + Math.round(here.x - there.x) + "px," +
                                   Math.round(here.y - there.y) + "px)";
    }
    layer.on("add load", shift);
    map.on("zoomend", shift);
    shift();
    OG.baseShift = function () {  // tests: the pixels the tiles are moved by
      var el = layer.getContainer();
      return el ? el.style.transform : null;
    };
  });
})();
