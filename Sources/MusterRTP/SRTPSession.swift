import CSRTP
import NIOCore

/// `srtp_init` must run once per process before any other libsrtp call; a global is initialized
/// exactly once, thread-safely, on first use.
private let srtpLibraryStatus: UInt32 = srtp_init().rawValue

/// One libsrtp2 session (RFC 3711) for any SSRC in one direction.
///
/// Not thread-safe: libsrtp mutates the context (rollover counters, replay windows) on every
/// packet, so a session must be used from one thread at a time, e.g. owned by one event loop.
/// It is `Sendable` only so that it can be handed to that thread.
public final class SRTPSession: @unchecked Sendable {
    public typealias Direction = SRTPDirection

    public let profile: SRTPProfile
    public let direction: Direction
    private let context: srtp_t

    /// Extra bytes an SRTCP packet gains beyond the RTP trailer: the E flag and SRTCP index.
    private static let srtcpIndexLength = 4
    private static let trailerLength = Int(SRTP_MAX_TRAILER_LEN)

    /// Creates a session from the master key followed by the master salt (RFC 3711 §8.2), as
    /// SDES `inline:` (RFC 4568) or DTLS-SRTP key export (RFC 5764 §4.2) deliver them.
    public init(
        profile: SRTPProfile = .aesCM128HMACSHA1_80,
        masterKeyAndSalt: [UInt8],
        direction: Direction
    ) throws(SRTPError) {
        guard srtpLibraryStatus == srtp_err_status_ok.rawValue else {
            throw SRTPError(status: srtpLibraryStatus, name: SRTPError.name(of: srtpLibraryStatus), operation: "init")
        }
        guard masterKeyAndSalt.count == profile.masterKeyAndSaltLength else {
            throw SRTPError(status: 0, name: "bad_key_length", operation: "create")
        }
        var policy = srtp_policy_t()
        switch profile {
        case .aesCM128HMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
        case .aesCM128HMACSHA1_32:
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp)
        }
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 128
        policy.allow_repeat_tx = 0
        policy.next = nil

        var session: srtp_t? = nil
        var key = masterKeyAndSalt
        // srtp_create copies the key into its own context, so the pointer only lives for the call.
        let status = key.withUnsafeMutableBufferPointer { key in
            policy.key = key.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status == srtp_err_status_ok, let session else {
            throw SRTPError(status, operation: "create")
        }
        self.profile = profile
        self.direction = direction
        self.context = session
    }

    deinit {
        srtp_dealloc(context)
    }

    /// Encrypts and authenticates an RTP packet in place (RFC 3711 §3.3), appending the tag.
    public func protect(_ packet: inout ByteBuffer) throws(SRTPError) {
        try transform(&packet, trailer: Self.trailerLength, operation: "protect", srtp_protect)
    }

    /// Verifies and decrypts an SRTP packet in place (RFC 3711 §3.3), removing the tag.
    /// - Throws: `SRTPError` whose `isDropAndCount` is true for forged or replayed packets.
    public func unprotect(_ packet: inout ByteBuffer) throws(SRTPError) {
        try transform(&packet, trailer: 0, operation: "unprotect", srtp_unprotect)
    }

    /// Encrypts and authenticates a compound RTCP packet in place (RFC 3711 §3.4).
    public func protectRTCP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try transform(&packet, trailer: Self.trailerLength + Self.srtcpIndexLength, operation: "protect_rtcp", srtp_protect_rtcp)
    }

    /// Verifies and decrypts an SRTCP packet in place (RFC 3711 §3.4).
    /// - Throws: `SRTPError` whose `isDropAndCount` is true for forged or replayed packets.
    public func unprotectRTCP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try transform(&packet, trailer: 0, operation: "unprotect_rtcp", srtp_unprotect_rtcp)
    }

    /// Runs one libsrtp in-place transform over the readable bytes of `packet`.
    ///
    /// libsrtp writes up to `trailer` bytes past the packet and reports the new length through
    /// an `int*`. Zero bytes are appended first so that the whole region it may touch lies
    /// inside the buffer pointer Swift hands out; the writer index then moves to the new length.
    private func transform(
        _ packet: inout ByteBuffer,
        trailer: Int,
        operation: String,
        _ function: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(SRTPError) {
        let length = packet.readableBytes
        guard length <= Int(Int32.max) - trailer else {
            throw SRTPError(status: srtp_err_status_bad_param.rawValue, name: "bad_param", operation: operation)
        }
        // libsrtp reads 32-bit words (SRTCP documents it); realign the rare misaligned slice.
        let isAligned = packet.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) % 4 == 0 }
        if !isAligned {
            var copy = ByteBufferAllocator().buffer(capacity: length + trailer)
            copy.writeImmutableBuffer(packet)
            packet = copy
        }
        if trailer > 0 { packet.writeRepeatingByte(0, count: trailer) }
        var newLength = Int32(length)
        let context = self.context
        let status = packet.withUnsafeMutableReadableBytes { bytes in
            function(context, bytes.baseAddress, &newLength)
        }
        guard status == srtp_err_status_ok, newLength >= 0, Int(newLength) <= length + trailer else {
            // libsrtp leaves the length undefined on failure; restore the original framing.
            packet.moveWriterIndex(to: packet.readerIndex + length)
            throw SRTPError(status, operation: operation)
        }
        packet.moveWriterIndex(to: packet.readerIndex + Int(newLength))
    }
}
