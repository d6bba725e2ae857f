/* OneGrid map page: what the wall view asks of the map (loaded after bridge.js).
 *   fit {bounds: [[south, west], [north, east]], label: text|null, wall: bool}   show a district, named in a
 *       corner; `wall`: the map is the wall's (no layer switch or zoom buttons: nobody clicks a wall)
 * The wall needs no interaction: its map is moved only from Python.
 */
(function () {
  "use strict";
  var OG = window.OneGrid, map = null, tag = null;
  (OG.plugins = OG.plugins || []).push(function (leafletMap) { map = leafletMap; });
  OG.ops = OG.ops || {};
  OG.ops.fit = function (msg) {
    // a wall is not clicked: no layer switch or zoom buttons over the map (the legend stays)
    if (msg.wall) map.getContainer().classList.add("og-wall");
    if (msg.bounds) map.fitBounds(msg.bounds, {padding: [16, 16], animate: false});
    if (!tag) {
      tag = L.control({position: "bottomleft"});
      tag.onAdd = function () { var d = L.DomUtil.create("div", "og-wall-tag"); return d; };
      tag.addTo(map);
    }
    tag.getContainer().textContent = msg.label || "";
    tag.getContainer().style.display = msg.label ? "" : "none";
    return {zoom: map.getZoom(), label: msg.label || null};
  };
})();
