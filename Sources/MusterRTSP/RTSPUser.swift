/// A configured RTSP account and the channel paths it may read (play) and publish to.
public struct RTSPUser: Sendable, Hashable {
    public var name: String
    public var password: String
    public var read: [RTSPPathPattern]
    public var publish: [RTSPPathPattern]

    public init(name: String, password: String, read: [RTSPPathPattern], publish: [RTSPPathPattern]) {
        self.name = name
        self.password = password
        self.read = read
        self.publish = publish
    }
}

extension RTSPUser {
    /// Whether one of the user's patterns for `action` covers `path`.
    func may(_ action: RTSPAction, _ path: String) -> Bool {
        (action == .read ? read : publish).contains { $0.matches(path) }
    }
}

/// Which paths a permission covers: `*` (all), `hq/*` (everything under hq/) or an exact path.
public struct RTSPPathPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public func matches(_ path: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix("/*") { return path.hasPrefix(String(pattern.dropLast())) }
        return path == pattern
    }

    public var description: String { pattern }
}

/// What a request wants to do with a path.
enum RTSPAction: String {
    case read
    case publish
}
