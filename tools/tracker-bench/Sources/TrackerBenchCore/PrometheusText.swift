/// One sample of the Prometheus text exposition: `name{label="value",…} 123`.
public struct MetricSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double
}

public enum PrometheusText {
    /// The samples, skipping comments and lines that do not parse.
    public static func samples(_ text: String) -> [MetricSample] {
        var result: [MetricSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " }) ?? line.endIndex
            let name = String(line[..<nameEnd])
            var labels: [String: String] = [:]
            var rest = line[nameEnd...]
            if rest.first == "{" {
                guard let close = rest.lastIndex(of: "}") else { continue }
                labels = parseLabels(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            }
            guard let valueText = rest.split(separator: " ").first, let value = Double(valueText) else { continue }
            result.append(MetricSample(name: name, labels: labels, value: value))
        }
        return result
    }

    static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = text[index..<equals].trimmingCharacters(in: ",")
            var cursor = text.index(after: equals)
            guard cursor < text.endIndex, text[cursor] == "\"" else { break }
            cursor = text.index(after: cursor)
            var value = ""
            while cursor < text.endIndex, text[cursor] != "\"" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex { cursor = text.index(after: cursor) }
                value.append(text[cursor])
                cursor = text.index(after: cursor)
            }
            labels[key] = value
            index = cursor < text.endIndex ? text.index(after: cursor) : cursor
        }
        return labels
    }
}

/// The tracker's counters out of one /metrics scrape.
public struct TrackerCounters: Sendable, Equatable, Codable {
    public var accepted: [String: Double] = [:]
    /// "source/reason" → count.
    public var rejected: [String: Double] = [:]
    public var notStored: [String: Double] = [:]
    public var unitsOnline: Double = 0

    public init() {}

    public init(metrics text: String) {
        for sample in PrometheusText.samples(text) {
            let source = sample.labels["source"] ?? ""
            switch sample.name {
            case "muster_positions_accepted_total": accepted[source, default: 0] += sample.value
            case "muster_positions_rejected_total": rejected["\(source)/\(sample.labels["reason"] ?? "")", default: 0] += sample.value
            case "muster_positions_not_stored_total": notStored[source, default: 0] += sample.value
            case "muster_units_online": unitsOnline = sample.value
            default: break
            }
        }
    }

    public var totalAccepted: Double { accepted.values.reduce(0, +) }

    /// What changed from `earlier` to `self`.
    public func since(_ earlier: TrackerCounters) -> TrackerCounters {
        var delta = TrackerCounters()
        func subtract(_ now: [String: Double], _ before: [String: Double]) -> [String: Double] {
            var result: [String: Double] = [:]
            for (key, value) in now where value - (before[key] ?? 0) != 0 { result[key] = value - (before[key] ?? 0) }
            return result
        }
        delta.accepted = subtract(accepted, earlier.accepted)
        delta.rejected = subtract(rejected, earlier.rejected)
        delta.notStored = subtract(notStored, earlier.notStored)
        delta.unitsOnline = unitsOnline
        return delta
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set || $0 == " " }))
    }
}
