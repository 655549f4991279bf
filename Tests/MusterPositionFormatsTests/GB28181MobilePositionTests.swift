import Foundation
import Testing
@testable import MusterPositionFormats

struct GB28181MobilePositionTests {
    static let chinaStandardTime = 8 * 3600

    func parse(_ body: [UInt8], offset: Int = chinaStandardTime) throws(PositionRejection) -> [PositionReport] {
        try GB28181MobilePosition.parse(body, deviceUTCOffset: offset)
    }

    func parse(_ body: String, offset: Int = chinaStandardTime) throws(PositionRejection) -> [PositionReport] {
        try parse(Array(body.utf8), offset: offset)
    }

    /// "北京" in GB2312: what a Chinese device puts in a <Name> when it declares GB2312.
    static let beijingInGB2312: [UInt8] = [0xB1, 0xB1, 0xBE, 0xA9]

    static let flat2016 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Notify>
        <CmdType>MobilePosition</CmdType>
        <SN>17430</SN>
        <DeviceID>34020000001320000001</DeviceID>
        <Time>2024-05-20T18:15:30</Time>
        <Longitude>116.3975</Longitude>
        <Latitude>39.9087</Latitude>
        <Speed>12.5</Speed>
        <Direction>90.0</Direction>
        <Altitude>45</Altitude>
        </Notify>
        """

    /// 2024-05-20T10:15:30Z, i.e. 18:15:30 in China.
    static let expectedTime = Date(timeIntervalSince1970: 1_716_200_130)

    @Test func readsThe2016FlatForm() throws {
        let reports = try parse(Self.flat2016)
        #expect(reports == [PositionReport(
            unitID: "34020000001320000001", latitude: 39.9087, longitude: 116.3975, altitude: 45,
            speed: 12.5 / 3.6, heading: 90, deviceTime: Self.expectedTime
        )])
    }

    @Test func readsTheFlatFormInGB2312WithAChineseName() throws {
        let body = Array(#"<?xml version="1.0" encoding="GB2312"?>"#.utf8)
            + Array("\r\n<Notify><CmdType>MobilePosition</CmdType><SN>17430</SN><DeviceID>34020000001320000001</DeviceID><Name>".utf8)
            + Self.beijingInGB2312
            + Array("</Name><Time>2024-05-20T18:15:30</Time><Longitude>116.3975</Longitude><Latitude>39.9087</Latitude><Speed>12.5</Speed><Direction>90.0</Direction><Altitude>45</Altitude></Notify>\r\n".utf8)
        let reports = try parse(body)
        #expect(reports.count == 1)
        #expect(reports.first?.unitID == "34020000001320000001")
        #expect(reports.first?.deviceTime == Self.expectedTime)
        #expect(isClose(reports.first?.latitude, 39.9087))
    }

    static let list2022 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Notify>
          <CmdType>MobilePosition</CmdType>
          <SN>8841</SN>
          <DeviceID>34020000002000000001</DeviceID>
          <SumNum>3</SumNum>
          <DeviceList Num="3">
            <Item>
              <TargetID>34020000001320000011</TargetID>
              <DeviceID>34020000001110000099</DeviceID>
              <Time>2024-05-20T18:15:30</Time>
              <Longitude>116.3975</Longitude>
              <Latitude>39.9087</Latitude>
              <Speed>36</Speed>
              <Direction>180</Direction>
              <Altitude>44.5</Altitude>
            </Item>
            <Item>
              <DeviceID>34020000001320000012</DeviceID>
              <Time>2024-05-20 18:15:31.5</Time>
              <Longitude>121.4737</Longitude>
              <Latitude>31.2304</Latitude>
            </Item>
            <Item>
              <Time>2024-05-20T10:15:32Z</Time>
              <Longitude>113.2644</Longitude>
              <Latitude>23.1291</Latitude>
              <Speed></Speed>
            </Item>
          </DeviceList>
        </Notify>
        """

