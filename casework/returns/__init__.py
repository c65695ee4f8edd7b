"""Statutory returns built from the record (DfE SSDA903), and subject access."""
