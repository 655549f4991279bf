import Foundation

/// Figures and times the way an operator reads them: bit rates in kbit/s and Mbit/s, byte
/// counts in KiB and MiB, durations in days, hours and minutes, times in the local time zone.
enum DisplayFormatting {
    /// `0`, `850 kbit/s`, `2.1 Mbit/s`, `1.2 Gbit/s`.
    static func bitrate(_ bitsPerSecond: Int) -> String {
        switch bitsPerSecond {
        case ..<1: "0"
        case ..<1_000: "\(bitsPerSecond) bit/s"
        case ..<1_000_000: "\(bitsPerSecond / 1_000) kbit/s"
        case ..<1_000_000_000: oneDecimal(Double(bitsPerSecond) / 1e6) + " Mbit/s"
        default: oneDecimal(Double(bitsPerSecond) / 1e9) + " Gbit/s"
        }
    }

    /// `512 B`, `12.3 KiB`, `4.0 MiB`, `1.2 GiB`.
    static func byteCount(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return oneDecimal(value) + " " + units[unit]
    }

    /// `45s`, `12m 03s`, `3h 04m`, `2d 03h`: the two largest units, enough at a glance.
    static func duration(seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        let (days, hours, minutes, secs) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days)d " + twoDigits(hours) + "h" }
        if hours > 0 { return "\(hours)h " + twoDigits(minutes) + "m" }
        if minutes > 0 { return "\(minutes)m " + twoDigits(secs) + "s" }
        return "\(secs)s"
    }

    /// `48.85660, 2.35220`: five decimals are about a metre.
    static func coordinates(latitude: Double, longitude: Double) -> String {
        String(format: "%.5f, %.5f", latitude, longitude)
    }

    /// A date-time of the API (RFC 3339, as the gateway writes it) as `2025-03-01 14:03:11` in
    /// `timeZone`; text that is no such date is shown as it came.
    static func timestamp(_ text: String?, in timeZone: TimeZone = .current) -> String {
        guard let text, !text.isEmpty else { return "" }
        guard let date = parseTimestamp(text) else { return text }
        return localTime(date, in: timeZone)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func localTime(_ date: Date, in timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d",
            parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0
        )
    }

    /// Whole numbers without a decimal point (`25`), others with one decimal (`12.5`).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : oneDecimal(value)
    }

    /// `1 consumer`, `2 consumers`.
    static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    /// `text` as one word for a POSIX shell, quoted only when it needs to be.
    static func shellWord(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.,:/=+@%".unicodeScalars.contains($0)) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func oneDecimal(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
