"""What the web server says when Rasa does not answer.

It lives in code, not in the domain, because it must work exactly when the assistant is down.
"""

UNAVAILABLE = (
    "Sorry, the assistant isn't answering right now. If you are in danger, call 999. "
    "Otherwise call 101 or visit met.police.uk."
)
