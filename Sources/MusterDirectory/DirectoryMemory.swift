import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the store's share of the gateway's resident memory bounded.
///
/// Two parts grow with the directory. Pages a reader touches through its memory map of the file
/// stay resident (file-backed, once per reader connection that touched them) until the map goes
/// away; the kernel could drop them, but they count in the process's RSS. And the writer's page
/// cache, filled by an import and the catch-up after it, stays allocated after them. So readers
/// are closed (which unmaps their maps; the pool opens new ones on demand) when the mapped part
/// passes a limit, and both kinds of cache are freed when a catch-up ends.
final class DirectoryMemory: Sendable {
    private let pool: DatabasePool
    /// File-backed resident bytes allowed above what the process had when the store opened (its
    /// own code and libraries are mapped files too).
    private let mappedLimit: Int
    private let mappedAtOpen: Int

    init(pool: DatabasePool, mappedLimit: Int) {
        self.pool = pool
        self.mappedLimit = mappedLimit
        mappedAtOpen = Self.fileBackedResidentBytes() ?? 0
    }

    /// After a read: a few microseconds to look, and readers are recycled only past the limit.
    func readFinished() {
        guard let resident = Self.fileBackedResidentBytes(), resident - mappedAtOpen >= mappedLimit else { return }
        pool.releaseMemoryEventually()
    }

    /// After a catch-up has emptied the queue: its working set is not needed until the next import.
    func releaseAfterBulkWrite() async {
        pool.releaseMemoryEventually()
        // Queued behind the writer's own release, so the freed pages are in malloc's free lists by then.
        _ = try? await pool.writeWithoutTransaction { _ in Self.returnFreedMemoryToSystem() }
    }

    /// SQLite frees cache pages to malloc, which keeps them; trimming hands whole free pages back.
    private static func returnFreedMemoryToSystem() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module does not import malloc.h.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// The third field of /proc/self/statm: resident pages backed by files (and shared memory).
    static func fileBackedResidentBytes() -> Int? {
        #if os(Linux)
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 2, let pages = Int(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }
}
