/// Why musterctl stops. The code is the process exit status, so that scripts can tell a refusal
/// by the gateway from a mistake on the command line and from a gateway that cannot be reached.
struct MusterctlError: Error, CustomStringConvertible {
    enum Code: Int32, Sendable {
        /// The gateway refused the request, or something else failed (a local file, a bad answer).
        case failed = 1
        /// The command line or the configuration is wrong.
        case usage = 2
        /// The gateway could not be reached: connection refused, name not resolved, timeout.
        case unreachable = 3
    }

    var code: Code
    var message: String
    /// What the operator might do about it, printed on its own line.
    var hint: String?

    var description: String { message }

    init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    static func usage(_ message: String, hint: String? = nil) -> MusterctlError {
        MusterctlError(.usage, message, hint: hint)
    }

    static func failed(_ message: String, hint: String? = nil) -> MusterctlError {
        MusterctlError(.failed, message, hint: hint)
    }

    /// A problem document (RFC 9457) answered by the gateway: its detail, the field at fault and
    /// the HTTP status, e.g. `path is not a channel path (field: path; HTTP 400 Bad Request)`.
    static func refused(status: Int, reason: String, detail: String, field: String?, hint: String? = nil) -> MusterctlError {
        let fieldNote = field.map { "field: \($0); " } ?? ""
        return MusterctlError(.failed, "\(detail) (\(fieldNote)HTTP \(status) \(reason))", hint: hint)
    }

    static func unreachable(_ settings: ClientSettings, _ reason: String) -> MusterctlError {
        MusterctlError(
            .unreachable,
            "cannot reach the Muster gateway at \(settings.server): \(reason)",
            hint: "is the gateway running there? Pass --server URL or set MUSTER_SERVER (this address came from \(settings.serverOrigin.rawValue))."
        )
    }

    /// The lines written to standard error.
    var report: String {
        var text = "error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        return text
    }
}
