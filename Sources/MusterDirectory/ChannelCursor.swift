import Foundation

/// Where a page of a keyset-paginated listing ended: the sort it belongs to, the last row's sort
/// value and its tie-breaker. Handed out as base64url JSON, opaque to clients.
struct ChannelCursor: Codable, Equatable {
    enum Value: Equatable {
        case text(String)
        case number(Double)
    }

    var sort: ChannelQuery.SortKey
    var descending: Bool
    var value: Value
    /// The row id, which breaks ties for every sort but path (paths are unique).
    var id: Int64?

    init(sort: ChannelQuery.SortKey, descending: Bool, value: Value, id: Int64?) {
        self.sort = sort
        self.descending = descending
        self.value = value
        self.id = id
    }

    init(after row: StoredChannel, sort: ChannelQuery.SortKey, descending: Bool) {
        self.init(sort: sort, descending: descending, value: row.sortValue(sort), id: sort == .path ? nil : row.id)
    }

    /// Decodes a client's cursor and checks it was made for this sort and direction.
    init(decoding text: String, sort: ChannelQuery.SortKey, descending: Bool) throws(DirectoryError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.utf8.count <= 2048, let data = Data(base64Encoded: base64),
              let cursor = try? JSONDecoder().decode(ChannelCursor.self, from: data),
              cursor.sort == sort, cursor.descending == descending
        else { throw .invalidCursor }
        switch (sort, cursor.value, cursor.id) {
        case (.path, .text, nil), (.name, .text, .some), (.createdAt, .number, .some), (.updatedAt, .number, .some):
            self = cursor
        default:
            throw .invalidCursor
        }
    }

    var encoded: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    // Short keys: the cursor travels in URLs.
    private enum CodingKeys: String, CodingKey {
        case sort = "s", descending = "d", text = "t", number = "n", id = "i"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let sort = ChannelQuery.SortKey(rawValue: try container.decode(String.self, forKey: .sort)) else {
            throw DecodingError.dataCorruptedError(forKey: .sort, in: container, debugDescription: "unknown sort")
        }
        self.sort = sort
        descending = try container.decode(Bool.self, forKey: .descending)
        if let text = try container.decodeIfPresent(String.self, forKey: .text) {
            value = .text(text)
        } else {
            value = .number(try container.decode(Double.self, forKey: .number))
        }
        id = try container.decodeIfPresent(Int64.self, forKey: .id)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sort.rawValue, forKey: .sort)
        try container.encode(descending, forKey: .descending)
        switch value {
        case .text(let text): try container.encode(text, forKey: .text)
        case .number(let number): try container.encode(number, forKey: .number)
        }
        try container.encodeIfPresent(id, forKey: .id)
    }
}
