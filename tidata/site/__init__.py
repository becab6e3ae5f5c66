"""The generated pages and what they show: figures, build-time maps and charts, the commune finder's index.
Imports core and model; it lists the exports' files but never makes them (no import of exports)."""
