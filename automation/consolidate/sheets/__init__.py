"""One module per sheet of the consolidated workbook; each has ``KEY`` and ``write(ws, book)``.

:func:`automation.consolidate.workbook.build` lists them in the order a manager meets them.
"""
