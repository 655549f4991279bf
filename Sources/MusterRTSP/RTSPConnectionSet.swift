import NIOCore
import Synchronization

/// The open RTSP connections, so that shutdown can close them (and so end their sessions), and
/// the sessions each client address holds, so that one address cannot take every session.
final class RTSPConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let sessionsByAddress = Mutex<[String: Int]>([:])

    /// Counts a new session of `address` unless it already holds `limit`.
    func admitSession(from address: String, limit: Int) -> Bool {
        sessionsByAddress.withLock { counts in
            let count = counts[address, default: 0]
            guard count < limit else { return false }
            counts[address] = count + 1
            return true
        }
    }

    func releaseSession(from address: String) {
        sessionsByAddress.withLock { counts in
            let count = counts[address, default: 0] - 1
            counts[address] = count > 0 ? count : nil
        }
    }

    func insert(_ channel: any Channel) {
        channels.withLock { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
