"""The model: the package's files read once (load), and the views every later stage reads (views), with the COG
(codes carried forward) and the perimeters' derivations. Imports only from core."""
