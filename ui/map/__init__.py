"""The live map: the dock, the page's bridge and the local URL scheme."""
