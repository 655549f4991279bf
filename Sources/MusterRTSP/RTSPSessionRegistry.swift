import Foundation
import MusterCore
import NIOCore
import Synchronization

/// A snapshot of one playing or recording RTSP session, for the API and metrics.
public struct RTSPSessionInfo: Sendable, Hashable {
    public enum Role: String, Sendable {
        case consumer
        case publisher
    }

    public var id: String
    public var path: String
    public var role: Role
    /// `tcp` (interleaved) or `udp`.
    public var transport: String
    /// The client's address and port.
    public var remoteAddress: String
    /// Sent to a consumer, or received from a publisher.
    public var bytes: Int
    /// Units a consumer skipped to catch up with the stream, or packets from a publisher that
    /// could not be used (malformed, or part of a unit lost to a gap).
    public var dropped: Int = 0
    public var startedAt: Date
    /// The authenticated RTSP user, when users are configured.
    public var user: String?
}

/// A live session as the registry keeps it: the facts that do not change, plus how to read its
/// counters and how to end it, from any thread.
struct RTSPSessionRecord: Sendable {
    var info: RTSPSessionInfo
    var counters: @Sendable () -> (bytes: Int, dropped: Int)
    var connection: any Channel
}

/// Every session that plays or records, across all connections of one server.
public final class RTSPSessionRegistry: Sendable {
    private let records = Mutex<[String: RTSPSessionRecord]>([:])
    private let events: GatewayEventBus

    public init(events: GatewayEventBus) {
        self.events = events
    }

    func insert(_ record: RTSPSessionRecord) {
        records.withLock { $0[record.info.id] = record }
        events.publish(GatewayEvent(.sessionStarted, channel: record.info.path, fields: Self.eventFields(record.info)))
    }

    func remove(id: String) {
        guard let record = records.withLock({ $0.removeValue(forKey: id) }) else { return }
        var fields = Self.eventFields(record.info)
        let counters = record.counters()
        fields["bytes"] = "\(counters.bytes)"
        fields["dropped"] = "\(counters.dropped)"
        events.publish(GatewayEvent(.sessionStopped, channel: record.info.path, fields: fields))
    }

    private static func eventFields(_ info: RTSPSessionInfo) -> [String: String] {
        ["session": info.id, "role": info.role.rawValue, "transport": info.transport, "remote_address": info.remoteAddress]
    }

    /// Every session with its counters as of now, oldest first.
    public var sessions: [RTSPSessionInfo] {
        records.withLock { Array($0.values) }
            .map { record in
                var info = record.info
                (info.bytes, info.dropped) = record.counters()
                return info
            }
            .sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    /// Consumers per channel path.
    public var consumerCounts: [String: Int] {
        records.withLock { records in
            records.values.reduce(into: [:]) { counts, record in
                if record.info.role == .consumer { counts[record.info.path, default: 0] += 1 }
            }
        }
    }

    /// Closes the connection that holds the session (as MediaMTX and ZLMediaKit do: a client
    /// whose session vanished while its connection stayed open would wait for media forever).
    /// - Returns: false if no such session runs.
    @discardableResult
    public func kick(id: String) -> Bool {
        guard let record = records.withLock({ $0[id] }) else { return false }
        record.connection.close(promise: nil)
        return true
    }

    /// Kicks every session of a channel (when the channel is removed).
    public func kickAll(path: String) {
        let connections = records.withLock { $0.values.filter { $0.info.path == path }.map(\.connection) }
        for connection in connections { connection.close(promise: nil) }
    }
}
