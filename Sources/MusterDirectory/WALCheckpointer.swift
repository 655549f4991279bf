import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file from a connection of its own, so that
/// the writer does not. SQLite's automatic checkpoint runs inside the commit that crossed its
/// threshold: under a steady position load that commit copied and fsynced tens of megabytes while
/// every other write, and every position waiting to be acknowledged, queued behind it. A passive
/// checkpoint from another connection runs alongside the writer (it only ever copies frames no
/// reader still needs), and the writer's own automatic checkpoint stays as a backstop.
final class WALCheckpointer: Sendable {
    /// How often the log is copied back: often enough that each run is short.
    static let interval: Duration = .milliseconds(500)

    private let queue: DatabaseQueue
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // The database file must be on disk before the log that held its pages is reused.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        task.withLock { [queue] task in
            task = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.interval)
                    guard !Task.isCancelled else { break }
                    // A failure (the file busy with another process's exclusive lock) is retried next time;
                    // meanwhile the writer's automatic checkpoint still bounds the log.
                    _ = try? await queue.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                }
            }
        }
    }

    deinit {
        task.withLock { $0 }?.cancel()
    }

    /// Stops checkpointing and closes the connection.
    func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
        try? queue.close()
    }
}
