import Foundation

/// Where the gateway's admin API listens: host, port and an optional path prefix (a gateway
/// behind a reverse proxy at http://proxy/muster). Only http:// is spoken for now.
struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The port `muster serve` listens on unless configured otherwise.
    static let defaultGatewayPort = 9780

    /// The host name or address, IPv6 without brackets.
    var host: String
    var port: Int
    /// "" or a prefix such as "/muster", never ending in '/'.
    var basePath: String

    /// Accepts `http://host[:port][/prefix]` (a URL without a port means 80, as URLs do) and the
    /// shorthand `host[:port]` (without a port it means the gateway's own 9780).
    init(parsing text: String) throws(MusterctlError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var rest = Substring(trimmed)
        var defaultPort = Self.defaultGatewayPort
        if let schemeEnd = rest.range(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "http": defaultPort = 80
            case "https":
                throw .usage("'\(trimmed)': https is not supported yet; use an http:// address (TLS will come in a later musterctl)")
            default:
                throw .usage("'\(trimmed)' is not an http:// address")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        guard !rest.contains("?"), !rest.contains("#") else {
            throw .usage("'\(trimmed)': the server address takes no query or fragment")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else {
            throw .usage("'\(trimmed)': put no credentials in the server address", hint: "pass the token with --token or MUSTER_TOKEN")
        }
        (host, port) = try Self.hostAndPort(authority, defaultPort: defaultPort, whole: trimmed)
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    private static func hostAndPort(_ authority: Substring, defaultPort: Int, whole: String) throws(MusterctlError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .usage("'\(whole)': unclosed '[' in the IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .usage("'\(whole)': expected ':port' after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .usage("'\(whole)' names no host") }
        guard let portText else { return (String(host), defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .usage("'\(whole)': the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    /// The value of the Host header (RFC 9110 §7.2).
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    var description: String { "http://\(hostHeader)\(basePath)" }
}
