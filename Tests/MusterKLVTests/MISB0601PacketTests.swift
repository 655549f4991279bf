import Foundation
import Testing
@testable import MusterKLV

/// Builds ST 0601 local sets the way a drone's encoder does, for the parser to read back.
enum MISB0601Builder {
    static func berLength(_ length: Int) -> [UInt8] {
        if length < 128 { return [UInt8(length)] }
        let bytes = withUnsafeBytes(of: UInt32(length).bigEndian, Array.init).drop { $0 == 0 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func item(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] { [tag] + berLength(value.count) + value }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    /// A packet with the given items and a correct checksum (or `checksum` if given).
    static func packet(_ items: [[UInt8]], checksum: UInt16? = nil) -> [UInt8] {
        let body = items.flatMap { $0 }
        let head = MISB0601Packet.universalKey + berLength(body.count + 4) + body + [0x01, 0x02]
        let sum = checksum ?? MISB0601Packet.checksum(head)
        return head + bigEndian(sum)
    }

    static func position(latitude: Double, longitude: Double, altitude: Double, heading: Double, microseconds: UInt64) -> [UInt8] {
        packet([
            item(2, bigEndian(microseconds)),
            item(5, bigEndian(UInt16((heading / 360 * 65535).rounded()))),
            item(13, bigEndian(Int32((latitude / 90 * Double(Int32.max)).rounded()))),
            item(14, bigEndian(Int32((longitude / 180 * Double(Int32.max)).rounded()))),
            item(15, bigEndian(UInt16(((altitude + 900) / 19900 * 65535).rounded()))),
        ])
    }
}

struct MISB0601PacketTests {
    @Test func readsTimePositionAltitudeAndHeading() throws {
        let bytes = MISB0601Builder.position(latitude: 25.0423, longitude: 102.7101, altitude: 2150, heading: 87.5, microseconds: 1_764_381_600_123_456)
        let packet = try MISB0601Packet(parsing: bytes)
        #expect(abs(try #require(packet.sensorLatitude) - 25.0423) < 1e-7)
        #expect(abs(try #require(packet.sensorLongitude) - 102.7101) < 1e-7)
        #expect(abs(try #require(packet.sensorTrueAltitude) - 2150) < 0.2)
        #expect(abs(try #require(packet.platformHeading) - 87.5) < 0.01)
        #expect(packet.timestamp == Date(timeIntervalSince1970: 1_764_381_600.123456))
    }

    @Test func treatsTheErrorValueAsNoPosition() throws {
        let bytes = MISB0601Builder.packet([
            MISB0601Builder.item(13, [0x80, 0x00, 0x00, 0x00]),
            MISB0601Builder.item(14, [0x80, 0x00, 0x00, 0x00]),
        ])
        let packet = try MISB0601Packet(parsing: bytes)
        #expect(packet.sensorLatitude == nil)
        #expect(packet.sensorLongitude == nil)
    }

    @Test func readsPastUnknownTagsAndMultiByteTagsAndLengths() throws {
        let bytes = MISB0601Builder.packet([
            MISB0601Builder.item(65, [13]),                          // UAS LS version
            [0x81, 0x01] + MISB0601Builder.berLength(3) + [1, 2, 3],  // tag 129 as a two-byte BER-OID
            MISB0601Builder.item(3, Array(repeating: 0x41, count: 200)), // mission id with a long-form length
            MISB0601Builder.item(13, MISB0601Builder.bigEndian(Int32(0))),
        ])
        #expect(try MISB0601Packet(parsing: bytes).sensorLatitude == 0)
    }

    @Test func refusesABadChecksum() {
        var bytes = MISB0601Builder.position(latitude: 1, longitude: 2, altitude: 3, heading: 4, microseconds: 5)
        bytes[bytes.count - 1] ^= 0xFF
        #expect(throws: KLVError.self) { try MISB0601Packet(parsing: bytes) }
        let corrupted = MISB0601Builder.position(latitude: 1, longitude: 2, altitude: 3, heading: 4, microseconds: 5)
        var flipped = corrupted
        flipped[25] ^= 0x01
        #expect { try MISB0601Packet(parsing: flipped) } throws: { ($0 as? KLVError)?.code == .checksumMismatch }
    }

    static let key = MISB0601Packet.universalKey
    static let malformed: [(String, [UInt8])] = [
        ("empty", []),
        ("key only", key),
        ("wrong key", [UInt8](repeating: 0x06, count: 16) + [0]),
        ("length past the end", key + [0x40, 0x02, 0x01]),
        ("item past the set", key + [0x03, 0x0D, 0x10, 0x00]),
        ("5-byte BER length", key + [0x85, 0, 0, 0, 0, 1]),
        ("endless tag", key + [0x06, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01]),
        ("no checksum", key + [0x03, 0x41, 0x01, 0x0D]),
        ("short checksum", key + [0x03, 0x01, 0x01, 0x00]),
    ]

    /// Malformed input from a hostile or broken sender: every case is an error, never a crash.
    @Test(arguments: malformed)
    func refusesMalformedPackets(name: String, bytes: [UInt8]) {
        #expect(throws: KLVError.self, "\(name)") { try MISB0601Packet(parsing: bytes) }
    }

    @Test func checksumMatchesTheStandardsDefinition() {
        // ST 0601: bytes at even offsets count in the high byte, odd ones in the low byte.
        #expect(MISB0601Packet.checksum([0x01, 0x02, 0x03]) == 0x0402)
        #expect(MISB0601Packet.checksum([0xFF, 0xFF, 0xFF, 0xFF]) == 0xFFFE)
    }
}
