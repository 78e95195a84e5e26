"""The file routes: streaming upload and download under human URLs."""
