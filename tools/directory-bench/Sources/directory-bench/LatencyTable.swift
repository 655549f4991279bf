import Foundation

/// Latency samples per benchmark case, printed as one table.
struct LatencyTable {
    struct Row {
        var label: String
        var samples: [Duration]
        var rows: Int
    }

    private(set) var rows: [Row] = []

    mutating func add(_ label: String, samples: [Duration], rows: Int) {
        self.rows.append(Row(label: label, samples: samples, rows: rows))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// The nearest-rank percentile.
    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    func render() -> String {
        let width = max(44, (rows.map(\.label.count).max() ?? 0) + 2)
        var text = "case".padding(toLength: width, withPad: " ", startingAt: 0) + "     n    p50 ms    p99 ms    max ms   rows/page\n"
        text += String(repeating: "-", count: width + 48) + "\n"
        for row in rows {
            let sorted = row.samples.sorted()
            let figures = [0.5, 0.99].map { String(format: "%9.2f", Self.milliseconds(Self.percentile(sorted, $0))) }
            text += row.label.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "%6d", sorted.count) + " " + figures.joined(separator: " ")
                + String(format: " %9.2f", Self.milliseconds(sorted.last ?? .zero))
                + String(format: " %11.1f", sorted.isEmpty ? 0 : Double(row.rows) / Double(sorted.count)) + "\n"
        }
        return text
    }
}
