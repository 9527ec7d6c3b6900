"""What every stage shares: config, the data model, form specs, the problem and text catalogs,
the work calendar, the clock and the file helpers. Imports nothing of the stages."""
