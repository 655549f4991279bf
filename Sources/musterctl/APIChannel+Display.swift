/// How channels look at a terminal.
extension APIChannel {
    /// One line per channel: the columns an operator scans a directory by.
    static func listTable(_ channels: [APIChannel]) -> TextTable {
        var table = TextTable([
            .init(title: "PATH"), .init(title: "NAME"), .init(title: "KIND"), .init(title: "ZONE"), .init(title: "STATE"),
            .init(title: "CONSUMERS", alignment: .right), .init(title: "BITRATE", alignment: .right), .init(title: "SOURCE"),
        ])
        for channel in channels {
            table.append([
                channel.path, channel.name, channel.kind, channel.zone ?? "", channel.stateWord,
                channel.state.map { String($0.consumers) } ?? "", channel.state.map { DisplayFormatting.bitrate($0.bitrateBPS) } ?? "",
                channel.source,
            ])
        }
        return table
    }

    /// Every field, one per line.
    var detailTable: TextTable {
        var table = TextTable(titles: ["FIELD", "VALUE"])
        table.append(["path:", path])
        table.append(["name:", name])
        table.append(["kind:", kind])
        table.append(["source:", source])
        table.append(["zone:", zone ?? ""])
        table.append(["unit:", unitID ?? ""])
        if let latitude, let longitude {
            table.append(["position:", DisplayFormatting.coordinates(latitude: latitude, longitude: longitude)])
        } else {
            table.append(["position:", ""])
        }
        table.append(["tags:", tags.joined(separator: ", ")])
        table.append(["on demand:", onDemand ? "yes" : "no"])
        table.append(["state:", stateWord])
        if let state {
            table.append(["codecs:", state.codecs.joined(separator: ", ")])
            if let width = state.width, let height = state.height { table.append(["picture:", "\(width)x\(height)"]) }
            table.append(["bitrate:", DisplayFormatting.bitrate(state.bitrateBPS)])
            table.append(["frame rate:", DisplayFormatting.number(state.fps) + " fps"])
            table.append(["consumers:", String(state.consumers)])
            table.append(["last error:", state.lastError ?? ""])
        }
        table.append(["created:", DisplayFormatting.timestamp(createdAt)])
        table.append(["updated:", DisplayFormatting.timestamp(updatedAt)])
        return table
    }

    /// `online`, `offline`, or empty when the gateway sent no live state.
    private var stateWord: String {
        guard let state else { return "" }
        return state.online ? "online" : "offline"
    }
}
