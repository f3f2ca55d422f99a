"""The domain: operations on meetings with journal and undo, reads, text helpers. No Qt."""
