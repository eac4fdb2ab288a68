-- API clients (OAuth2 client credentials). The secret is kept only as an argon2id hash; the
-- allowed scopes are the canonical space-separated OAuth2 spelling. A revoked client stays, with
-- the time it was revoked, so its name still explains old log lines.
CREATE TABLE api_clients (
    id           TEXT    NOT NULL PRIMARY KEY CHECK (id LIKE 'cli\_%' ESCAPE '\'),
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_hash  TEXT    NOT NULL CHECK (secret_hash LIKE '$argon2id$%'),
    scopes       TEXT    NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    CHECK ((enabled = 1) = (revoked_at IS NULL))
) WITHOUT ROWID;
