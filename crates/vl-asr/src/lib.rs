//! Speech recognition for the server (work in progress).
