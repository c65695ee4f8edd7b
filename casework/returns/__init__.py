"""Statutory returns built from the record: the DfE SSDA903 care-leaver return, the
Ofsted ILACS Annex A lists (and their import from a legacy system's workbook), and
subject access."""
