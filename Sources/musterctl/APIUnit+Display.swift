/// How units look at a terminal.
extension APIUnit {
    static func listTable(_ units: [APIUnit]) -> TextTable {
        var table = TextTable(titles: ["ID", "NAME", "KIND", "STATE", "CHANNELS", "POSITION", "SEEN"])
        for unit in units {
            table.append([
                unit.id, unit.name, unit.kind, DisplayFormatting.onlineWord(unit.online), unit.channels.joined(separator: ", "),
                unit.lastPosition.map { DisplayFormatting.coordinates(latitude: $0.latitude, longitude: $0.longitude) } ?? "",
                DisplayFormatting.timestamp(unit.lastPosition?.receivedAt),
            ])
        }
        return table
    }

    /// Every field, one per line; the position's optional figures only when known.
    var detailTable: TextTable {
        var table = TextTable(titles: ["FIELD", "VALUE"])
        table.append(["id:", id])
        table.append(["name:", name])
        table.append(["kind:", kind])
        table.append(["state:", DisplayFormatting.onlineWord(online)])
        table.append(["channels:", channels.joined(separator: ", ")])
        if let position = lastPosition {
            table.append(["position:", DisplayFormatting.coordinates(latitude: position.latitude, longitude: position.longitude)])
            if let altitude = position.altitude { table.append(["altitude:", DisplayFormatting.number(altitude) + " m"]) }
            if let speed = position.speed { table.append(["speed:", DisplayFormatting.speed(metresPerSecond: speed)]) }
            if let heading = position.heading { table.append(["heading:", DisplayFormatting.number(heading) + "°"]) }
            if let accuracy = position.accuracy { table.append(["accuracy:", DisplayFormatting.number(accuracy) + " m"]) }
            table.append(["fix time:", DisplayFormatting.timestamp(position.deviceTime)])
            table.append(["received:", DisplayFormatting.timestamp(position.receivedAt)])
            table.append(["via:", position.source])
        } else {
            table.append(["position:", ""])
        }
        table.append(["created:", DisplayFormatting.timestamp(createdAt)])
        table.append(["updated:", DisplayFormatting.timestamp(updatedAt)])
        return table
    }
}
