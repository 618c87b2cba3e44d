"""Reading stage: source files (Markdown, YAML) -> validated document model."""
