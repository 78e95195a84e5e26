"""Export and import of a registry's projects (issue 21): the archive's writer and reader
(archive.py), what an export selects (export.py), the import's plan with its conflicts and
dry-run (plan.py) and its apply with the origin map (apply.py). The format's pure parts are in
domain/transfer.py; docs/archive-format.md describes the file."""
