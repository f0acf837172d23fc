"""Charts as self-contained SVG text: plain string building, no plotting library, nothing
fetched when the file is opened."""
