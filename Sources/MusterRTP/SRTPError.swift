import CSRTP

/// A failure of libsrtp2 (RFC 3711) or of the arguments given to `SRTPSession`.
///
/// On the receive path, `isDropAndCount` errors are expected traffic, not faults: a packet that
/// fails authentication (forged, corrupted, wrong key) or replay protection (a duplicate or a
/// packet older than the replay window) must be dropped and counted, and the session carries on.
public struct SRTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The libsrtp `srtp_err_status_t` value; 0 for errors raised before calling libsrtp.
    public var status: UInt32
    /// libsrtp's name for `status` without the `srtp_err_status_` prefix (`auth_fail`,
    /// `replay_fail`, …), or a Muster name such as `bad_key_length` for argument errors.
    public var name: String
    /// What was being done: `create`, `protect`, `unprotect`, `protect_rtcp`, `unprotect_rtcp`.
    public var operation: String

    public init(status: UInt32, name: String, operation: String) {
        self.status = status
        self.name = name
        self.operation = operation
    }

    init(_ status: srtp_err_status_t, operation: String) {
        self.init(status: status.rawValue, name: Self.name(of: status.rawValue), operation: operation)
    }

    /// The packet failed its authentication tag check (RFC 3711 §3.4): drop and count it.
    public var isAuthenticationFailure: Bool { status == srtp_err_status_auth_fail.rawValue }

    /// The packet index was already seen or is behind the replay window (RFC 3711 §3.3.2):
    /// drop and count it.
    public var isReplay: Bool {
        status == srtp_err_status_replay_fail.rawValue || status == srtp_err_status_replay_old.rawValue
    }

    /// Errors that concern one received packet only; see the type's documentation.
    public var isDropAndCount: Bool { isAuthenticationFailure || isReplay }

    public var description: String { "SRTP \(operation) failed: \(name) (\(status))" }

    /// Names as in libsrtp's `srtp_err_status_t` (srtp.h), so logs match its documentation.
    static func name(of status: UInt32) -> String {
        let names = [
            "ok", "fail", "bad_param", "alloc_fail", "dealloc_fail", "init_fail", "terminus",
            "auth_fail", "cipher_fail", "replay_fail", "replay_old", "algo_fail", "no_such_op",
            "no_ctx", "cant_check", "key_expired", "socket_err", "signal_err", "nonce_bad",
            "read_fail", "write_fail", "parse_err", "encode_err", "semaphore_err", "pfkey_err",
            "bad_mki", "pkt_idx_old", "pkt_idx_adv",
        ]
        let index = Int(status)
        return names.indices.contains(index) ? names[index] : "unknown"
    }
}
