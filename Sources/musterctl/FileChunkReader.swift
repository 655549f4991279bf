#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Reads a file, or standard input for "-", in chunks on NIO's thread pool: a multi-gigabyte
/// import never sits in memory, and blocking reads never hold up Swift's cooperative threads.
/// Reads are sequential (the descriptor's offset is the only state), one at a time.
final class FileChunkReader: Sendable {
    static let chunkSize = 64 * 1024

    /// The name used in messages: the path, or "standard input".
    let name: String
    /// The size of a regular file; nil for standard input, pipes and devices.
    let size: Int?
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    init(path: String) throws(MusterctlError) {
        if path == "-" {
            (name, descriptor, ownsDescriptor) = ("standard input", 0, false)
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw .usage("cannot open \(path): \(String(cString: strerror(errno)))") }
            (name, descriptor, ownsDescriptor) = (path, opened, true)
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            size = Int(status.st_size)
        } else {
            size = nil
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The next chunk, or nil at the end of the file.
    func nextChunk() async throws -> ByteBuffer? {
        let (descriptor, name) = (self.descriptor, self.name)
        return try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer? in
            var buffer = ByteBufferAllocator().buffer(capacity: Self.chunkSize)
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { bytes in
                while true {
                    let count = read(descriptor, bytes.baseAddress, Self.chunkSize)
                    if count >= 0 { return count }
                    if errno != EINTR {
                        failure = errno
                        return 0
                    }
                }
            }
            if failure != 0 { throw MusterctlError.failed("reading \(name) failed: \(String(cString: strerror(failure)))") }
            return count == 0 ? nil : buffer
        }
    }
}
