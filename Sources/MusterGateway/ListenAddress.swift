/// A `HOST:PORT` listen address as given on the command line or in the config file.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback).
    public init(parsing text: String) throws(GatewayConfigurationError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw GatewayConfigurationError("listen address '\(text)' must look like HOST:PORT, e.g. 127.0.0.1:8554")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw GatewayConfigurationError("listen address '\(text)' has no valid port (0–65535)")
        }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    /// Like `init(parsing:)`, but `off` turns the listener off (nil).
    public static func parsingOptional(_ text: String) throws(GatewayConfigurationError) -> ListenAddress? {
        text == "off" ? nil : try ListenAddress(parsing: text)
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
