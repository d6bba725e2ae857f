/* OneGrid map page: while a location is being picked, what lies under the cursor (loaded after
 * bridge.js). The page posts {type: "pick_hover", lat, lon} as the mouse moves (at most every 80 ms);
 * Python answers {op: "pick_info", text} (the grid and the address that a click would take), shown under
 * the pick banner. */
(function () {
  "use strict";
  var OG = window.OneGrid;
  OG.afterInit = OG.afterInit || [];
  OG.handlers = OG.handlers || {};
  var last = 0, info = null;

  OG.afterInit.push(function (map) {
    map.on("mousemove", function (e) {
      if (!map.getContainer().classList.contains("og-picking")) return;
      var now = Date.now();
      if (now - last < 80) return;
      last = now;
      OG.post({type: "pick_hover", lat: e.latlng.lat, lon: e.latlng.lng});
    });
  });

  OG.handlers.pick_info = function (msg) {
    var banner = document.querySelector(".og-pick-banner");
    if (!banner) return {shown: false};
    if (!info || !banner.contains(info)) {
      info = document.createElement("div");
      info.className = "og-pick-info";
      banner.appendChild(info);
    }
    info.textContent = msg.text || "";
    return {shown: true};
  };
  OG.pickInfo = function () { return info && document.body.contains(info) ? info.textContent : null; };
})();
