import Foundation
import MusterCore
import MusterDirectory

/// A new channel as a client sends it (API body, JSON lines import, CSV import row).
struct ChannelInput: Decodable, Sendable {
    var path: String
    var name: String?
    var kind: String
    var source: String
    var zone: String?
    var unitID: String?
    var latitude: Double?
    var longitude: Double?
    var tags: [String]?
    var onDemand: Bool?

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
    }

    /// The channel to store, or a 400 naming the first bad field. The directory checks the rest.
    func channel(at now: Date = Date()) throws(APIProblem) -> Channel {
        let channelPath: ChannelPath
        do {
            channelPath = try ChannelPath(validating: path)
        } catch {
            throw APIProblem.badField("path", "is not a channel path: \(error.problem) (e.g. hq/gate-1)")
        }
        guard let channelKind = ChannelKind(rawValue: kind) else {
            throw APIProblem.badField("kind", "must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Channel(
            path: channelPath, name: name ?? path, kind: channelKind, source: try Self.source(source),
            zone: zone, unitID: unitID, latitude: latitude, longitude: longitude,
            tags: tags ?? [], onDemand: onDemand ?? false, createdAt: now, updatedAt: now
        )
    }

    /// `push`, a mosaic line, or a URL with a scheme, or an absolute file path (drills and demos).
    static func source(_ text: String) throws(APIProblem) -> ChannelSource {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "push" { return .push }
        if trimmed == "derived" { return .derived }
        if trimmed.hasPrefix(MosaicSource.scheme) {
            do {
                return .mosaic(try MosaicSource(parsing: trimmed))
            } catch {
                guard case .invalidField(_, let problem) = error else { throw APIProblem.badField("source", "\(error)") }
                throw APIProblem.badField("source", problem)
            }
        }
        guard !trimmed.isEmpty, trimmed.utf8.count <= 2048 else {
            throw APIProblem.badField("source", "must be 'push' or a URL of at most 2048 bytes")
        }
        let hasScheme = trimmed.range(of: "^[a-zA-Z][a-zA-Z0-9+.-]*://", options: .regularExpression) != nil
        guard hasScheme || trimmed.hasPrefix("/") else {
            throw APIProblem.badField("source", "must be 'push', a URL such as rtsp://camera/stream, or an absolute file path")
        }
        guard !trimmed.contains(where: { $0.isNewline || $0 == " " }) else {
            throw APIProblem.badField("source", "must not contain spaces or line breaks (percent-encode them)")
        }
        return .pull(trimmed)
    }
}

/// A PATCH body: absent keys keep their value, null clears an optional one.
struct ChannelUpdateInput: Decodable, Sendable {
    var patch = ChannelPatch()

    enum CodingKeys: String, CodingKey {
        case path, name, kind, source, zone, unitID = "unit_id", latitude, longitude, tags, onDemand = "on_demand"
        case createdAt = "created_at", updatedAt = "updated_at", state
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for readOnly in [CodingKeys.path, .createdAt, .updatedAt, .state] where container.contains(readOnly) {
            throw APIProblem.badField(readOnly.rawValue, "cannot be changed")
        }
        patch.name = try container.decodeIfPresent(String.self, forKey: .name)
        if let kind = try container.decodeIfPresent(String.self, forKey: .kind) {
            guard let value = ChannelKind(rawValue: kind) else {
                throw APIProblem.badField("kind", "must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            patch.kind = value
        }
        if let source = try container.decodeIfPresent(String.self, forKey: .source) {
            patch.source = try ChannelInput.source(source)
        }
        patch.zone = try Self.nullable(String.self, .zone, in: container)
        patch.unitID = try Self.nullable(String.self, .unitID, in: container)
        patch.latitude = try Self.nullable(Double.self, .latitude, in: container)
        patch.longitude = try Self.nullable(Double.self, .longitude, in: container)
        patch.tags = try container.decodeIfPresent([String].self, forKey: .tags)
        patch.onDemand = try container.decodeIfPresent(Bool.self, forKey: .onDemand)
    }

    /// nil when the key is absent, `.some(nil)` when it is null.
    private static func nullable<T: Decodable>(_ type: T.Type, _ key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>) throws -> T?? {
        guard container.contains(key) else { return nil }
        if try container.decodeNil(forKey: key) { return .some(nil) }
        return .some(try container.decode(T.self, forKey: key))
    }
}
