/// A request the server refuses: answered with `status` and a plain-text reason, and the
/// connection and its other sessions carry on.
struct RTSPRequestError: Error, Sendable {
    var status: RTSPStatus
    var reason: String

    init(_ status: RTSPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }
}

extension RTSPStatus {
    static let parameterNotUnderstood = RTSPStatus(code: 451, reasonPhrase: "Parameter Not Understood")
}
