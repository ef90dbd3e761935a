"""blastguard's rule packs: one package per language, one module per rule."""
