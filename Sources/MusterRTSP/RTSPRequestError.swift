/// A request the server refuses: answered with `status` and a plain-text reason, and the
/// connection and its other sessions carry on.
struct RTSPRequestError: Error, Sendable {
    var status: RTSPStatus
    var reason: String
    /// Extra header fields of the answer, such as the WWW-Authenticate challenges of a 401.
    var headers: RTSPHeaders
    /// Whether the refusal is logged; authentication refusals are logged at a bounded rate instead.
    var isLogged: Bool
    /// How long the answer is held back (after a failed authentication).
    var answerDelay: Duration?

    init(_ status: RTSPStatus, _ reason: String, headers: RTSPHeaders = [:], isLogged: Bool = true) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.isLogged = isLogged
    }
}

extension RTSPStatus {
    static let parameterNotUnderstood = RTSPStatus(code: 451, reasonPhrase: "Parameter Not Understood")
}
