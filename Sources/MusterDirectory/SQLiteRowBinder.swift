import GRDB
import GRDBSQLite

/// Binds values to a prepared GRDB statement and runs it through the SQLite C API. GRDB's
/// `StatementArguments` box every value and build an array per row, and its execution path does
/// bookkeeping per run; position writes and channel imports run tens of thousands of rows a
/// second, where that cost more than SQLite's own work. No transaction observer is registered
/// on the directory, so GRDB has nothing to be told.
///
/// Only for statements that return no rows, used inside the transaction that prepared them.
struct SQLiteRowBinder {
    private let statement: Statement
    private let handle: SQLiteStatement
    private var index: CInt = 0

    /// SQLite copies text bound this way, so Swift strings need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
    }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    mutating func bind(_ value: Double?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: String?) {
        if let value { bind(value) } else { bindNull() }
    }

    private mutating func bindNull() {
        index += 1
        sqlite3_bind_null(handle, index)
    }

    mutating func bind(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                return
            }
            _ = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                sqlite3_bind_text(handle, index, text, CInt(bytes.count), Self.transient)
            }
        }
    }

    /// Runs the statement with the values bound since the last run, and starts binding afresh;
    /// the number of rows it changed.
    @discardableResult
    mutating func run(_ db: Database) throws -> Int {
        index = 0
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}
