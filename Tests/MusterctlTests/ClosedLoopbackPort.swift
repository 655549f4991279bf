#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP port that refuses connections for as long as `body` runs: bound but never
/// listening, so no other test's listener can take it meanwhile (a port merely closed again
/// after use can be).
enum ClosedLoopbackPort {
    static func with<T>(_ body: (Int) async throws -> T) async throws -> T {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(descriptor >= 0, "socket() failed")
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        precondition(bound, "bind() to 127.0.0.1:0 failed")
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }
}
