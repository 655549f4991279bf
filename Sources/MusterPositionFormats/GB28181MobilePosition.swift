import Foundation

/// GB/T 28181 MobilePosition notifications: the MANSCDP XML a camera, body-worn device or
/// lower platform sends (in a SIP MESSAGE/NOTIFY) to report where it is.
///
/// Two shapes exist. GB/T 28181-2016 puts one position directly in `<Notify>`:
/// `<Notify><CmdType>MobilePosition</CmdType><SN>…</SN><DeviceID>…</DeviceID><Time>…</Time>
/// <Longitude>…</Longitude><Latitude>…</Latitude><Speed>…</Speed>…</Notify>`.
/// GB/T 28181-2022 adds a list, for platforms reporting many devices at once:
/// `<DeviceList Num="n"><Item><TargetID>…</TargetID><Time>…</Time><Longitude>…</Longitude>…</Item>…</DeviceList>`.
public enum GB28181MobilePosition {
    /// Larger bodies are rejected before parsing; a 2022 list of a few hundred items fits.
    public static let maximumBodyLength = 64 * 1024
    /// The documents are four levels deep; anything much deeper is not MobilePosition.
    static let maximumDepth = 16

    /// Parses one notification into its positions (one for the 2016 form, one per `<Item>` for
    /// the 2022 list form, possibly none for an empty list).
    ///
    /// `deviceUTCOffset` (seconds east of UTC) applies to `<Time>` values without a zone, which is
    /// what GB devices send: local time, +28800 in China. An explicit `Z` or offset wins.
    /// The body may be UTF-8 or GB2312/GBK/GB18030: the fields read are ASCII, so it is not decoded.
    /// One bad `<Item>` rejects the whole body, so a broken sender is noticed rather than half-read.
    public static func parse(_ body: some Collection<UInt8>, deviceUTCOffset: Int) throws(PositionRejection) -> [PositionReport] {
        let bytes = Array(body.prefix(maximumBodyLength + 1))
        guard bytes.count <= maximumBodyLength else {
            throw .malformed("GB28181 body exceeds \(maximumBodyLength) bytes")
        }
        let document: ByteXMLDocument
        do {
            document = try ByteXMLReader.parse(bytes, maximumDepth: maximumDepth)
        } catch {
            throw .malformed("GB28181 body is not well-formed XML: \(error.detail) at byte \(error.offset)")
        }
        if let encoding = document.declaredEncoding,
           !supportedEncodings.contains(where: { ASCII.equalsIgnoringCase(encoding, $0) }) {
            throw .malformed("GB28181 body declares unsupported encoding \(quoted(encoding))")
        }

        let root = document.root
        guard root.hasName("Notify") || root.hasName("Response") else {
            throw .malformed("GB28181 root element is <\(String(decoding: root.name, as: UTF8.self))>, expected <Notify> or <Response>")
        }
        guard let commandType = text(root, "CmdType") else { throw .malformed("GB28181 message has no CmdType") }
        guard commandType.elementsEqual("MobilePosition".utf8) else {
            throw .malformed("GB28181 CmdType is \(quoted(commandType)), expected MobilePosition")
        }
        let messageDeviceID = try identifier(root, "DeviceID")

        guard let deviceList = root.child(named: "DeviceList") else {
            guard let messageDeviceID else { throw .malformed("GB28181 MobilePosition has no DeviceID") }
            return [try position(in: root, unitID: messageDeviceID, deviceUTCOffset: deviceUTCOffset, label: "MobilePosition")]
        }
        var reports: [PositionReport] = []
        for (number, item) in deviceList.children(named: "Item").enumerated() {
            let label = "MobilePosition Item \(number + 1)"
            // `??` would widen the typed throw (its autoclosure rethrows any Error), hence two steps.
            let targetID = try identifier(item, "TargetID")
            let itemDeviceID = try identifier(item, "DeviceID")
            guard let unitID = targetID ?? itemDeviceID ?? messageDeviceID else { throw .malformed("GB28181 \(label) has no TargetID or DeviceID") }
            reports.append(try position(in: item, unitID: unitID, deviceUTCOffset: deviceUTCOffset, label: label))
        }
        return reports
    }

    private static let supportedEncodings = ["UTF-8", "UTF8", "GB2312", "GBK", "GB18030"]

    /// km/h, as GB/T 28181 specifies for Speed.
    private static let metresPerSecondPerKilometrePerHour = 1 / 3.6

    /// The position fields of a `<Notify>` (2016 form) or an `<Item>` (2022 form).
    private static func position(
        in element: ByteXMLElement, unitID: String, deviceUTCOffset: Int, label: String
    ) throws(PositionRejection) -> PositionReport {
        guard let longitude = try number(element, "Longitude", label) else { throw .malformed("GB28181 \(label) has no Longitude") }
        guard let latitude = try number(element, "Latitude", label) else { throw .malformed("GB28181 \(label) has no Latitude") }

        var deviceTime: Date?
        if let timeText = text(element, "Time") {
            guard let dateTime = ISODateTimeText(timeText) else {
                throw .malformed("GB28181 \(label) Time \(quoted(timeText)) is not yyyy-MM-ddTHH:mm:ss")
            }
            deviceTime = Date(timeIntervalSince1970: dateTime.secondsSinceEpoch(defaultUTCOffset: deviceUTCOffset))
        }
        return PositionReport(
            unitID: unitID,
            latitude: latitude,
            longitude: longitude,
            altitude: try number(element, "Altitude", label),
            speed: try number(element, "Speed", label).map { $0 * metresPerSecondPerKilometrePerHour },
            heading: try number(element, "Direction", label),
            deviceTime: deviceTime
        )
    }

    /// A child's text without surrounding whitespace; nil when the child is absent or empty.
    private static func text(_ element: ByteXMLElement, _ name: String) -> ArraySlice<UInt8>? {
        guard let child = element.child(named: name) else { return nil }
        let value = ASCII.trimmed(child.text[...])
        return value.isEmpty ? nil : value
    }

    private static func number(_ element: ByteXMLElement, _ name: String, _ label: String) throws(PositionRejection) -> Double? {
        guard let value = text(element, name) else { return nil }
        guard let number = DecimalNumber.parse(value) else {
            throw .malformed("GB28181 \(label) \(name) \(quoted(value)) is not a number")
        }
        return number
    }

    /// Device and target IDs are 20 ASCII digits in practice; anything printable ASCII is
    /// accepted, but bytes of another encoding would make different IDs look alike, so not those.
    private static func identifier(_ element: ByteXMLElement, _ name: String) throws(PositionRejection) -> String? {
        guard let value = text(element, name) else { return nil }
        guard value.allSatisfy(ASCII.isPrintable) else {
            throw .malformed("GB28181 \(name) \(quoted(value)) is not printable ASCII")
        }
        return String(decoding: value, as: UTF8.self)
    }
}
