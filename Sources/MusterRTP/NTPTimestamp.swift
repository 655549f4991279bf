#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 64-bit NTP timestamps (RFC 5905 §6, used by RFC 3550 §4): seconds since 1900-01-01 UTC in
/// the high 32 bits, the binary fraction of a second in the low 32 bits.
public enum NTPTimestamp {
    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970): 70 years with 17 leap days.
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    /// The NTP timestamp of a date. Dates outside NTP era 0 (1900–2036) wrap into it, as the
    /// 32-bit seconds field does on the wire.
    public static func timestamp(for date: Date) -> UInt64 {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return 0 }
        let seconds = interval.rounded(.down)
        // Clamp before converting: Int64(_:) traps on values it cannot represent.
        let wholeSeconds = Int64(max(min(seconds, 9.0e18), -9.0e18))
        let fraction = UInt64(max(min((interval - seconds) * 4_294_967_296, 4_294_967_295), 0))
        let ntpSeconds = UInt64(bitPattern: wholeSeconds &+ Int64(unixEpochOffset)) & 0xFFFF_FFFF
        return ntpSeconds << 32 | fraction
    }

    /// The current wall-clock time from `clock_gettime(CLOCK_REALTIME)`, at nanosecond precision.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return timestamp(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
    }

    /// The NTP timestamp of a Unix time given as seconds and nanoseconds (0..<1e9).
    public static func timestamp(seconds: Int64, nanoseconds: Int64) -> UInt64 {
        let ntpSeconds = UInt64(bitPattern: seconds &+ Int64(unixEpochOffset)) & 0xFFFF_FFFF
        let nanos = UInt64(max(min(nanoseconds, 999_999_999), 0))
        return ntpSeconds << 32 | (nanos << 32) / 1_000_000_000
    }

    /// The middle 32 bits, the compact form RTCP receiver reports echo as "last SR" (RFC 3550 §6.4.1).
    public static func middle32(_ timestamp: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: timestamp >> 16)
    }
}
