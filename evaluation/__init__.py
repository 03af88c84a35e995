"""`make eval`: NLU cross-validation, core test stories, the held-out set through the live stack
against a bag-of-words baseline, and the reading ease of every response."""
