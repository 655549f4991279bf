#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

extension ByteBuffer {
    /// The number of LF bytes readable: lines of a JSON lines or CSV stream. memchr keeps this
    /// at C speed even in debug builds, where a per-byte Swift loop over a gigabyte crawls.
    var newlineCount: Int {
        withUnsafeReadableBytes { bytes in
            guard var cursor = bytes.baseAddress else { return 0 }
            let end = cursor + bytes.count
            var count = 0
            while cursor < end, let found = memchr(cursor, Int32(UInt8(ascii: "\n")), end - cursor) {
                count += 1
                cursor = UnsafeRawPointer(found) + 1
            }
            return count
        }
    }
}
