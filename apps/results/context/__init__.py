"""Context data: the context-data form (spec, xlsx read/write), uploads and versions."""
