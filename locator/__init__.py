"""Nearest Met Police front counter: an offline London gazetteer and counter finder.

Modules:
    importer  -- build the SQLite database from the reference CSVs (`python -m locator import`)
    refresh   -- copy the upstream reference files into the repository (`refresh-reference`)
    hours     -- weekly opening hours evaluated in Europe/London time
    geocode   -- postcode / district / borough / place / coordinates -> a point
    counters  -- the Counter record as read from the database
    nearest   -- rank open counters by geodesic distance
    store     -- read-only database access used by the web service
    render    -- JSON shapes returned by the API
    problems  -- RFC 9457 problem details
    messages  -- user-facing wording and links, kept in one place
    app       -- the aiohttp application (`python -m locator serve`)
"""

__version__ = "0.1.0"
