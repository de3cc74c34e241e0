"""What connects sources: entity mentions, references between documents, inferred links."""
