import Foundation
import Logging
import MusterFFmpeg
import Synchronization

/// The transcoding profiles the gateway serves, loaded from the profiles directory at start and
/// again on reload (SIGHUP or the API). A reload that fails keeps the profiles in use.
final class ProfileLibrary: Sendable {
    /// Nil when no directory is configured and the default one does not exist.
    let directory: URL?
    private let catalog: Mutex<TranscodeProfileCatalog>

    /// Loads `directory`, or `profiles/` under the working directory when it is nil and exists.
    init(directory: String?) throws(ProfileLoadError) {
        let url: URL?
        if let directory {
            url = URL(fileURLWithPath: directory)
        } else {
            let standard = URL(fileURLWithPath: Self.defaultDirectory)
            url = FileManager.default.fileExists(atPath: standard.path) ? standard : nil
        }
        self.directory = url
        catalog = Mutex(try url.map { url throws(ProfileLoadError) in try TranscodeProfileCatalog.load(directory: url) } ?? TranscodeProfileCatalog(profiles: []))
    }

    static let defaultDirectory = "profiles"

    func profile(named name: String) -> TranscodeProfile? {
        catalog.withLock { $0.profile(named: name) }
    }

    var profiles: [TranscodeProfile] { catalog.withLock { $0.profiles } }

    var names: [String] { profiles.map(\.name) }

    /// Loads the directory again; on failure the current profiles stay and the error is thrown.
    /// Running transcoders keep the recipe they started with; new ones use the new profiles.
    func reload() throws(ProfileLoadError) -> [TranscodeProfile] {
        guard let directory else { return [] }
        let loaded = try TranscodeProfileCatalog.load(directory: directory)
        catalog.withLock { $0 = loaded }
        return loaded.profiles
    }
}
