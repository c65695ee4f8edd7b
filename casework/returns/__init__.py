"""Statutory returns built from the record: the Ofsted ILACS Annex A lists (and their
import from a legacy system's workbook), and the DfE returns."""
