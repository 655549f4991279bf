import GRDB

/// The directory's tables and their migrations. Never edit a registered migration: add the next one.
enum DirectorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: channelTables)
            try db.execute(sql: otherTables)
        }
        migrator.registerMigration("v2-positions") { db in
            try db.execute(sql: positionTables)
        }
        migrator.registerMigration("v3-last-position-watermark") { db in
            try db.execute(sql: lastPositionWatermark)
        }
        migrator.registerMigration("v4-position-journal") { db in
            try db.execute(sql: positionJournal)
        }
        migrator.registerMigration("v5-name-by-path") { db in
            try db.execute(sql: nameByPath)
        }
        migrator.registerMigration("v6-zone-by-name") { db in
            try db.execute(sql: zoneByName)
        }
        return migrator
    }

    /// Times are `REAL` seconds since 1970 everywhere.
    ///
    /// `id` is the row's integer key (an alias of the rowid, so VACUUM keeps it): the trigram
    /// index and cursors refer to rows by it. Not AUTOINCREMENT, which would update
    /// `sqlite_sequence` on every insert; a reused id is harmless because a channel's index
    /// entries leave in the transaction that deletes it, and a cursor is only a position.
    /// `path` is the public key, unique.
    /// `name_folded` holds the lowercased name only when it differs from `name` (Chinese names
    /// never do), for case-insensitive search. `tags` is a JSON array.
    /// `indexed` says whether the row is in the deferred indexes (1) or waits for the catch-up (0);
    /// every deferred index is partial on `indexed = 1`, and rows change state only together with
    /// their `channel_tag` rows and their `channel_fts` entry.
    private static let channelTables = """
        CREATE TABLE channel (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            name_folded TEXT,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            zone TEXT,
            unit_id TEXT,
            latitude REAL,
            longitude REAL,
            tags TEXT NOT NULL DEFAULT '[]',
            on_demand INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            indexed INTEGER NOT NULL DEFAULT 0
        );
        -- Kept in the write transaction: uniqueness, the catch-up's queue, and the sparse unit link.
        CREATE UNIQUE INDEX channel_path ON channel(path);
        CREATE INDEX channel_pending ON channel(indexed, id) WHERE indexed = 0;
        CREATE INDEX channel_by_unit ON channel(unit_id, path) WHERE unit_id IS NOT NULL;
        -- Deferred. Sorts other than path break ties by id (the implicit last column). Only the
        -- name index takes rows in random order; (kind, zone, name) and (zone, name) would make a
        -- kind+zone list by name a little faster but double the catch-up's cost (measured).
        -- `indexed` leads each partial index although it is constant there: SQLite does not count
        -- a partial index's WHERE as answered by the index, so without the column every entry read
        -- also reads its table row to check `indexed = 1`.
        CREATE INDEX channel_by_name ON channel(indexed, name) WHERE indexed = 1;
        CREATE INDEX channel_by_created ON channel(indexed, created_at) WHERE indexed = 1;
        CREATE INDEX channel_by_updated ON channel(indexed, updated_at) WHERE indexed = 1;
        CREATE INDEX channel_by_kind_zone_path ON channel(indexed, kind, zone, path) WHERE indexed = 1;
        CREATE INDEX channel_by_zone_path ON channel(indexed, zone, path) WHERE indexed = 1;
        -- Tags of indexed channels, in path order per tag.
        CREATE TABLE channel_tag (
            tag TEXT NOT NULL,
            path TEXT NOT NULL,
            PRIMARY KEY (tag, path)
        ) WITHOUT ROWID;
        -- Substring search: trigrams of the folded name plus two U+0001 sentinels, so that every
        -- one- or two-character substring is the prefix of some trigram (see ChannelNameSearch).
        -- Contentless and detail=none keep it small; hits are verified against the row.
        CREATE VIRTUAL TABLE channel_fts USING fts5(
            text, tokenize = 'trigram case_sensitive 1', detail = none, content = ''
        );
        -- The index's (trigram, channel id) pairs, searchable by trigram prefix.
        CREATE VIRTUAL TABLE channel_fts_terms USING fts5vocab(channel_fts, instance);
        """

    /// Deferred, like the other sort and filter indexes. A name search in path order (the default)
    /// that matches too many rows for its trigram hits to be sorted walks this index and checks each
    /// name here instead of in the table row: at 2 000 000 channels a term in one name of a hundred
    /// read 12 000 rows, one page each, to fill a page of 100 results.
    private static let nameByPath = """
        CREATE INDEX channel_name_by_path ON channel(indexed, path, name, name_folded) WHERE indexed = 1;
        """

    /// Deferred. A zone listed by name walked the name index and read every row to check its
    /// zone: five rows per result with five zones. Here the zone's channels are in name order
    /// (ties by id, the rowid that ends every index entry), so a page reads its own rows only.
    private static let zoneByName = """
        CREATE INDEX channel_by_zone_name ON channel(indexed, zone, name) WHERE indexed = 1;
        """

    private static let otherTables = """
        CREATE TABLE unit (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            latitude REAL,
            longitude REAL,
            altitude REAL,
            speed REAL,
            heading REAL,
            accuracy REAL,
            device_time REAL,
            received_at REAL,
            position_source TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE token (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            secret_digest TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        """

    /// Position history and the spatial index of channels with a fixed location.
    ///
    /// History rows are appended in the order the gateway received them, so the row id orders
    /// them by receive time too: retention deletes a prefix of ids and needs no time index.
    /// The R*Tree holds every located channel and is kept by triggers, so no write path can
    /// forget it; its 32-bit bounds are rounded outwards, and exact distances use the channel row.
    private static let positionTables = """
        CREATE TABLE position_history (
            id INTEGER PRIMARY KEY,
            unit_id TEXT NOT NULL,
            device_time REAL NOT NULL,
            received_at REAL NOT NULL,
            latitude REAL NOT NULL,
            longitude REAL NOT NULL,
            altitude REAL,
            speed REAL,
            heading REAL,
            accuracy REAL,
            source TEXT NOT NULL
        );
        CREATE INDEX position_history_by_unit ON position_history(unit_id, device_time);
        CREATE VIRTUAL TABLE channel_location USING rtree(id, min_latitude, max_latitude, min_longitude, max_longitude);
        INSERT INTO channel_location
            SELECT id, latitude, latitude, longitude, longitude FROM channel WHERE latitude IS NOT NULL AND longitude IS NOT NULL;
        CREATE TRIGGER channel_location_insert AFTER INSERT ON channel
            WHEN NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL
        BEGIN
            INSERT INTO channel_location VALUES (NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude);
        END;
        CREATE TRIGGER channel_location_update AFTER UPDATE OF latitude, longitude ON channel
        BEGIN
            DELETE FROM channel_location WHERE id = OLD.id;
            INSERT INTO channel_location SELECT NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude
                WHERE NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL;
        END;
        CREATE TRIGGER channel_location_delete AFTER DELETE ON channel
            WHEN OLD.latitude IS NOT NULL AND OLD.longitude IS NOT NULL
        BEGIN
            DELETE FROM channel_location WHERE id = OLD.id;
        END;
        """

    /// Last positions are written to the unit table in periodic batches, not with every position
    /// (that doubled the pages each position dirtied). The history rows after `history_id` are
    /// the ones that batch has not covered yet; a restart replays them.
    private static let lastPositionWatermark = """
        CREATE TABLE last_position_watermark (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            history_id INTEGER NOT NULL
        );
        INSERT INTO last_position_watermark VALUES (1, (SELECT coalesce(max(id), 0) FROM position_history));
        """

    /// Positions are first appended to `position_journal` (no index: appending writes a few
    /// sequential pages per commit) and moved into the indexed history in unit order every few
    /// seconds. Written straight into the history, each position dirtied its own page of the
    /// (unit, time) index — about 1.6 KB written per 80-byte position at 27 000 positions/s.
    /// The watermark now counts journal rows; history rows it had not covered go back to the
    /// journal, so a restart still replays them.
    private static let positionJournal = """
        CREATE TABLE position_journal (
            id INTEGER PRIMARY KEY,
            unit_id TEXT NOT NULL,
            device_time REAL NOT NULL,
            received_at REAL NOT NULL,
            latitude REAL NOT NULL,
            longitude REAL NOT NULL,
            altitude REAL,
            speed REAL,
            heading REAL,
            accuracy REAL,
            source TEXT NOT NULL
        );
        INSERT INTO position_journal (unit_id, device_time, received_at, latitude, longitude, altitude, speed, heading, accuracy, source)
            SELECT unit_id, device_time, received_at, latitude, longitude, altitude, speed, heading, accuracy, source
            FROM position_history WHERE id > (SELECT history_id FROM last_position_watermark) ORDER BY id;
        DELETE FROM position_history WHERE id > (SELECT history_id FROM last_position_watermark);
        ALTER TABLE last_position_watermark RENAME COLUMN history_id TO journal_id;
        UPDATE last_position_watermark SET journal_id = 0;
        """
}
