//! End-to-end tests of the permit ledger: see `tests/end_to_end/`. Nothing to export.
