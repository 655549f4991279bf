import Foundation

/// How units near a point, tracks and nearby channels look at a terminal.
extension APINearUnit {
    /// One line per unit. With `distances` (a proximity query) the distance from the centre;
    /// otherwise (a box query, which has none) the position. SEEN is how long ago the gateway
    /// received the last position, by the gateway's clock as `online` is.
    static func listTable(_ units: [APINearUnit], distances: Bool, now: Date = Date()) -> TextTable {
        var columns: [TextTable.Column] = [.init(title: "ID"), .init(title: "NAME"), .init(title: "KIND"), .init(title: "STATE")]
        columns.append(distances ? .init(title: "DISTANCE", alignment: .right) : .init(title: "POSITION"))
        columns += [.init(title: "SEEN", alignment: .right), .init(title: "CHANNELS")]
        var table = TextTable(columns)
        for unit in units {
            let place = distances
                ? unit.distance.map { DisplayFormatting.distance(metres: $0) } ?? ""
                : unit.position.map { DisplayFormatting.coordinates(latitude: $0.latitude, longitude: $0.longitude) } ?? ""
            table.append([
                unit.id, unit.name, unit.kind, DisplayFormatting.onlineWord(unit.online), place,
                DisplayFormatting.age(ofTimestamp: unit.position?.receivedAt, now: now), unit.channels.joined(separator: ", "),
            ])
        }
        return table
    }
}

extension APIPosition {
    /// One line per position in the order given: device time (local), coordinates, altitude,
    /// speed in km/h, heading and how the position came in (http, osmand, nmea, klv).
    static func trackTable(_ positions: [APIPosition]) -> TextTable {
        var table = TextTable([
            .init(title: "TIME"), .init(title: "LAT", alignment: .right), .init(title: "LON", alignment: .right),
            .init(title: "ALTITUDE", alignment: .right), .init(title: "SPEED", alignment: .right),
            .init(title: "HEADING", alignment: .right), .init(title: "SOURCE"),
        ])
        for position in positions {
            table.append([
                DisplayFormatting.timestamp(position.deviceTime),
                DisplayFormatting.coordinate(position.latitude), DisplayFormatting.coordinate(position.longitude),
                position.altitude.map(DisplayFormatting.altitude) ?? "",
                position.speed.map { DisplayFormatting.speed(metresPerSecond: $0) } ?? "",
                position.heading.map(DisplayFormatting.heading) ?? "",
                position.source,
            ])
        }
        return table
    }
}

extension APINearbyChannel {
    /// One line per channel, nearest first as the gateway sorts them. LOCATED BY is `fixed` for a
    /// registered location, else the id of the unit whose last position places the channel.
    static func listTable(_ channels: [APINearbyChannel]) -> TextTable {
        var table = TextTable([
            .init(title: "DISTANCE", alignment: .right), .init(title: "PATH"), .init(title: "NAME"), .init(title: "KIND"),
            .init(title: "LOCATED BY"), .init(title: "STATE"), .init(title: "RTSP URL"),
        ])
        for channel in channels {
            table.append([
                DisplayFormatting.distance(metres: channel.distance), channel.path, channel.name, channel.kind,
                channel.locatedByText, DisplayFormatting.onlineWord(channel.online), channel.rtspURL,
            ])
        }
        return table
    }

    /// `fixed`, or the unit's id (`drone:7`) with `(offline)` when the unit's last position is stale.
    var locatedByText: String {
        guard locatedBy == "unit", let unit else { return locatedBy }
        return unitOnline == false ? unit + " (offline)" : unit
    }
}
