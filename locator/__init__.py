"""Nearest Met Police front counter: an offline London gazetteer and counter finder.

Modules:
    importer  -- build the SQLite database from the reference CSVs (`python -m locator import`)
    refresh   -- copy the upstream reference files into the repository (`refresh-reference`)
    hours     -- weekly opening hours evaluated in Europe/London time
    geocode   -- postcode / district / borough / place / coordinates -> a point (or candidates)
    names     -- normalising names for exact look-ups and for search
    search    -- name search: exact, prefix (FTS5) and typo-tolerant (fuzzy)
    fuzzy     -- edit distance and the trigram index behind typo tolerance
    online    -- the optional online geocoder (Nominatim via geopy), off by default
    geodesy   -- exact geodesic distance and the bounds that make index searches exact
    spatial   -- k-nearest search over a grid or an SQLite R*Tree, never a full scan
    counters  -- the Counter record as read from the database
    nearest   -- the nearest open counters, through the spatial index
    counter_search -- find counters (open or closed) by name
    agencies  -- signposting agencies and their need categories
    store     -- read-only database access used by the web service
    render    -- JSON shapes returned by the API
    problems  -- RFC 9457 problem details
    messages  -- user-facing wording and links, kept in one place
    params    -- query-string parsing with actionable errors
    metrics   -- Prometheus metrics (GET /metrics)
    openapi   -- the OpenAPI 3.0 document (GET /openapi.json)
    response_cache -- one-second cache of whole GET responses
    app       -- the aiohttp application (`python -m locator serve`)
"""

__version__ = "0.1.0"
