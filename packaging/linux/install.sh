#!/bin/sh
# Install the OneGrid console from this unpacked tarball.
#   ./install.sh                 for this user: ~/.local/lib/onegrid, ~/.local/bin/onegrid, menu entry, icons
#   sudo ./install.sh /usr/local for everyone on this workstation
# Re-running replaces the previous version; per-user settings, caches and logs are not touched.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${1:-"$HOME/.local"}
case "$PREFIX" in /*) ;; *) echo "install.sh: the prefix must be an absolute path, not '$PREFIX'" >&2; exit 2 ;; esac
if [ ! -x "$HERE/onegrid/onegrid" ]; then
    echo "install.sh: run me from the unpacked tarball (no $HERE/onegrid/onegrid)" >&2
    exit 2
fi
LIBDIR="$PREFIX/lib/onegrid"
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo"
# Copy next to the old version, then swap, so a failed copy leaves the old one working.
rm -rf "$LIBDIR.new"
cp -a "$HERE/onegrid" "$LIBDIR.new"
rm -rf "$LIBDIR.old"
if [ -e "$LIBDIR" ]; then mv "$LIBDIR" "$LIBDIR.old"; fi
mv "$LIBDIR.new" "$LIBDIR"
rm -rf "$LIBDIR.old"
ln -sf "$LIBDIR/onegrid" "$PREFIX/bin/onegrid"
cp -a "$HERE/share/icons" "$PREFIX/share/"
cp "$HERE/share/metainfo/"*.metainfo.xml "$PREFIX/share/metainfo/"
sed "s|^Exec=onegrid|Exec=$PREFIX/bin/onegrid|" "$HERE/share/applications/onegrid.desktop" \
    > "$PREFIX/share/applications/onegrid.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$PREFIX/share/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
echo "OneGrid $(cat "$LIBDIR/_internal/onegrid_version.txt") installed: $PREFIX/bin/onegrid"
