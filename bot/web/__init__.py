"""The public web page: a minimal chat that talks to Rasa's REST channel through this server."""
