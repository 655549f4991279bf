/// UDP multicast delivery (RFC 2326 §12.39 `multicast`): each played track of a stream is sent
/// once to a group of its own, however many consumers joined it.
public struct RTSPMulticastConfiguration: Sendable, Hashable {
    /// Groups handed out, one per (stream, track) while it has multicast consumers. The default
    /// lies in the IPv4 Local Scope (RFC 2365), which routers keep inside the organization.
    public var groups: IPv4AddressBlock
    /// The RTP port of every group (RTCP on the next); 0 picks an even port at start (for tests).
    public var port: Int
    /// Hops the packets may travel; 1 keeps them on the listener's own network.
    public var ttl: Int

    public static let defaultGroups = IPv4AddressBlock(base: 0xEFFF_2A00, prefixLength: 24)  // 239.255.42.0/24

    public init(groups: IPv4AddressBlock = Self.defaultGroups, port: Int = 8002, ttl: Int = 1) {
        self.groups = groups
        self.port = port
        self.ttl = ttl
    }
}

/// A block of IPv4 addresses written `a.b.c.d/n`.
public struct IPv4AddressBlock: Sendable, Hashable, CustomStringConvertible {
    /// The first address, host order, with the bits past the prefix cleared.
    public let base: UInt32
    public let prefixLength: Int

    public init(base: UInt32, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "an IPv4 prefix is 0 to 32 bits")
        self.prefixLength = prefixLength
        self.base = prefixLength == 0 ? 0 : base & ~(UInt32.max >> prefixLength)
    }

    /// Parses `a.b.c.d/n`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length),
              let address = Self.address(String(parts[0])) else { return nil }
        self.init(base: address, prefixLength: length)
    }

    /// How many addresses the block holds.
    public var count: Int { 1 << (32 - prefixLength) }

    /// Whether every address of the block is an IPv4 multicast group (224.0.0.0/4).
    public var isMulticast: Bool { prefixLength >= 4 && base >> 28 == 0xE }

    /// The address at `offset` from the start of the block, dotted.
    public func address(at offset: Int) -> String {
        Self.dotted(base &+ UInt32(truncatingIfNeeded: offset))
    }

    public var description: String { "\(Self.dotted(base))/\(prefixLength)" }

    /// A dotted-quad address in host order; nil unless it is exactly four numbers 0–255.
    public static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCIIDigit), let number = UInt32(octet), number <= 255 else {
                return nil
            }
            value = value << 8 | number
        }
        return value
    }

    static func dotted(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
