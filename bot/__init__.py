"""Everything that makes the Rasa assistant a product: launcher, web page, custom NLU components."""
