import ArgumentParser
import Foundation
import Testing

@testable import musterctl

/// The tracking commands as parsed and as printed: distances, ages, boxes, query targets, the
/// body of `units report`, and the usage errors that exit 2.
@Suite struct TrackingCommandTests {
    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Formatting

    @Test func distancesInMetresThenKilometres() {
        #expect(DisplayFormatting.distance(metres: 0) == "0 m")
        #expect(DisplayFormatting.distance(metres: 12.4) == "12 m")
        #expect(DisplayFormatting.distance(metres: 999.6) == "1000 m")
        #expect(DisplayFormatting.distance(metres: 1000) == "1000 m")
        #expect(DisplayFormatting.distance(metres: 1049) == "1.0 km")
        #expect(DisplayFormatting.distance(metres: 1260) == "1.3 km")
        #expect(DisplayFormatting.distance(metres: 35_000) == "35.0 km")
        #expect(DisplayFormatting.distance(metres: .nan) == "")
    }

    @Test func agesFromNow() throws {
        let now = Date(timeIntervalSince1970: 1_740_830_412)  // 2025-03-01T12:00:12Z
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(-12), now: now) == "12s ago")
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(-245), now: now) == "4m 05s ago")
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(-11_400), now: now) == "3h 10m ago")
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(-90_000), now: now) == "1d 01h ago")
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(0.5), now: now) == "0s ago", "a fraction ahead is clock noise")
        #expect(DisplayFormatting.age(of: now.addingTimeInterval(30), now: now) == "in 30s", "a clock that runs fast shows as such")
        #expect(DisplayFormatting.age(ofTimestamp: "2025-03-01T12:00:00Z", now: now) == "12s ago")
        #expect(DisplayFormatting.age(ofTimestamp: "2025-03-01T11:59:59.500Z", now: now) == "12s ago")
        #expect(DisplayFormatting.age(ofTimestamp: nil, now: now) == "")
        #expect(DisplayFormatting.age(ofTimestamp: "soon", now: now) == "")
    }

    @Test func speedsHeadingsAltitudes() {
        #expect(DisplayFormatting.speed(metresPerSecond: 1.5) == "5.4 km/h")
        #expect(DisplayFormatting.speed(metresPerSecond: 5) == "18 km/h", "no 18.000000000000004")
        #expect(DisplayFormatting.speed(metresPerSecond: 0) == "0 km/h")
        #expect(DisplayFormatting.heading(275) == "275°")
        #expect(DisplayFormatting.heading(45.55) == "45.6°" || DisplayFormatting.heading(45.55) == "45.5°")
        #expect(DisplayFormatting.altitude(-3.25) == "-3.2 m" || DisplayFormatting.altitude(-3.25) == "-3.3 m")
        #expect(DisplayFormatting.altitude(412) == "412 m")
        #expect(DisplayFormatting.onlineWord(true) == "online")
        #expect(DisplayFormatting.onlineWord(false) == "offline")
        #expect(DisplayFormatting.onlineWord(nil) == "")
    }

    // MARK: Arguments

    @Test func boundingBoxes() throws {
        #expect(BoundingBox(argument: "-0.2,51.4,0.1,51.6") == BoundingBox(west: -0.2, south: 51.4, east: 0.1, north: 51.6))
        #expect(BoundingBox(argument: " 114.2, 30.5 ,114.4,30.7") == BoundingBox(west: 114.2, south: 30.5, east: 114.4, north: 30.7))
        #expect(BoundingBox(argument: "-180,-90,180,90") != nil)
        #expect(BoundingBox(argument: "1,2,3") == nil)
        #expect(BoundingBox(argument: "1,2,3,4,5") == nil)
        #expect(BoundingBox(argument: "1,2,,4") == nil)
        #expect(BoundingBox(argument: "a,2,3,4") == nil)
        #expect(BoundingBox(argument: "1,2,3,nan") == nil)
        #expect(BoundingBox(argument: "10,0,5,1") == nil, "west east of east")
        #expect(BoundingBox(argument: "0,10,1,5") == nil, "south north of north")
        #expect(BoundingBox(argument: "-181,0,1,1") == nil)
        #expect(BoundingBox(argument: "0,-91,1,1") == nil)
        #expect(throws: ValidationError.self) { try BoundingBox.parse("10,0,5,1") }
        #expect(BoundingBox(west: -0.2, south: 51.4, east: 0.1, north: 51.6).queryValue == "-0.2,51.4,0.1,51.6")
        #expect(BoundingBox(west: 114, south: 30, east: 115, north: 31).queryValue == "114,30,115,31")
    }

    @Test func proximityQueriesTakeNegativeCoordinates() throws {
        let near = try UnitsNearCommand.parse(["--lat", "-33.9", "--lon", "-70.6", "--radius", "1500", "--limit", "5"])
        #expect(near.point.adding(to: .unitsNear).adding("limit", near.limit.map(String.init)).target
            == "/api/v1/units/near?lat=-33.9&lon=-70.6&radius=1500&limit=5")
        let nearby = try NearbyCommand.parse(["--lat", "30.5928", "--lon", "114.3055", "--radius", "2500.5", "--geojson"])
        #expect(nearby.geojson)
        #expect(nearby.point.adding(to: .nearby).target == "/api/v1/nearby?lat=30.5928&lon=114.3055&radius=2500.5")
        let within = try UnitsWithinCommand.parse(["--bbox", "-0.2,51.4,0.1,51.6"])
        #expect(within.bbox == BoundingBox(west: -0.2, south: 51.4, east: 0.1, north: 51.6))
    }

    @Test func trackQueryCarriesOnlyWhatIsGiven() throws {
        #expect(try UnitsTrackCommand.parse(["drone:7"]).endpoint.target == "/api/v1/units/drone:7/positions")
        let command = try UnitsTrackCommand.parse(["p 1", "--since", "2025-03-01T12:00:00Z", "--until", "15m", "--simplify", "5", "--limit", "200"])
        #expect(command.endpoint.target == "/api/v1/units/p%201/positions?since=2025-03-01T12%3A00%3A00Z&until=15m&simplify=5&limit=200")
    }

    @Test func trackTimes() {
        for text in ["90s", "15m", "1h", "7d", "1.5h", "0s", "1740830400", "1740830400.5", "2025-03-01T12:00:00Z", "2025-03-01T12:00:00.250+01:00"] {
            #expect(GeoArguments.isTrackTime(text), "\(text)")
        }
        for text in ["", "h", "-1h", "1w", "yesterday", "2025-03-01", "1h30m", "nan", "inf"] {
            #expect(!GeoArguments.isTrackTime(text), "\(text)")
        }
    }

    @Test func reportSendsOnlyWhatIsGiven() throws {
        let bare = try UnitsReportCommand.parse(["p1", "--lat", "-33.9", "--lon", "-70.6"])
        #expect(try json(bare.input) == #"{"latitude":-33.9,"longitude":-70.6}"#)
        let full = try UnitsReportCommand.parse([
            "p1", "--lat", "30.5", "--lon", "114.3", "--altitude", "-12", "--speed", "1.5", "--heading", "90", "--accuracy", "8",
            "--time", "1740830400",
        ])
        #expect(try json(full.input) == #"{"accuracy":8,"altitude":-12,"device_time":1740830400,"heading":90,"latitude":30.5,"longitude":114.3,"speed":1.5}"#)
        let iso = try UnitsReportCommand.parse(["p1", "--lat", "1", "--lon", "2", "--time", "2025-03-01T12:00:00Z"])
        #expect(try json(iso.input) == #"{"device_time":"2025-03-01T12:00:00Z","latitude":1,"longitude":2}"#)
    }

    @Test func positionsAskForTheNewestEndOfTheSpan() throws {
        let command = try UnitsPositionsCommand.parse(["p1"])
        #expect(command.limit == 10 && command.since == "7d")
        #expect(throws: (any Error).self) { try UnitsPositionsCommand.parse(["p1", "--since", "whenever"]) }
        #expect(throws: (any Error).self) { try UnitsPositionsCommand.parse(["p1", "--limit", "0"]) }
    }

    @Test(arguments: [
        ["units", "near", "--lat", "91", "--lon", "0", "--radius", "100"],
        ["units", "near", "--lat", "0", "--lon", "-180.5", "--radius", "100"],
        ["units", "near", "--lat", "0", "--lon", "0", "--radius", "0"],
        ["units", "near", "--lat", "0", "--lon", "0", "--radius", "-5"],
        ["units", "near", "--lat", "0", "--lon", "0", "--radius", "100", "--limit", "1001"],
        ["units", "near", "--lat", "0", "--lon", "0"],
        ["units", "within", "--bbox", "1,2,3"],
        ["units", "within", "--bbox", "10,0,5,1"],
        ["units", "within"],
        ["units", "track", "p1", "--since", "yesterday"],
        ["units", "track", "p1", "--simplify", "-1"],
        ["units", "track", "p1", "--limit", "100001"],
        ["units", "positions", "p1", "--limit", "0"],
        ["units", "positions", "p1", "--since", "a week"],
        ["units", "report", "p1", "--lat", "1"],
        ["units", "report", "p1", "--lat", "1", "--lon", "2", "--heading", "400"],
        ["units", "report", "p1", "--lat", "1", "--lon", "2", "--time", "noon"],
        ["nearby", "--lat", "1", "--lon", "2"],
        ["nearby", "--lat", "100", "--lon", "2", "--radius", "10"],
    ])
    func usageErrorsExit2(arguments: [String]) {
        do {
            _ = try Musterctl.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            #expect(Musterctl.exitStatus(for: Musterctl.exitCode(for: error)) == 2, "\(arguments): \(error)")
        }
    }

    // MARK: Tables

    @Test func nearUnitsTable() throws {
        let now = try #require(DisplayFormatting.parseTimestamp("2025-03-01T12:00:12Z"))
        let body = #"""
            {"units":[
              {"id":"p1","name":"巡逻一组","kind":"person","online":true,"distance_m":1260.4,
               "position":{"latitude":30.5,"longitude":114.3,"altitude":null,"speed":null,"heading":null,"accuracy":null,
                           "device_time":"2025-03-01T12:00:00Z","received_at":"2025-03-01T12:00:00Z","source":"http"},
               "channels":["body/p1","body/p1b"]},
              {"id":"v2","name":"Truck","kind":"vehicle","online":false,"distance_m":null,"position":null,"channels":[]}
            ]}
            """#
        let units = try JSONDecoder().decode(APINearUnits.self, from: Data(body.utf8)).units
        let lines = APINearUnit.listTable(units, distances: true, now: now).render().split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("ID") && lines[0].contains("DISTANCE") && lines[0].contains("SEEN") && lines[0].contains("CHANNELS"))
        #expect(lines[1].contains("巡逻一组") && lines[1].contains("online") && lines[1].contains("1.3 km") && lines[1].contains("12s ago"))
        #expect(lines[1].contains("body/p1, body/p1b"))
        #expect(lines[2].contains("offline") && !lines[2].contains("km"))
        // CJK names are two columns wide: the columns after them still line up.
        let online = try #require(lines[1].range(of: " online"))
        let offline = try #require(lines[2].range(of: " offline"))
        #expect(TerminalTextWidth.columns(of: String(lines[1][..<online.lowerBound]))
            == TerminalTextWidth.columns(of: String(lines[2][..<offline.lowerBound])), "\(lines)")

        let boxed = APINearUnit.listTable(units, distances: false, now: now).render()
        #expect(boxed.contains("POSITION") && boxed.contains("30.50000, 114.30000") && !boxed.contains("DISTANCE"))
    }

    @Test func trackTable() throws {
        let body = #"""
            {"unit":"p1","positions":[
              {"latitude":30.5,"longitude":114.3,"altitude":23,"speed":1.5,"heading":45,"accuracy":8,
               "device_time":"2025-03-01T12:00:00Z","received_at":"2025-03-01T12:00:01Z","source":"osmand"},
              {"latitude":-30.51,"longitude":-114.31,"altitude":null,"speed":null,"heading":null,"accuracy":null,
               "device_time":"2025-03-01T12:00:10Z","received_at":"2025-03-01T12:00:10Z","source":"http"}
            ]}
            """#
        let track = try JSONDecoder().decode(APITrack.self, from: Data(body.utf8))
        let lines = APIPosition.trackTable(track.positions).render().split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("TIME"))
        #expect(lines[1].contains("30.50000") && lines[1].contains("114.30000") && lines[1].contains("23 m"))
        #expect(lines[1].contains("5.4 km/h") && lines[1].contains("45°") && lines[1].hasSuffix("osmand"))
        #expect(lines[2].contains("-30.51000") && lines[2].contains("-114.31000") && lines[2].hasSuffix("http"))
    }

    @Test func nearbyTable() throws {
        let body = #"""
            {"channels":[
              {"path":"body/p1","name":"P1","kind":"body-worn","distance_m":40.2,"latitude":30.5,"longitude":114.3,
               "located_by":"unit","unit":"drone:7","unit_online":false,"online":true,"rtsp_url":"rtsp://gw:8554/body/p1"},
              {"path":"cams/gate","name":"Gate","kind":"camera","distance_m":2500,"latitude":30.52,"longitude":114.3,
               "located_by":"fixed","unit":null,"unit_online":null,"online":false,"rtsp_url":"rtsp://gw:8554/cams/gate"}
            ]}
            """#
        let channels = try JSONDecoder().decode(APINearby.self, from: Data(body.utf8)).channels
        let lines = APINearbyChannel.listTable(channels).render().split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("DISTANCE") && lines[0].contains("LOCATED BY") && lines[0].hasSuffix("RTSP URL"))
        #expect(lines[1].contains("40 m") && lines[1].contains("drone:7 (offline)") && lines[1].hasSuffix("rtsp://gw:8554/body/p1"))
        #expect(lines[2].contains("2.5 km") && lines[2].contains("fixed") && lines[2].contains("offline"))
    }

    @Test func unitsShowWhetherTheyAreOnline() throws {
        let body = #"""
            {"id":"p1","name":"P1","kind":"phone","channels":[],"online":true,"last_position":null,
             "created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-01T12:00:00Z"}
            """#
        let unit = try JSONDecoder().decode(APIUnit.self, from: Data(body.utf8))
        let state = unit.detailTable.render(header: false).split(separator: "\n").first { $0.hasPrefix("state:") }
        #expect(state?.hasSuffix(" online") == true)
        #expect(APIUnit.listTable([unit]).render().contains("online"))
        let old = try JSONDecoder().decode(APIUnit.self, from: Data(body.replacingOccurrences(of: #""online":true,"#, with: "").utf8))
        #expect(old.online == nil, "a gateway from before tracking is still understood")
    }
}
