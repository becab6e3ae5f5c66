"""What every stage shares: the project and its data package, errors, the output cache, progress, escaping,
number and date formats, public URLs. Imports nothing from the other stages."""
