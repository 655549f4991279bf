import Foundation

/// One line per gateway event for `musterctl events`. The gateway's event data is a JSON
/// object with `type`, `channel`, `at` and further facts (session id, role, transport, remote
/// address); the line shows the time, the type, the channel and then the facts as key=value.
enum EventLineFormatter {
    /// Wide enough for the longest type, `session.started`, so that channels line up.
    static let typeColumnWidth = 16

    /// `2025-03-01 14:03:11  session.started   hq/gate-1  id=7f3a role=consumer transport=tcp`
    static func line(for event: ServerSentEvent, receivedAt: Date, in timeZone: TimeZone = .current) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            let time = DisplayFormatting.localTime(receivedAt, in: timeZone)
            return TextTable.cleaned("\(time)  \(padded(event.type))  \(event.data)")
        }
        let time = (object["at"] as? String).flatMap(DisplayFormatting.parseTimestamp) ?? receivedAt
        let type = (object["type"] as? String) ?? event.type
        var line = DisplayFormatting.localTime(time, in: timeZone) + "  " + padded(type)
        if let channel = object["channel"] as? String { line += "  " + channel }
        let facts = object.keys.filter { !["at", "type", "channel"].contains($0) }.sorted()
        if !facts.isEmpty {
            line += "  " + facts.map { $0 + "=" + quotedIfNeeded(text(of: object[$0] as Any)) }.joined(separator: " ")
        }
        return TextTable.cleaned(line)
    }

    /// The event's data as one line of JSON, for `--output json`: as sent when it already is
    /// one line, re-serialized when the data spanned several `data:` lines.
    static func jsonLine(for event: ServerSentEvent) -> String {
        guard event.data.contains("\n") else { return event.data }
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else {
            return event.data.replacingOccurrences(of: "\n", with: " ")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func padded(_ type: String) -> String {
        type.count >= typeColumnWidth ? type : type + String(repeating: " ", count: typeColumnWidth - type.count)
    }

    /// A string as it is; anything else (number, boolean, null, nested JSON) as JSON text.
    private static func text(of value: Any) -> String {
        if let string = value as? String { return string }
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
