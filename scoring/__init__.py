"""Casebook's pure domain: case model, YAML loading, guidance passages, NGN scoring rules."""
