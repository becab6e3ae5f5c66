"""Maintainers' commands that change the package: importing a contributor's file (CSV, XLSX, ANCT perimeters)
after checking it. May import every stage but the commands."""