    @Test func readsThe2022ListFormWithTargetIDThenDeviceIDThenPlatformID() throws {
        let reports = try parse(Self.list2022)
        #expect(reports.map(\.unitID) == ["34020000001320000011", "34020000001320000012", "34020000002000000001"])
        #expect(reports.map(\.deviceTime) == [
            Self.expectedTime,
            Self.expectedTime.addingTimeInterval(1.5),
            Self.expectedTime.addingTimeInterval(2),  // explicit Z wins over the device offset
        ])
        #expect(isClose(reports[0].speed, 10))  // 36 km/h
        #expect(reports[0].heading == 180)
        #expect(reports[0].altitude == 44.5)
        #expect(isClose(reports[1].longitude, 121.4737))
        #expect(reports[1].speed == nil && reports[1].heading == nil && reports[1].altitude == nil)
        #expect(reports[2].speed == nil)
    }

    @Test func readsTheListFormInGB2312() throws {
        let body = Array(#"<?xml version="1.0" encoding="gb2312"?><Notify><CmdType>MobilePosition</CmdType>"#.utf8)
            + Array("<SN>3</SN><DeviceID>34020000002000000001</DeviceID><SumNum>1</SumNum><DeviceList Num=\"1\"><Item><TargetID>34020000001320000011</TargetID><Name>".utf8)
            + Self.beijingInGB2312
            + Array("</Name><Time>2024-05-20T18:15:30</Time><Longitude>116.3975</Longitude><Latitude>39.9087</Latitude></Item></DeviceList></Notify>".utf8)
        let reports = try parse(body)
        #expect(reports.map(\.unitID) == ["34020000001320000011"])
        #expect(reports.first?.deviceTime == Self.expectedTime)
    }

    @Test func acceptsAResponseRootAndAnEmptyList() throws {
        let body = "<Response><CmdType>MobilePosition</CmdType><SN>1</SN><DeviceID>34020000002000000001</DeviceID><SumNum>0</SumNum><DeviceList Num=\"0\"></DeviceList></Response>"
        #expect(try parse(body) == [])
    }

    @Test func appliesTheConfiguredDeviceOffset() throws {
        let utcDevice = try parse(Self.flat2016, offset: 0)
        #expect(utcDevice.first?.deviceTime == Self.expectedTime.addingTimeInterval(8 * 3600))
    }

    @Test func leavesTimeNilWhenAbsent() throws {
        let body = "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>116.3975</Longitude><Latitude>39.9087</Latitude></Notify>"
        #expect(try parse(body).first?.deviceTime == nil)
    }

    @Test func toleratesCommentsCDATAEntitiesAndABOM() throws {
        let body = [0xEF, 0xBB, 0xBF] + Array("""
            <?xml version='1.0' encoding='UTF-8' standalone="yes"?>
            <!-- forwarded by platform A -->
            <Notify xmlns:gb="urn:example">
              <CmdType><![CDATA[MobilePosition]]></CmdType>
              <DeviceID>3402&#48;000001320000001</DeviceID>
              <Name>Car &amp; &#x5317;&#20140;</Name>
              <Extra/>
              <Longitude> 116.3975 </Longitude>
              <Latitude>39.9087</Latitude>
            </Notify>
            <!-- end -->

            """.utf8)
        let reports = try parse(body)
        #expect(reports.first?.unitID == "34020000001320000001")
        #expect(isClose(reports.first?.longitude, 116.3975))
    }

    @Test func namesTheWrongCommandType() {
        let catalog = "<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><SumNum>0</SumNum></Response>"
        let failure = rejection { try parse(catalog) }
        #expect(failure?.reason == .malformed)
        #expect(failure?.detail == "GB28181 CmdType is 'Catalog', expected MobilePosition")
    }

    @Test(arguments: [
        // Missing CmdType.
        "<Notify><DeviceID>1</DeviceID><Longitude>116.3975</Longitude><Latitude>39.9087</Latitude></Notify>",
        // Wrong root.
        "<Query><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Query>",
        // Flat form without DeviceID.
        "<Notify><CmdType>MobilePosition</CmdType><Longitude>116.3975</Longitude><Latitude>39.9087</Latitude></Notify>",
        // Missing Latitude; missing Longitude.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>116.3975</Longitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Latitude>39.9087</Latitude></Notify>",
        // One list item without coordinates rejects the body.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><DeviceList Num=\"2\"><Item><TargetID>2</TargetID><Longitude>1</Longitude><Latitude>2</Latitude></Item><Item><TargetID>3</TargetID><Longitude>1</Longitude></Item></DeviceList></Notify>",
        // List item without any identity.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceList Num=\"1\"><Item><Longitude>1</Longitude><Latitude>2</Latitude></Item></DeviceList></Notify>",
        // Letters in numbers; NaN.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>116.39E</Longitude><Latitude>39.9087</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>116.3975</Longitude><Latitude>NaN</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude><Speed>fast</Speed></Notify>",
        // Bad times.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Time>2024/05/20 18:15:30</Time><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Time>2024-05-20T25:15:30</Time><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        // Unsupported declared encoding.
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        // Truncated XML.
        "<?xml version=\"1.0\"?><Notify><CmdType>MobilePosition</CmdType><DeviceID>3402000000132000",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notif",
        "<Notify><CmdType>MobilePosition</CmdType",
        // Mismatched tags.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceId><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceList><Item></DeviceList></Item></Notify>",
        // Two roots; text after the root.
        "<Notify><CmdType>MobilePosition</CmdType></Notify><Notify></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notify>trailing",
        // Unknown entity; bare ampersand; unquoted attribute; duplicate attribute.
        "<Notify><CmdType>MobilePosition</CmdType><DeviceID>1&nbsp;</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><Name>A & B</Name><DeviceID>1</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notify>",
        "<Notify><CmdType>MobilePosition</CmdType><DeviceList Num=2></DeviceList></Notify>",
        "<Notify a=\"1\" a=\"2\"><CmdType>MobilePosition</CmdType></Notify>",
        // DOCTYPE is refused (entity expansion).
        "<!DOCTYPE Notify [<!ENTITY x \"MobilePosition\">]><Notify><CmdType>&x;</CmdType></Notify>",
        // Not XML at all.
        "MobilePosition 116.3975 39.9087",
        "{\"CmdType\":\"MobilePosition\"}",
        "",
        "   \r\n",
    ])
    func rejectsMalformedBodies(body: String) {
        #expect(rejectionReason { try parse(body) } == .malformed, "\(body)")
    }

    @Test func rejectsBinaryGarbageAndControlBytes() {
        let garbage: [UInt8] = [0x3C, 0x00, 0xFF, 0x3E, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let nulInText = Array("<Notify><CmdType>Mobile".utf8) + [0x00] + Array("Position</CmdType></Notify>".utf8)
        #expect(rejectionReason { try parse(garbage) } == .malformed)
        #expect(rejectionReason { try parse(nulInText) } == .malformed)
    }

    @Test func rejectsNonASCIIIdentifiers() {
        let body = Array("<Notify><CmdType>MobilePosition</CmdType><DeviceID>".utf8) + Self.beijingInGB2312
            + Array("</DeviceID><Longitude>1</Longitude><Latitude>2</Latitude></Notify>".utf8)
        #expect(rejectionReason { try parse(body) } == .malformed)
    }

    @Test func boundsNestingDepthAndBodySize() {
        let deep = String(repeating: "<a>", count: 1_000) + String(repeating: "</a>", count: 1_000)
        let deepFailure = rejection { try parse("<Notify><CmdType>MobilePosition</CmdType>\(deep)</Notify>") }
        #expect(deepFailure?.reason == .malformed)
        #expect(deepFailure?.detail.contains("deeper") == true)

        let padding = "<!--" + String(repeating: "x", count: GB28181MobilePosition.maximumBodyLength) + "-->"
        let bigFailure = rejection { try parse(Self.flat2016 + padding) }
        #expect(bigFailure?.detail == "GB28181 body exceeds 65536 bytes")
    }

    @Test func survivesDamagedInput() {
        for (seed, fixture) in [Self.flat2016, Self.list2022].enumerated() {
            for bytes in mutations(of: Array(fixture.utf8), count: 3000, seed: UInt64(seed + 100)) {
                _ = try? parse(bytes)
            }
        }
    }
}
