import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client that sends hand-written RTSP, for requests no real player would make.
///
/// Reads wait by polling a non-blocking socket between short sleeps: a blocking `recv` would hold
/// one of the two cooperative threads of a 2-core machine, and the gateway under test (in this
/// same process) needs those threads to answer.
final class RawRTSPClient {
    private let socketDescriptor: Int32
    private var received = Data()

    /// - Parameter receiveBufferSize: a small kernel receive buffer, to play a consumer that
    ///   cannot keep up.
    /// - Parameter sourceAddress: another loopback address to connect from (`127.0.0.2`), to
    ///   play a second client machine; Linux routes all of 127.0.0.0/8 to the loopback interface.
    init(port: Int, receiveBufferSize: Int32? = nil, sourceAddress: String? = nil) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestFailure("socket() failed") }
        if let sourceAddress {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw TestFailure("cannot bind to \(sourceAddress)") }
        }
        if var size = receiveBufferSize {
            setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw TestFailure("connect to 127.0.0.1:\(port) failed") }
        _ = fcntl(socketDescriptor, F_SETFL, fcntl(socketDescriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Generous: on two busy cores an answer can take seconds; a test that waits on it still fails.
    private static let answerTimeout = Duration.seconds(30)

    deinit { close(socketDescriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(socketDescriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw TestFailure("send failed")
        }
    }

    func send(bytes: [UInt8]) throws {
        guard Glibc.send(socketDescriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw TestFailure("send failed")
        }
    }

    /// Reads one response's status line and headers (bodies are read by Content-Length).
    func readResponse() async throws -> (status: Int, headers: [String: String], body: String) {
        while true {
            if let end = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    // The first of repeated fields (WWW-Authenticate) is the one the server prefers.
                    let name = line[..<colon].lowercased()
                    if headers[name] == nil {
                        headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while received.count < end.upperBound + length { try await receiveMore() }
                let body = String(decoding: received[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
                received.removeSubrange(..<(end.upperBound + length))
                return (statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, headers, body)
            }
            try await receiveMore()
        }
    }

    /// Waits for the server's next move: true when it closes the connection, false when it sends.
    func isClosedByServer() async throws -> Bool {
        try await receiveChunk(maximum: 1).isEmpty
    }

    private func receiveMore() async throws {
        let chunk = try await receiveChunk(maximum: 4096)
        guard !chunk.isEmpty else { throw TestFailure("connection closed while waiting for a response") }
        received.append(contentsOf: chunk)
    }

    /// The next bytes from the socket, empty at end of stream.
    private func receiveChunk(maximum: Int) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + Self.answerTimeout
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = recv(socketDescriptor, &buffer, maximum, 0)
            if count >= 0 { return Array(buffer[..<count]) }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { throw TestFailure("recv failed: errno \(errno)") }
            guard ContinuousClock.now < deadline else { throw TestFailure("no answer within \(Self.answerTimeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
