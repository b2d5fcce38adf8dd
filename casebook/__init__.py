"""The ``casebook`` command line: a thin layer over the scoring and classroom libraries."""
