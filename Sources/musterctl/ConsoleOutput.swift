#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and standard error, written with write(2): unbuffered, so a line of
/// `musterctl events` reaches a pipe at once, and free of the C library's shared FILE state.
enum ConsoleOutput {
    static let standardOutput: Int32 = 1
    static let standardError: Int32 = 2

    static func print(_ text: String) {
        writeText(text, to: standardOutput)
    }

    static func printError(_ text: String) {
        writeText(text, to: standardError)
    }

    static var standardErrorIsTerminal: Bool { isatty(standardError) == 1 }

    static func writeText(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            _ = try? writeAll(UnsafeRawBufferPointer(start: base, count: bytes.count), to: descriptor)
        }
    }

    /// Writes every byte, retrying after interruptions and short writes; throws the system's reason.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(MusterctlError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // NIO ignores SIGPIPE process-wide (its sockets need that), so a reader that went
                // away (`musterctl events | head`) shows up as EPIPE: end as the signal would have.
                if errno == EPIPE, descriptor == standardOutput { exit(128 + SIGPIPE) }
                throw .failed(String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}

