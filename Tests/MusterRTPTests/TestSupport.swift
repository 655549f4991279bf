import MusterCore
import MusterRTP
import NIOCore

/// A buffer from hex digits. `#` starts a comment to the end of the line; spaces, newlines and
/// `|` separators are ignored, so fixtures can be laid out field by field.
func bytes(_ hex: String) -> ByteBuffer {
    let digits = hex.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in line.prefix { $0 != "#" }.filter(\.isHexDigit) }
        .joined()
    precondition(digits.count % 2 == 0, "odd number of hex digits in fixture")
    var values: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        values.append(UInt8(digits[index..<next], radix: 16) ?? 0)
        index = next
    }
    return ByteBuffer(bytes: values)
}

/// A buffer of `count` bytes counting up from `seed`, so misplaced bytes show in comparisons.
func pattern(_ count: Int, header: [UInt8] = [], seed: UInt8 = 0) -> ByteBuffer {
    let body = (0..<max(count - header.count, 0)).map { UInt8(truncatingIfNeeded: $0) &+ seed }
    return ByteBuffer(bytes: header + body)
}

func parse(_ packets: [ByteBuffer]) throws -> [RTPPacket] {
    try packets.map { try RTPPacket(parsing: $0) }
}

/// Feeds every packet and collects everything the depacketizer emits.
func depacketize(_ packets: [RTPPacket], with depacketizer: inout RTPDepacketizer) -> [RTPDepacketizedUnit] {
    packets.flatMap { depacketizer.depacketize($0) }
}

/// An RTP packet for depacketizer tests, the payload given as hex.
func rtp(
    _ payloadHex: String,
    sequenceNumber: UInt16,
    timestamp: UInt32 = 90_000,
    marker: Bool = false
) -> RTPPacket {
    RTPPacket(marker: marker, payloadType: 96, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: 0x1234_5678, payload: bytes(payloadHex))
}

enum H264Fixture {
    /// Baseline profile level 3.1 SPS and a PPS, as a camera sends them.
    static let sps = bytes("67 42 c0 1f da 01 40 16 ec 04")
    static let pps = bytes("68 ce 3c 80")
    static let idr = bytes("65 88 84 00 33 ff")
    static let nonIDR = bytes("41 9a 24 6c 42")
    static let delimiter = bytes("09 f0")

    static func track(parameterSets: [ByteBuffer] = [sps, pps]) -> MediaTrack {
        MediaTrack(id: 0, codec: .h264, clockRate: 90_000, parameterSets: parameterSets)
    }
}
