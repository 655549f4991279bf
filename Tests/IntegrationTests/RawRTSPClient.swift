import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client that sends hand-written RTSP, for requests no real player would make.
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
        // Generous: on two busy cores an answer can take seconds; a test that waits on it still fails.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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
    }

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
    func readResponse() throws -> (status: Int, headers: [String: String], body: String) {
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
                while received.count < end.upperBound + length { try receiveMore() }
                let body = String(decoding: received[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
                received.removeSubrange(..<(end.upperBound + length))
                return (statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, headers, body)
            }
            try receiveMore()
        }
    }

    /// True once the server has closed the connection.
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return recv(socketDescriptor, &byte, 1, 0) == 0
    }

    private func receiveMore() throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(socketDescriptor, &buffer, buffer.count, 0)
        guard count > 0 else { throw TestFailure("connection closed or timed out while waiting for a response") }
        received.append(contentsOf: buffer[..<count])
    }
}
