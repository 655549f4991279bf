/// The answer of `POST /api/v1/import/channels` (schema `ImportResult`).
struct APIImportResult: Decodable, Sendable {
    struct RowError: Decodable, Sendable {
        /// 1-based line, or CSV record with the header not counted.
        var row: Int
        var message: String
    }

    var imported: Int
    var failed: Int
    /// The first 1000 row errors.
    var errors: [RowError]
}
