/// RTSP request methods (RFC 2326 §10). Unknown methods are kept so the server can answer 501.
public struct RTSPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let options = RTSPMethod(rawValue: "OPTIONS")
    public static let describe = RTSPMethod(rawValue: "DESCRIBE")
    public static let announce = RTSPMethod(rawValue: "ANNOUNCE")
    public static let setup = RTSPMethod(rawValue: "SETUP")
    public static let play = RTSPMethod(rawValue: "PLAY")
    public static let pause = RTSPMethod(rawValue: "PAUSE")
    public static let record = RTSPMethod(rawValue: "RECORD")
    public static let teardown = RTSPMethod(rawValue: "TEARDOWN")
    public static let getParameter = RTSPMethod(rawValue: "GET_PARAMETER")
    public static let setParameter = RTSPMethod(rawValue: "SET_PARAMETER")

    public var description: String { rawValue }
}
