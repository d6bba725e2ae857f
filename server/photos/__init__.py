"""Photos on the server: storage backends, uploads, metadata, thumbnails, blob reads, retention."""
