import ArgumentParser

/// The two shapes of a bulk channel file the gateway imports and exports.
enum ChannelFileFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// One ChannelInput JSON object per line.
    case jsonl
    /// Header `path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand`, tags separated by ';'.
    case csv

    /// The media type the import route expects for this format.
    var contentType: String {
        switch self {
        case .jsonl: "application/x-ndjson"
        case .csv: "text/csv"
        }
    }

    /// The format a file name's extension names: .csv, or .jsonl/.ndjson/.json; nil otherwise.
    static func guess(fromFileName name: String) -> ChannelFileFormat? {
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson", "json": return .jsonl
        default: return nil
        }
    }
}
