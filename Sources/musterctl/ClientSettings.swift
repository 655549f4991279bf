import Foundation

/// The gateway to talk to and the token to present, resolved per value from, in order: the
/// command-line flags, the environment (MUSTER_SERVER, MUSTER_TOKEN) and the config file
/// `$XDG_CONFIG_HOME/muster/musterctl.json` (or `~/.config/muster/musterctl.json`).
struct ClientSettings: Sendable {
    static let defaultServer = "http://127.0.0.1:9780"

    /// Where the server address came from, named in the hint when it cannot be reached.
    enum Origin: String, Sendable {
        case flag = "--server"
        case environment = "MUSTER_SERVER"
        case configFile = "the config file"
        case builtInDefault = "the built-in default"
    }

    var server: ServerAddress
    var serverOrigin: Origin
    var token: String?

    /// The config file's content: both keys optional.
    struct ConfigFile: Decodable, Sendable {
        var server: String?
        var token: String?
    }

    /// `loadConfigFile` is only called when a flag or variable leaves a value open, so a broken
    /// config file does not get in the way of a fully specified command line.
    static func resolve(
        serverFlag: String?, tokenFlag: String?, environment: [String: String],
        loadConfigFile: () throws(MusterctlError) -> ConfigFile?
    ) throws(MusterctlError) -> ClientSettings {
        func nonEmpty(_ value: String?) -> String? {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return value
        }
        let serverGiven = nonEmpty(serverFlag) ?? nonEmpty(environment["MUSTER_SERVER"])
        let tokenGiven = nonEmpty(tokenFlag) ?? nonEmpty(environment["MUSTER_TOKEN"])
        let file = (serverGiven == nil || tokenGiven == nil) ? try loadConfigFile() : nil

        let (serverText, origin): (String, Origin) =
            if let flag = nonEmpty(serverFlag) { (flag, .flag) }
            else if let variable = nonEmpty(environment["MUSTER_SERVER"]) { (variable, .environment) }
            else if let configured = nonEmpty(file?.server) { (configured, .configFile) }
            else { (defaultServer, .builtInDefault) }
        let server = try ServerAddress(parsing: serverText)
        return ClientSettings(server: server, serverOrigin: origin, token: tokenGiven ?? nonEmpty(file?.token))
    }

    /// The config file's path, or nil when neither XDG_CONFIG_HOME nor HOME is set.
    static func configFilePath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/muster/musterctl.json" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/muster/musterctl.json" }
        return nil
    }

    /// Reads the config file; a missing file is no error, an unreadable or malformed one is.
    static func readConfigFile(at path: String) throws(MusterctlError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("cannot read the config file \(path)")
        }
        do {
            return try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch {
            throw .usage("the config file \(path) is not valid: expected {\"server\": \"http://...\", \"token\": \"...\"}")
        }
    }
}
