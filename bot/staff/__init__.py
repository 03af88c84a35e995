"""Contact-centre triage: the handoff queue, triage summaries and the staff console (/staff).

Import-light on purpose: the action server imports the triage and queue modules from here, so
nothing in this package's __init__ may pull in the web console.
"""
