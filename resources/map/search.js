/* OneGrid map page: flying to a place found by the search field (ui/map/search.py). Loaded after
 * bridge.js. Message {op: "fly", lat, lon, zoom, name}: the map flies there and marks the place with a
 * pulsing ring and its name for a few seconds. */
(function () {
  "use strict";
  var OG = window.OneGrid;
  OG.afterInit = OG.afterInit || [];
  OG.handlers = OG.handlers || {};
  var mark = null, timer = null;

  OG.handlers.fly = function (msg) {
    var map = OG.map, at = L.latLng(msg.lat, msg.lon);
    OG.stopAutoFit();  // the map no longer re-fits the district when the dock is resized
    if (mark) { map.removeLayer(mark); mark = null; }
    if (timer) clearTimeout(timer);
    mark = L.marker(at, {interactive: false, keyboard: false,
      icon: L.divIcon({className: "og-place-mark", iconSize: [28, 28], iconAnchor: [14, 14],
                       html: "<i></i><span>" + String(msg.name || "").replace(/[&<>"']/g, "") + "</span>"})});
    mark.addTo(map);
    var animate = !OG.noAnimation && map.getCenter().distanceTo(at) < 20000;
    if (animate) map.flyTo(at, msg.zoom || 17, {duration: 0.8});
    else map.setView(at, msg.zoom || 17, {animate: false});
    timer = setTimeout(function () { if (mark) { map.removeLayer(mark); mark = null; } }, 6000);
    return {flown: true, zoom: msg.zoom || 17};
  };
  OG.placeMark = function () {  // tests: where the place mark is, if shown
    if (!mark) return null;
    var p = mark.getLatLng();
    return JSON.stringify({lat: p.lat, lon: p.lng, zoom: OG.map.getZoom(), center: OG.map.getCenter()});
  };
})();
