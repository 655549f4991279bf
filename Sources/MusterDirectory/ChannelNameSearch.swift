import GRDB

/// Case-insensitive substring search over channel names with the FTS5 trigram index.
///
/// Names are indexed as `folded(name) + "\u{1}\u{1}"`. A query of three or more characters is the
/// AND of its trigrams (detail=none stores no positions, so hits are verified against the row).
/// A one- or two-character query, which the trigram tokenizer cannot express, is a prefix range
/// over the index's terms: thanks to the two sentinels every substring of one or two characters
/// starts some trigram, `尾矿` starts `尾矿库` and `侧` starts `侧\u{1}\u{1}`.
///
/// Either way the search only *collects candidate ids* and gives up past a cap: a common term
/// (`东侧` in a tenth of all names) is cheaper to check row by row while walking the sort order.
struct ChannelNameSearch {
    /// The folded query, without control characters (they never occur in stored names).
    let folded: String

    init?(_ query: String?) {
        guard let query else { return nil }
        let cleaned = String(String.UnicodeScalarView(query.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        guard !cleaned.isEmpty else { return nil }
        folded = ChannelColumns.folded(cleaned)
    }

    /// The SQL condition that decides a match on a row of `channel c`, and its argument.
    static let rowCondition = "instr(coalesce(c.name_folded, c.name), ?) > 0"

    /// Ids of the indexed channels that may match (a superset), or nil when there are more than `cap`.
    func candidateIDs(_ db: Database, cap: Int) throws -> [Int64]? {
        let scalars = Array(folded.unicodeScalars)
        if scalars.count >= 3 {
            let statement = try db.cachedStatement(sql: "SELECT rowid FROM channel_fts WHERE channel_fts MATCH ? LIMIT ?")
            let ids = try Int64.fetchAll(statement, arguments: [Self.trigramExpression(scalars), cap + 1])
            return ids.count > cap ? nil : ids
        }
        // Terms are compared as UTF-8 bytes, which order like code points: every trigram that
        // starts with the query lies between it and the query padded with U+10FFFF.
        let upper = folded + String(repeating: "\u{10FFFF}", count: 3 - scalars.count)
        let statement = try db.cachedStatement(sql: "SELECT doc FROM channel_fts_terms WHERE term >= ? AND term <= ?")
        let rows = try Int64.fetchCursor(statement, arguments: [folded, upper])
        var ids: Set<Int64> = []
        while let id = try rows.next() {
            ids.insert(id)
            if ids.count > cap { return nil }
        }
        return Array(ids)
    }

    /// `"abc" AND "bcd" AND …` over the distinct trigrams (at most 32: the row check is exact anyway).
    static func trigramExpression(_ scalars: [Unicode.Scalar]) -> String {
        var seen: Set<String> = []
        var terms: [String] = []
        for start in 0...(scalars.count - 3) where terms.count < 32 {
            let trigram = String(String.UnicodeScalarView(scalars[start..<start + 3]))
            if seen.insert(trigram).inserted {
                terms.append("\"" + trigram.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            }
        }
        return terms.joined(separator: " AND ")
    }
}
