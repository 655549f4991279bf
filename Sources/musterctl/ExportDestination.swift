#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Where an export goes: standard output, or a file. A file is written under a temporary name
/// beside it and renamed into place only once complete, so that a failed export never leaves a
/// truncated file that looks whole. Writes run on NIO's thread pool, one at a time.
final class ExportDestination: Sendable {
    /// The name used in messages.
    let name: String
    private let descriptor: Int32
    /// (temporary, final) paths of a file destination.
    private let paths: (temporary: String, final: String)?

    /// Standard output.
    init() {
        (name, descriptor, paths) = ("standard output", ConsoleOutput.standardOutput, nil)
    }

    init(path: String) throws(MusterctlError) {
        let temporary = "\(path).musterctl-\(getpid()).partial"
        let opened = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard opened >= 0 else { throw .usage("cannot create \(path): \(String(cString: strerror(errno)))") }
        (name, descriptor, paths) = (path, opened, (temporary, path))
    }

    /// Writes go out in batches of about this size: the gateway's chunks can be as small as one
    /// line, and one thread-pool hop per line would cost more than the export itself.
    static let batchSize = 64 * 1024

    /// Copies an answer's body here and returns how many lines (LF bytes) it had.
    func copy(from body: HTTPClientResponseBody) async throws -> Int {
        var lines = 0
        var batch = ByteBuffer()
        for try await var chunk in body {
            lines += chunk.newlineCount
            batch.writeBuffer(&chunk)
            if batch.readableBytes >= Self.batchSize {
                try await write(batch)
                batch = ByteBuffer()
            }
        }
        if batch.readableBytes > 0 { try await write(batch) }
        return lines
    }

    private func write(_ buffer: ByteBuffer) async throws {
        let (descriptor, name) = (self.descriptor, self.name)
        try await NIOThreadPool.singleton.runIfActive {
            do {
                try buffer.withUnsafeReadableBytes { try ConsoleOutput.writeAll($0, to: descriptor) }
            } catch {
                throw MusterctlError.failed("writing \(name) failed: \(error)")
            }
        }
    }

    /// Closes a file and moves it to its final name.
    func commit() throws(MusterctlError) {
        guard let paths else { return }
        guard close(descriptor) == 0, rename(paths.temporary, paths.final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(paths.temporary)
            throw .failed("cannot complete \(paths.final): \(reason)")
        }
    }

    /// Closes and removes a file whose export failed.
    func discard() {
        guard let paths else { return }
        close(descriptor)
        unlink(paths.temporary)
    }
}
